"""The incident sheet's map key, its layout on a phone, and the wording of its distances' source.

The incident map drew coloured dots, rings and tinted cells with no key: a duty officer could not
tell a vulnerable site (orange) from a clinic (light green). The key names each mark the map draws, in
the colours :mod:`.incident` draws them. The map is drawn right of the sheet (centred on the incident
there), and on a narrow screen under it: the sheet, 460 px wide, covered a phone's whole screen and
the incident was drawn off it. The map's zoom fits the largest ring in the map's own box as the
page opens (:func:`fit_view_script`): at the desktop's zoom a phone saw the outer rings cut off.
"""

from __future__ import annotations

import json
import re

from ..result import IncidentResult
from .deck import RESOURCE_COLOURS
from .html import escape_text
from .i18n import RESOURCE_ZH, translator

RING_COLOUR = (200, 30, 30)
SITE_COLOUR = (230, 120, 0)

_PHONE_CSS = """<style>
#ur-key {margin:4px 0 2px; font-size:11px; color:#333; line-height:1.7}
#ur-key span.mark {display:inline-block; width:10px; height:10px; border-radius:50%; margin:0 3px 0 8px;
  vertical-align:-1px; -webkit-print-color-adjust:exact; print-color-adjust:exact}
#ur-key span.mark:first-child {margin-left:0}
#ur-key span.ring {background:none; border:2px solid rgb(200,30,30); width:8px; height:8px}
#ur-key span.cell {border-radius:2px}
#ur-key span.item {white-space:nowrap}
#deck-container {position:absolute; top:0; bottom:0; left:488px; right:0; width:auto; height:auto}
@media (max-width: 600px) { #ur-sheet {width:auto; right:0; bottom:auto; height:55vh}
  #deck-container {left:0; top:calc(55vh + 20px)} }
</style>"""


#: the largest ring's diameter plus 10 % fills the map's shorter side
RING_FILL = 2.2


def map_reach_m(result: IncidentResult) -> float:
    """The radius the incident map fits in view: its largest ring (500 m for an answer without rings)."""
    rings = result.rings
    return float(rings["ring_m"].max()) if rings is not None and len(rings) else 500.0


def fit_view_script(result: IncidentResult) -> str:
    """A page script fitting the largest ring in the map's box as the page opens (a phone's box is
    ~390 x 360 px, a desktop's ~900 x 900): deck.gl's world is 512 px wide at zoom 0, so metres per
    pixel = 40,075,016 cos(lat) / (512 * 2^zoom). The deck's own initial zoom (a notebook) fits 680 px.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> r = SimpleNamespace(lon=116.3, lat=39.9, rings=pd.DataFrame({"ring_m": [100.0, 800.0]}))
    >>> "const reach = 800.0, fill = 2.2" in fit_view_script(r)
    True
    """
    view = json.dumps({"longitude": result.lon, "latitude": result.lat, "pitch": 0, "bearing": 0})
    return f"""<script>
window.addEventListener('DOMContentLoaded', () => {{  // the incident's rings fit the map's own box
  const box = document.getElementById('deck-container'), view = {view};
  const reach = {map_reach_m(result)!r}, fill = {RING_FILL!r};
  const side = Math.max(120, Math.min(box.clientWidth, box.clientHeight));
  const metresPerPx = fill * reach / side;
  const zoom = Math.log2(40075016 * Math.cos(view.latitude * Math.PI / 180) / (512 * metresPerPx));
  deckInstance.setProps({{initialViewState: {{...view, zoom: Math.min(18, Math.max(3, zoom))}}}});
}});
</script>"""


def _mark(style: str, words: str, kind: str = "") -> str:
    return f'<span class="item"><span class="mark {kind}" style="{style}"></span>{escape_text(words)}</span>'


def incident_key_html(result: IncidentResult) -> str:
    """The key of the incident map's marks (the resource kinds present only), in the sheet's language.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> r = SimpleNamespace(language="zh", resources=pd.DataFrame({"kind": ["hospital", "hospital"]}))
    >>> html = incident_key_html(r)
    >>> "医院" in html and "消防站" not in html and "疏散半径" in html
    True
    """
    t = translator(result.language)
    zh = result.language == "zh"
    kinds = list(dict.fromkeys(result.resources["kind"])) if "kind" in result.resources.columns else []
    marks = [
        _mark("background:#000", t("incident")),
        _mark("", t("distance rings (bold: the evacuation radius)"), "ring"),
        _mark(
            "background:linear-gradient(90deg,rgba(200,30,30,.2),rgba(200,30,30,.75))",
            t("cells: share evacuated (darker: more)"),
            "cell",
        ),
        _mark(f"background:rgb{SITE_COLOUR}", t("vulnerable site")),
        *(
            _mark(
                f"background:rgb{RESOURCE_COLOURS.get(kind, (60, 60, 60))}",
                RESOURCE_ZH.get(kind, kind) if zh else kind.replace("_", " "),
            )
            for kind in [*[k for k in kinds if k != "shelter"], "shelter"]  # shelters: always drawn
        ),
    ]
    key = f'<div id="ur-key"><b>{escape_text(t("Map key"))}</b> {" ".join(marks)}</div>'
    return _PHONE_CSS + key


def source_text(source: str, language: str) -> str:
    """The distances' source; in Chinese, the guide cited (its English explanation stays in incident.json).

    Examples
    --------
    >>> source_text("ERG 2020 Guide 115 (Gases): isolate ... 50 m rings: urbanrisk assumption", "zh")
    'ERG 2020 Guide 115（《应急响应指南》初始隔离与疏散距离；其余距离圈为 urbanrisk 假设）'
    """
    if language != "zh":
        return source
    guide = re.match(r"^(ERG \d{4} Guide \d+)", source)
    if guide:
        return f"{guide.group(1)}（《应急响应指南》初始隔离与疏散距离；其余距离圈为 urbanrisk 假设）"
    return "urbanrisk 假设（无公开的隔离距离标准）"
