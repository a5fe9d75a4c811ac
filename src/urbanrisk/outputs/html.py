"""Safe HTML: every text from data escaped, JSON safe inside a script element.

Light (no pydeck): ``urbanrisk validate`` and the report's words import it; the offline deck.gl page
is :mod:`urbanrisk.outputs.offline_deck`.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

BACKGROUND = "#f4f2ee"
ATTRIBUTION = "Map data © OpenStreetMap contributors (ODbL)"


#: bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a name from the data they
#: reorder what follows on the page (a file ``pop\u202efit.x`` read as ``popx.tif``); shown as their code,
#: as the command line shows them (:func:`urbanrisk._stdout.visible`). Marks (U+200E/F) stay: Arabic
#: text needs them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi_code(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_text(value: Any) -> str:
    """HTML-escape any value for display; bidi controls shown as their code.

    Examples
    --------
    >>> escape_text('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> print(escape_text("pop\u202efit.x 医院"))
    pop\\u202efit.x 医院
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text if text.isascii() or not _BIDI.search(text) else _BIDI.sub(_bidi_code, text)


def script_json(value: Any) -> str:
    r"""``value`` as JSON safe inside a <script> element (``<``, ``>`` and ``&`` escaped).

    Examples
    --------
    >>> script_json(["</script>"])
    '["\\u003c/script\\u003e"]'
    """
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
