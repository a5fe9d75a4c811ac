"""The map of a large run stays a page a browser opens quickly: its bytes per cell are bounded, its
context layers are drawn whole or left out with a note (never one corner of the city), its outlines
fit a budget, and its compact tooltips still show every escaped text whole."""

from __future__ import annotations

import dataclasses
import json
import re

import h3
import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
import shapely

import urbanrisk as ur
from conftest import default_recipe
from urbanrisk.grid import cells_to_polygons
from urbanrisk.outputs import map_compact, map_context
from urbanrisk.outputs.deck import grid_deck
from urbanrisk.outputs.html import escape_text, script_json
from urbanrisk.outputs.map_compact import compact_tips, expand_tip, fit_outlines
from urbanrisk.outputs.map_context import context_layers, coordinate_lists, street_rank
from urbanrisk.outputs.map_tips import _cell_tips, _hazard_labels, _language, _unknown_words
from urbanrisk.outputs.offline_deck import deck_to_offline_html
from urbanrisk.pipeline import compute_run


@pytest.fixture(scope="module")
def wudaokou(tmp_path_factory):
    return compute_run(
        ur.load_recipe(default_recipe(tmp_path_factory.mktemp("map"))), scheduler="synchronous"
    )


def _units(result) -> dict[str, str]:
    return {s.name: ("s" if s.by_time else "m") for s in result.coverage.standards}


def test_the_page_of_a_large_grid_stays_small(wudaokou):
    """3,000 cells with Wudaokou's real rows (their long "unknown" texts) repeated: the two cell layers
    took ~1.5 kB a cell (a 32 x 32 metropolis: 67 MB); now < 300 B (the map shows 20,000 at most)."""
    centre = h3.latlng_to_cell(40.0, 116.33, 10)
    cells = sorted(h3.grid_disk(centre, 32))[:3_000]
    rows = wudaokou.grid.iloc[np.arange(len(cells)) % len(wudaokou.grid)].copy()
    rows.index = cells
    rows = rows.set_geometry(cells_to_polygons(cells))
    assert rows["unknown"].str.len().mean() > 100  # the real texts, repeated in most tips
    small = deck_to_offline_html(grid_deck(rows.iloc[:10], result=wudaokou, display=(rows.iloc[:10], "")))
    large = deck_to_offline_html(grid_deck(rows, result=wudaokou, display=(rows, "")))
    per_cell = (len(large.encode()) - len(small.encode())) / (len(rows) - 10)
    assert per_cell < 300, per_cell


def test_every_tooltip_comes_back_whole_from_the_compact_page(wudaokou):
    deck = grid_deck(wudaokou.grid, wudaokou.layers, wudaokou)
    cells = next(layer for layer in deck.layers if layer.id == "cells")
    labels, unknown = _hazard_labels(wudaokou), _unknown_words(wudaokou)  # and why travel is unknown
    expected = _cell_tips(wudaokou.grid, _units(wudaokou), _language(wudaokou), labels, unknown)
    assert [expand_tip(row["tip"], list(deck.tip_parts), row["hex"]) for row in cells.data] == expected
    assert deck.tip_parts and any(map_compact.PART in row["tip"] for row in cells.data)


def test_hostile_text_in_a_repeated_piece_stays_escaped_everywhere():
    hostile = '<img src=x onerror=alert(1)>"</script>'
    tip = f"<b>{escape_text(hostile)}</b><br/>{escape_text(hostile)} and more words; \ue0003\ue001"
    layer = pdk.Layer("ScatterplotLayer", data=[{"tip": tip} for _ in range(5)], id="hazard_sources")
    parts = compact_tips([layer])
    assert any(escape_text(hostile) in part for part in parts)  # written once, escaped
    # private-use characters from data are no markers: dropped before the tips are compacted
    clean = tip.replace("\ue000", "").replace("\ue001", "")
    assert {expand_tip(row["tip"], parts) for row in layer.data} == {clean}
    page = deck_to_offline_html(pdk.Deck(layers=[layer])) + script_json(parts)
    assert hostile not in page and "<img" not in page and "</script>" not in script_json(parts)


