"""Safe HTML: every text from data escaped, JSON safe inside a script element.

Light (no pydeck): ``urbanrisk validate`` and the report's words import it; the offline deck.gl page
is :mod:`urbanrisk.outputs.offline_deck`.
"""

from __future__ import annotations

import html
import json
from typing import Any

BACKGROUND = "#f4f2ee"
ATTRIBUTION = "Map data © OpenStreetMap contributors (ODbL)"


def escape_text(value: Any) -> str:
    """HTML-escape any value for display.

    Examples
    --------
    >>> escape_text('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


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
