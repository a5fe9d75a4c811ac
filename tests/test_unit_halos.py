"""The 社区 outlines read over every grade (session 20, duty21; fresh19 found the white line faint over
yellow cells): a white line cased in near-black. Hand cases, no run: the contrast (WCAG 2 relative
luminance, 3:1 for graphics) of the line's best edge against each grade's fill as the map draws it
(alpha 170 over the page's background) and against a hollow cell (a white veil over that), and the
casing layer the map inserts."""

from __future__ import annotations

import pydeck as pdk
import pytest

from urbanrisk.outputs.map_residents_unknown import HOLE_FILL
from urbanrisk.outputs.planner_layers import LEVEL_HALOS, LEVEL_STYLES, toggle_labels, unit_halos
from urbanrisk.result import GRADE_COLOURS

BACKGROUND = (244, 242, 238)  # the map page's, read off a headless Chromium screenshot
CELL_ALPHA = 170  # deck.grid_deck's cells


def _over(colour, alpha, under):
    return tuple(alpha / 255 * c + (1 - alpha / 255) * u for c, u in zip(colour, under, strict=True))


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FILLS = {
    **{grade: _over(colour, CELL_ALPHA, BACKGROUND) for grade, colour in GRADE_COLOURS.items()},
    **{
        f"{grade} hollow": _over(HOLE_FILL[:3], HOLE_FILL[3], _over(colour, CELL_ALPHA, BACKGROUND))
        for grade, colour in GRADE_COLOURS.items()
    },
}


@pytest.mark.parametrize("fill", sorted(FILLS))
def test_the_cased_community_line_reads_over_every_grade_and_hollow_cell(fill):
    core, halo = LEVEL_STYLES["community"][0], LEVEL_HALOS["community"][0]
    assert max(_contrast(core, FILLS[fill]), _contrast(halo, FILLS[fill])) >= 3.0


def test_the_white_line_alone_was_faint_over_yellow():
    assert _contrast((255, 255, 255), FILLS["III"]) < 1.5  # why the casing: ~1.3 to 1


def test_the_casing_goes_under_its_line_with_the_same_rings_and_no_tip():
    ring = [[[116.30, 39.98], [116.31, 39.98], [116.31, 39.99], [116.30, 39.98]]]
    cells = pdk.Layer("H3HexagonLayer", data=[{"hex": "8a31aa", "tip": "x"}], id="cells")
    street = pdk.Layer("PolygonLayer", data=[{"polygon": ring, "tip": "街道"}], id="units:street")
    community = pdk.Layer("PolygonLayer", data=[{"polygon": ring, "tip": "社区"}], id="units:community")
    layers = unit_halos([cells, community, street])
    assert [layer.id for layer in layers] == [
        "cells",
        "units:community:halo",
        "units:community",
        "units:street",
    ]
    halo = layers[1]
    assert halo.data == [{"polygon": ring}] and halo.pickable is False
    width = LEVEL_STYLES["community"][1]
    assert halo.line_width_min_pixels == LEVEL_HALOS["community"][1] > width  # wider: edges each side
    empty = pdk.Layer("PolygonLayer", data=[], id="units:community")
    assert [layer.id for layer in unit_halos([empty])] == ["units:community"]  # nothing drawn: no casing
    (label,) = toggle_labels(["units:community", "units:community:halo"])  # one toggle for both
    assert label[0] == "units:community" and "box-shadow:0 0 0 1px rgb(30, 30, 30)" in label[1]


@pytest.mark.parametrize("fill", sorted(FILLS))
def test_the_grid_levels_line_is_cased_too_and_reads_over_every_grade(fill):
    """The 网格's 0.6 px white line was as faint over yellow (III) as the 社区's (session 21): cased in
    near-black too, narrower than the 社区's casing so that the two levels still differ."""
    core, (halo, width) = LEVEL_STYLES["grid"][0], LEVEL_HALOS["grid"]
    assert max(_contrast(core, FILLS[fill]), _contrast(halo, FILLS[fill])) >= 3.0
    assert LEVEL_STYLES["grid"][1] < width < LEVEL_HALOS["community"][1]


def test_a_cased_levels_rings_count_twice_in_the_maps_outline_budget(monkeypatch):
    """The casing repeats the rings in the page; fit_outlines counted them once, so a map of many 社区
    could hold twice its outline budget."""
    import shapely

    from urbanrisk.outputs import map_compact

    ring = shapely.get_coordinates(shapely.box(116.3, 39.98, 116.31, 39.99).exterior).tolist()  # 5 vertices
    monkeypatch.setattr(map_compact, "MAX_OUTLINE_VERTICES", 9)
    for level, kept in (("street", True), ("community", False), ("grid", False)):
        layer = pdk.Layer("PolygonLayer", data=[{"polygon": [ring]}], id=f"units:{level}")
        fitted, notes = map_compact.fit_outlines([layer])
        assert bool(fitted) == kept and bool(notes) != kept, level