def _tiled(frame, n: int = 3):
    """``frame`` tiled n x n side by side, tile after tile (the row order of a synthetic metropolis,
    whose first rows in a box are one corner of it)."""
    minx, miny, maxx, maxy = frame.total_bounds
    geometries = frame.geometry.to_numpy()
    tiles = []
    for i in range(n):
        for j in range(n):
            shift = np.array([i * (maxx - minx), j * (maxy - miny)])
            tiles.append(frame.set_geometry(shapely.transform(geometries, lambda c, shift=shift: c + shift)))
    return pd.concat(tiles, ignore_index=True)


def test_streets_are_drawn_by_whole_classes_over_the_whole_extent(wudaokou, monkeypatch):
    """Wudaokou's streets tiled 3 x 3: the major classes everywhere, not the first streets (a corner)."""
    streets = _tiled(wudaokou.layers.streets)
    layers = dataclasses.replace(wudaokou.layers, streets=streets)
    bounds = tuple(float(v) for v in streets.total_bounds)
    ranks = street_rank(streets["highway"])
    vertices = np.bincount(ranks, weights=shapely.get_num_coordinates(streets.geometry.to_numpy()))
    monkeypatch.setattr(map_context, "MAX_STREET_VERTICES", int(vertices[:2].sum()))  # motorway, primary
    drawn_layers, notes = context_layers(layers, bounds)
    (drawn,) = [layer for layer in drawn_layers if layer.id == "streets"]
    kept = streets.geometry.to_numpy()[ranks <= 1]
    assert 0 < len(kept) < len(streets) and [row["path"] for row in drawn.data] == coordinate_lists(kept)
    assert notes == [
        f"{len(streets):,} streets are too many for a smooth map: only motorway, primary streets shown "
        "(all streets in risk.gpkg, layer streets)"
    ]
    coords = np.concatenate([np.asarray(row["path"]) for row in drawn.data])
    span = coords.max(axis=0) - coords.min(axis=0)
    assert (span >= 0.7 * (np.asarray(bounds[2:]) - np.asarray(bounds[:2]))).all(), span


def test_buildings_are_drawn_whole_or_left_out_with_a_note(wudaokou, monkeypatch):
    bounds = tuple(float(v) for v in wudaokou.grid.total_bounds)
    count = len(wudaokou.layers.buildings)
    monkeypatch.setattr(map_context, "MAX_BUILDINGS", count)
    layers, notes = context_layers(wudaokou.layers, bounds)
    assert "buildings" in [layer.id for layer in layers] and not any("buildings" in n for n in notes)
    monkeypatch.setattr(map_context, "MAX_BUILDINGS", count - 1)
    layers, notes = context_layers(wudaokou.layers, bounds)
    assert "buildings" not in [layer.id for layer in layers]
    assert (
        f"{count:,} buildings are too many for a smooth map: not drawn (in risk.gpkg, layer buildings)"
        in notes
    )


def _outline(layer_id: str, geometry) -> pdk.Layer:
    ring = shapely.get_coordinates(geometry.exterior).tolist()
    return pdk.Layer("PolygonLayer", data=[{"polygon": [ring], "tip": layer_id}], id=layer_id, filled=False)


def test_outlines_are_simplified_then_the_least_important_left_out(monkeypatch):
    cells = h3.grid_disk(h3.latlng_to_cell(40.0, 116.33, 10), 3)
    community = shapely.union_all(cells_to_polygons(list(cells)))  # an H3 union: a zigzag edge
    district = shapely.box(116.3, 39.99, 116.3600004, 40.01)
    zigzag = len(community.exterior.coords)
    assert zigzag > 40

    def fit(budget):
        monkeypatch.setattr(map_compact, "MAX_OUTLINE_VERTICES", budget)
        layers = [_outline("units:community", community), _outline("units:district", district)]
        return fit_outlines(layers, {"units:community": "communities"})

    layers, notes = fit(10_000)  # all fit: only rounded to 1e-5 degree
    assert notes == [] and layers[1].data[0]["polygon"][0][0] == [116.36, 39.99]
    assert len(layers[0].data[0]["polygon"][0]) == zigzag
    layers, notes = fit(zigzag)  # simplified (the district's 5 vertices and the community's fit)
    assert [layer.id for layer in layers] == ["units:community", "units:district"]
    assert sum(len(layer.data[0]["polygon"][0]) for layer in layers) <= zigzag
    assert len(notes) == 1 and notes[0].startswith("outlines simplified to about")
    layers, notes = fit(5)  # only the district fits
    assert [layer.id for layer in layers] == ["units:district"]
    assert notes == [
        "1 community outlines are too many for a smooth map: not drawn (in risk.gpkg, layer communities)"
    ]


