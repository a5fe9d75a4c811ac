"""An offline deck.gl page: pydeck's bundled deck.gl inlined (``offline=True``), the page's CDN
stylesheet and map-library tags removed, no basemap. The deck JSON is embedded with ``<``, ``>`` and
``&`` escaped so that no value can close the script element that holds it.

Imports pydeck: only the map's and the incident sheet's writers need it (``urbanrisk validate`` and the
report's words, :mod:`urbanrisk.outputs.html`, do not).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
from pydeck.io.html import render_json_to_html

from .html import BACKGROUND

_EXTERNAL = re.compile(
    r"<script[^>]*src=[\"']https?://[^>]*>\s*</script>|<link[^>]*href=[\"']?https?://[^>]*>", re.IGNORECASE
)


class OfflineDeck(pdk.Deck):
    """A pydeck Deck that shows itself offline in a notebook (deck.gl inlined, no CDN).

    pydeck's own notebook display loads deck.gl from a CDN, which an office without internet
    cannot reach; this one embeds the same offline page as ``map.html`` in an iframe.
    """

    header_html: str = ""
    display_note: str = ""  # set when a large grid is shown at a coarser resolution
    notes: Sequence[str] = ()  # what the map leaves out or simplifies at this scale (display_note first)
    tip_parts: Sequence[str] = ()  # tooltip lines written once, marked <!--n--> in the tips (map_compact)
    _PAGE_ONLY = ("header_html", "display_note", "notes", "tip_parts")  # never deck.gl JSON

    def to_json(self) -> str:
        """The deck as compact JSON, without urbanrisk's page-only attributes.

        pydeck's own ``to_json`` indents, which makes Python's json module fall back to its pure
        Python encoder: 4.7 s for a 64-tile city's map. Without indentation the C encoder writes the
        same content (same keys, sorted, same ``default`` hook) about 10x faster. Characters beyond
        ASCII are written as UTF-8 (3 bytes a Chinese character, not 6 as ``\\uXXXX``).
        """
        saved = {key: self.__dict__.pop(key) for key in self._PAGE_ONLY if key in self.__dict__}
        try:
            return json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False
            )
        finally:
            self.__dict__.update(saved)

    def _repr_html_(self) -> str:
        page = deck_to_offline_html(self, header_html=self.header_html)
        return (
            '<iframe style="width:100%;height:560px;border:0" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )


def deck_to_offline_html(deck: pdk.Deck, *, header_html: str = "") -> str:
    """Self-contained HTML for a Deck: inlined deck.gl, no external tag, JSON safe inside <script>."""
    safe_json = deck.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # the page template with a placeholder: the CDN tags are stripped without scanning megabytes of data
    placeholder = '{"urbanriskDeckPlaceholder":true}'
    page = render_json_to_html(
        placeholder, tooltip=json.dumps(deck._tooltip), offline=True, css_background_color=BACKGROUND
    )
    page = _EXTERNAL.sub("", page)
    page = page.replace("<title>pydeck</title>", "<title>urbanrisk map</title>", 1)
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1" />'
    page = page.replace("<head>", "<head>\n    " + viewport, 1)  # a phone shows the page at its width
    page = page.replace("<body>", "<body>\n" + header_html, 1)
    head, tail = page.split(placeholder, 1)
    return head + safe_json + tail
