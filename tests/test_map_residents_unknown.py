"""What a planner sees of residents unknown (session 18, look18), on the shipped Baltimore run (183 of its
396 cells have residents unknown: 2015 OSM maps few of their buildings).

Left by session 17: in the graded view a cell of unknown residents looked like a cell of counted ones,
and a registry's 一级 source left without a grade (residents unknown in its reach) was missing from the
report's top list (only in "… and N more").
"""

from __future__ import annotations

import copy
import re

from test_map_unknown_coverage import _cell_tips_of
from urbanrisk.outputs.deck import grid_deck
from urbanrisk.outputs.map import legend_html
from urbanrisk.outputs.map_residents_unknown import HOLE, hollow_legend_html, hollow_tip
from urbanrisk.outputs.report import report_html
from urbanrisk.outputs.summary import run_summary


def test_the_graded_map_draws_cells_of_unknown_residents_hollow_and_says_so(baltimore_run):
    grid = baltimore_run.grid
    unknown = set(grid.index[~grid["known_residents"].astype(bool)])
    assert len(unknown) == 183 and len(grid) == 396
    deck = grid_deck(grid, baltimore_run.layers, baltimore_run)
    layers = {layer.id: layer for layer in deck.layers}
    hollow = layers["cells:residents_unknown"]  # follows the graded cells' box ("cells:…")
    assert {row["hex"] for row in hollow.data} == unknown and len(hollow.data) == 183
    assert hollow.coverage == HOLE < 1 and not hollow.pickable  # a centre: the grade's ring stays
    ids = [layer.id for layer in deck.layers]
    assert ids.index("cells") + 1 == ids.index("cells:residents_unknown") < ids.index("coverage_unknown")
    tips = _cell_tips_of(deck)
    line = hollow_tip("en")
    assert all((line in tip) == (cell in unknown) for cell, tip in tips.items())
    assert all("residents unknown · buildings" in tips[cell] for cell in unknown)
    legend = legend_html(baltimore_run, deck, run_summary(baltimore_run))
    assert "<b>Residents unknown (hollow): 183 cells</b>" in legend
    # the grade rows already counted them: the hollow's count is theirs
    said = re.findall(r"\(unknown in (\d+) cells\)", legend)
    assert sum(map(int, said)) + 2 == 183  # II's two cells: "residents unknown" (all of them)


def test_the_hollow_is_said_in_chinese_and_not_drawn_without_such_cells():
    assert hollow_legend_html(0) == ""
    zh = hollow_legend_html(1234, "zh")
    assert "常住人口未知（空心）：1,234 个单元" in zh and "不按 0 计" in zh
    assert hollow_tip("zh") == "<i>常住人口未知：以空心显示，不按 0 计</i>"


#: a grade's badge, then why it is not graded under it
NOTE = '</span><br/><span class="note">'


def _top_rows(html: str) -> list[str]:
    section = html.split('<section class="major')[1]  # the hazard sources, the first major section
    return re.findall(r"<tr><td>.*?</tr>", section)


def test_an_ungraded_first_level_registry_source_heads_the_top_list_and_says_why(baltimore_run):
    hz = baltimore_run.screens.hazard_sources.copy()
    assert len(hz) > 12  # the list shows 12: the rest are "… and N more"
    last = hz[hz["grade"] == "IV"].sort_values("residents_exposed").index[0]  # the list's bottom
    hz.loc[last, ["severity", "grade", "residents_unknown_share", "matrix_score"]] = [4, "no data", 0.6, 4]
    result = copy.copy(baltimore_run)
    result.screens = copy.copy(baltimore_run.screens)
    result.screens.hazard_sources = hz
    name = str(hz.loc[last, "name"] if hz.loc[last, "name"] else hz.loc[last, "id"])
    for language, why in (
        (
            "en",
            "no data (at least III)" + NOTE + "not graded: 60% of the area in reach has residents unknown",
        ),
        ("zh", "无数据（至少III级）" + NOTE + "不予评级：影响范围 60% 人口未知"),
    ):
        rows = _top_rows(report_html(result, language=language))
        assert why + "</span>" in rows[0] and name in rows[0], rows[0]
        assert sum(why in row for row in rows) == 1


def _over(top: tuple[int, ...], below: tuple[int, ...]) -> tuple[float, ...]:
    """``top`` (RGBA, alpha 0-255) composited over the opaque colour ``below`` (RGB)."""
    alpha = top[3] / 255
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], below, strict=True))


def test_a_hollow_cell_still_reads_as_its_grade_where_half_the_city_is_unknown():
    """Session 19 (fresh19), left by look18: on Baltimore (183 of 396 cells hollow) each hollow was a
    near-white hexagon (alpha 235) with a dark grey edge: 183 white holes outlined in grey made the
    map busy and hid which grade they held. The hollow is now a light veil of the grade: its centre is
    a lighter tint of the cell's own grade (closer to it than to any other grade's tint), lighter than
    the grade by a visible step, and its edge is no darker than the grade's ring."""
    from urbanrisk.outputs.map_residents_unknown import HOLE_FILL, HOLE_LINE
    from urbanrisk.result import CLASS_COLOURS

    tints = {grade: _over(HOLE_FILL, colour) for grade, colour in CLASS_COLOURS.items()}
    for grade, colour in CLASS_COLOURS.items():
        tint = tints[grade]
        assert sum(tint) - sum(colour) > 90, grade  # lighter: the hollow is seen
        others = [sum((a - b) ** 2 for a, b in zip(tint, tints[g], strict=True)) for g in tints if g != grade]
        assert min(others) > 40**2, grade  # each grade's tint its own: the grade still reads
        edge = _over(HOLE_LINE, tint)
        assert sum(edge) >= sum(tint) - 1, grade  # no dark edge: a light rim, not a grey outline