def test_the_map_says_what_it_leaves_out(wudaokou, monkeypatch, tmp_path):
    from urbanrisk.outputs.map import write_map

    monkeypatch.setattr(map_context, "MAX_BUILDINGS", 10)
    page = write_map(wudaokou, tmp_path / "map.html").read_text(encoding="utf-8")
    panel = page.split('<div id="ur-panel">')[1].split("</div>\n<script>")[0]
    assert "buildings are too many for a smooth map: not drawn (in risk.gpkg, layer buildings)" in panel
    parts = json.loads(re.search(r"const urTipParts = (\[.*?\]);\n", page).group(1))
    assert parts and "getTooltip: urTooltip" in page


def test_many_resources_are_small_dots_without_letters(wudaokou, monkeypatch):
    """2,048 lettered markers of 9 px hid every grade of the 32 x 32 metropolis' map."""
    from urbanrisk.outputs import deck as deck_module
    from urbanrisk.outputs import planner_layers

    def drawn():
        deck = grid_deck(wudaokou.grid, None, wudaokou)
        return {layer.id: layer for layer in deck.layers}, deck.notes

    count = len(wudaokou.coverage.resources)
    layers, notes = drawn()
    assert "resources:letters" in layers and layers["resources"].radius_min_pixels == 9
    for module in (deck_module, planner_layers):
        monkeypatch.setattr(module, "MAX_LETTERED_RESOURCES", count - 1)
    layers, notes = drawn()
    assert "resources:letters" not in layers and layers["resources"].radius_min_pixels == 3
    assert f"{count:,} resources are too many for lettered markers" in " ".join(notes)


def test_every_note_of_the_map_is_chinese_under_zh(wudaokou, monkeypatch):
    """The notes a zh map shows in its legend: no English left but OSM tags and GeoPackage layer names."""
    from urbanrisk.outputs.display import display_note
    from urbanrisk.outputs.i18n import data_text

    bounds = tuple(float(v) for v in wudaokou.grid.total_bounds)
    monkeypatch.setattr(map_context, "MAX_BUILDINGS", 10)
    monkeypatch.setattr(map_context, "MAX_STREET_VERTICES", 10)
    _, notes = context_layers(wudaokou.layers, bounds)
    monkeypatch.setattr(map_compact, "MAX_OUTLINE_VERTICES", 5)
    community = shapely.union_all(
        cells_to_polygons(list(h3.grid_disk(h3.latlng_to_cell(40.0, 116.33, 10), 3)))
    )
    for layer_id in ("units:community", "gaps:fire", "key_districts", "urban_villages", "units:street"):
        notes += fit_outlines([_outline(layer_id, community)], {layer_id: "layer_x"})[1]
    notes += fit_outlines([_outline("units:district", community)])[1]
    notes.append(display_note(464_628, 19_374, 10, 8))
    from urbanrisk.outputs import deck as deck_module

    monkeypatch.setattr(deck_module, "MAX_LETTERED_RESOURCES", 0)
    notes += [n for n in grid_deck(wudaokou.grid, None, wudaokou).notes if "resources" in n]
    assert len(notes) == 10, notes
    allowed = {
        "motorway",
        "primary",
        "trunk",
        "risk",
        "gpkg",
        "grid",
        "streets",
        "buildings",
        "resources",
        "units",
        "layer_x",
    }
    for note in notes:
        words = set(re.findall(r"[A-Za-z_]{2,}", data_text(note, "zh"))) - allowed
        assert not words - {"H3"}, (note, words)


def test_a_large_grids_parent_cells_count_their_children_of_unknown_residents():
    """By hand: two r9 parents of seven r10 children each; the first has 2 children of unknown
    residents (known on the map, residents "≥ N (2 cells …)"), the second 5 (unknown, grey); the
    parents' residents are the sums of their children, as without the flags."""
    import geopandas as gpd

    from urbanrisk.outputs.deck import NO_DATA_COLOUR, population_fill
    from urbanrisk.outputs.display import display_grid
    from urbanrisk.outputs.map_tips import _rows

    parents = ["89318110003ffff", h3.grid_ring("89318110003ffff", 3)[0]]
    cells = [c for p in parents for c in sorted(h3.cell_to_children(p, 10))]
    known = [i not in (0, 1) for i in range(7)] + [i not in (0, 1, 2, 3, 4) for i in range(7)]
    grid = gpd.GeoDataFrame(
        {
            "grade": "IV",
            "risk": np.linspace(1, 2, 14),
            "hazard_exposure": 1.0,
            "vulnerability": 1.0,
            "lack_of_coping": 1.0,
            "factors": "",
            "unknown": "",
            "residents": 10.0,
            "buildings": 1,
            "crowd_places": 0,
            "vulnerable_sites": 0,
            "footprint_m2": 100.0,
            "cell_area_m2": 15_000.0,
            "coverage_ratio": 100.0 / 15_000.0,
            "known_residents": known,
        },
        index=pd.Index(cells, name="h3_cell"),
        geometry=cells_to_polygons(cells),
        crs=4326,
    )
    shown, note = display_grid(grid, max_cells=5)
    assert note and list(shown.index) == sorted(parents)
    first, second = shown.loc[parents[0]], shown.loc[parents[1]]
    assert (first["residents"], first["cells_residents_unknown"], first["display_children"]) == (70.0, 2, 7)
    assert (second["cells_residents_unknown"], bool(first["known_residents"])) == (5, True)
    assert not second["known_residents"]  # most of its children unknown: grey on the residents view
    fill = dict(zip(shown.index, population_fill(shown, 180), strict=True))
    assert fill[parents[1]][:3] == list(NO_DATA_COLOUR) and fill[parents[0]][:3] != list(NO_DATA_COLOUR)
    tips = dict(zip(shown.index, _cell_tips(shown, None, "en"), strict=True))
    assert "residents ≥ 70 (2 cells with residents unknown)" in tips[parents[0]]
    assert "residents ≥ 70 (5 cells with residents unknown)" in tips[parents[1]]
    assert _rows(grid.iloc[:1])[0]["known_residents"] is False
    assert "residents unknown · buildings" in _cell_tips(grid.iloc[:1], None, "en")[0]
    assert "常住人口 未知" in _cell_tips(grid.iloc[:1], None, "zh")[0]


def test_street_and_community_outlines_differ_in_colour_and_width_with_a_legend_entry_each():
    """街道 and 社区 outlines were two greys of 2.5 and 1.5 px and looked alike on the map (screenshot):
    each level now differs from the next in colour (dark / white over the grades' fills) and width,
    and each has its own toggle whose swatch shows that line."""
    from types import SimpleNamespace

    import geopandas as gpd

    from urbanrisk.outputs.planner_layers import toggle_labels, unit_layers

    street = shapely.box(116.30, 39.99, 116.32, 40.01)
    communities = [shapely.box(116.30, 39.99, 116.31, 40.01), shapely.box(116.31, 39.99, 116.32, 40.01)]

    def table(ids, geometries):
        return gpd.GeoDataFrame({"id": ids, "name": ids}, geometry=geometries, crs=4326)

    registers = {"street": table(["S1"], [street]), "community": table(["C1", "C2"], communities)}
    result = SimpleNamespace(screens=SimpleNamespace(registers=registers, communities=registers["community"]))
    layers = {layer.id: layer for layer in unit_layers(result)}
    assert set(layers) == {"units:street", "units:community"}
    dark, light = (layers[f"units:{level}"].get_line_color[:3] for level in ("street", "community"))
    assert sum(light) - sum(dark) >= 3 * 150  # not two greys: dark against white
    widths = {level: layers[f"units:{level}"].line_width_min_pixels for level in ("street", "community")}
    assert widths["street"] >= 2 * widths["community"]
    labels = dict(toggle_labels(list(layers)))
    for level, colour in (("street", dark), ("community", light)):
        assert f"solid rgb{tuple(colour)}" in labels[f"units:{level}"]
    # a white line shown in its dark casing in the legend, as drawn (was on grey: faint over yellow cells)
    assert "box-shadow:0 0 0 1px rgb(30, 30, 30)" in labels["units:community"]
