"""Missing is not zero for a hazard source's exposure: where cells in its reach have residents unknown,
the count is a lower bound ("≥ N" with the share unknown) and a grade it could change is "no data"
(screens/unknown_exposure.py), in the tables, the report, the map and the responsibility list."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import urbanrisk as ur
from conftest import ACCRA_TIF, write_recipe
from urbanrisk.grid import grid_frame
from urbanrisk.layers.tables import hazard_kind_table
from urbanrisk.result import NO_DATA
from urbanrisk.screens.hazard_sources import hazard_sources_screen, safety_distance_table
from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)
LAT, LON = h3.cell_to_latlng(CENTRE)
RADIUS = 170.0  # from CENTRE: the 7 centres of rings 0-1 (<= 118 m) and no ring-2 centre (>= 184 m)
POLYGON = 0.5 * 64 * RADIUS**2 * math.sin(2 * math.pi / 64)  # the 64-gon GEOS buffers a circle with


def _grid(residents: dict[str, float]) -> gpd.GeoDataFrame:
    """The 3-ring disk of res-10 cells around CENTRE (37 cells), residents as given, else 0."""
    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 3)))
    grid["residents"] = pd.Series(residents, dtype=float).reindex(grid.index).fillna(0.0)
    return grid


def _known_but(grid: gpd.GeoDataFrame, *unknown: str) -> np.ndarray:
    return ~grid.index.isin(list(unknown))


def _industrial(grid, known, radius=RADIUS):
    kinds = hazard_kind_table().copy()
    kinds.loc["industrial", "impact_radius_m"] = radius  # a recipe's copy of the table may set any radius
    source = gpd.GeoDataFrame(
        {"id": ["W1"], "kind": ["industrial"], "name": ["works"], "severity": [2], "source": ["test"]},
        geometry=[Point(LON, LAT)],
        crs=4326,
    ).assign(osm_ref="")
    return hazard_sources_screen(
        grid,
        source,
        pois=None,
        buildings=None,
        resources=None,
        kinds=kinds,
        distances=safety_distance_table(),
        utm_crs=UTM50,
        residents_known=known,
    ).iloc[0]


def _circle():
    """The source's impact circle in UTM, as the screen draws it (a 64-gon around the source's point)."""
    return gpd.GeoSeries([Point(LON, LAT)], crs=4326).to_crs(UTM50).iloc[0].buffer(RADIUS, quad_segs=16)


def _ring(k: int) -> list[str]:
    return sorted(h3.grid_ring(CENTRE, k))


def _far(cell: str) -> float:
    """The farthest vertex of ``cell`` from CENTRE's centre, in metres (UTM)."""
    cells = grid_frame([CENTRE, cell]).to_crs(UTM50).geometry
    offsets = np.asarray(cells[cell].exterior.coords) - cells[CENTRE].centroid.coords[0]
    return float(np.hypot(*offsets.T).max())


#: The ring-1 cell lying wholly inside the circle (its farthest vertex ~158 m; others reach ~183 m).
INNER = min(sorted(h3.grid_ring(CENTRE, 1)), key=_far)


def test_the_circle_reaches_seven_centres_and_wholly_covers_one_ring_1_cell():
    from urbanrisk.grade import cell_centres_xy

    grid = _grid({})
    xy = cell_centres_xy(grid.index, UTM50)
    centre = xy[grid.index.get_loc(CENTRE)]
    reached = set(grid.index[np.hypot(*(xy - centre).T) <= RADIUS])
    assert reached == set(h3.grid_disk(CENTRE, 1))
    cells = grid.to_crs(UTM50).geometry
    assert _far(INNER) < RADIUS * math.cos(math.pi / 64) < max(map(_far, _ring(1)))  # inside the 64-gon
    near = {c: g.distance(Point(*centre)) for c, g in cells.items()}
    assert min(near[c] for c in _ring(2)) < RADIUS < min(near[c] for c in _ring(3))


def test_one_unknown_ring_1_cell_makes_the_count_a_lower_bound_and_the_grade_no_data():
    # 600 residents in the centre cell, 0 elsewhere; one ring-1 cell's residents unknown.
    # It lies wholly in the circle: the unknown share is 1 cell's worth over the cells' worth in reach
    # (each cell by the part of it inside, as residents are counted), ~ its area over the circle's
    # (the circle lies inside the grid), ~0.119 (by centres it would be 1/7). Industrial works:
    # severity 2; 600 residents -> consequence 2 -> 2 x 2 = 4, grade III; the most residents possible
    # (consequence 4) give 8, grade II: the grade could change, so it is "no data".
    grid = _grid({CENTRE: 600.0})
    unknown = INNER
    row = _industrial(grid, _known_but(grid, unknown))
    utm = grid.to_crs(UTM50).geometry
    circle = _circle()
    in_reach = sum(cell.intersection(circle).area / cell.area for cell in utm)  # cells' worth, as counted
    assert row["residents_unknown_share"] == pytest.approx(1.0 / in_reach, rel=1e-9)
    assert row["residents_unknown_share"] == pytest.approx(utm[unknown].area / POLYGON, rel=1e-3)
    assert 0.11 < row["residents_unknown_share"] < 0.13
    assert row["residents_exposed"] == pytest.approx(600.0)
    assert row["grade"] == NO_DATA
    assert row["factors"] == (
        "severity 2 x consequence ≥ 2 = ≥ 4: ≥ 600 residents within 170 m (12% of the area in reach has "
        "residents unknown): not graded, III or worse"
    )
    # every cell known: the same source is graded III, the count exact
    exact = _industrial(grid, np.ones(len(grid), dtype=bool))
    assert exact["residents_unknown_share"] == 0.0 and exact["grade"] == "III"
    assert exact["factors"] == "severity 2 x consequence 2 = 4: 600 residents within 170 m"


def test_a_grade_the_most_residents_cannot_change_holds_and_shows_its_bound():
    # 5,000 residents counted (the top consequence threshold): consequence 4, 2 x 4 = 8, grade II,
    # the highest an industrial works (severity 2) can reach: unknown residents cannot change it
    grid = _grid({CENTRE: 5_000.0})
    row = _industrial(grid, _known_but(grid, INNER))
    assert row["grade"] == "II" and row["residents_unknown_share"] > 0.1
    assert row["factors"].startswith("severity 2 x consequence ≥ 4 = ≥ 8: ≥ 5,000 residents within 170 m")
    assert row["factors"].endswith(": the grade holds whatever they are")
    # 4,999: consequence 3, 2 x 3 = 6, grade III, and unknown residents could make it II -> no data
    assert _industrial(_grid({CENTRE: 4_999.0}), _known_but(grid, INNER))["grade"] == NO_DATA


def test_a_cell_the_circle_only_grazes_still_makes_the_count_a_bound():
    # a ring-2 cell: its centre lies outside the circle (>= 184 m) but part of its area inside; by
    # centres nothing in reach would be unknown. A ring-3 cell lies wholly outside: the count is exact.
    grid = _grid({CENTRE: 600.0})
    ring2 = _ring(2)
    utm = grid.to_crs(UTM50).geometry
    circle = _circle()
    grazed = max(ring2, key=lambda c: utm[c].intersection(circle).area)
    worth = {c: utm[c].intersection(circle).area / utm[c].area for c in grid.index}
    row = _industrial(grid, _known_but(grid, grazed))
    assert row["residents_unknown_share"] == pytest.approx(worth[grazed] / sum(worth.values()), rel=1e-9)
    assert 0 < row["residents_unknown_share"] < 0.05 and row["grade"] == NO_DATA
    row = _industrial(grid, _known_but(grid, *_ring(3)))
    assert row["residents_unknown_share"] == 0.0 and row["grade"] == "III"
    # nobody's residents known (no population data at all): the whole reach is unknown
    row = _industrial(grid, np.zeros(len(grid), dtype=bool))
    assert row["residents_unknown_share"] == 1.0 and row["grade"] == NO_DATA
    assert ": residents within 170 m unknown (at least 600): not graded, III or worse" in row["factors"]


# --- GB 18218-2018: α from the people within 500 m ------------------------------------------------


def _gb18218(people_centre: float, substance: str, quantity: str, unknown_ring: int | None):
    """A source at CENTRE over the 6-ring disk of res-9 cells (500 m lies inside rings 0-3)."""
    centre9 = h3.cell_to_parent(CENTRE, 9)
    grid = grid_frame(sorted(h3.grid_disk(centre9, 6)))
    grid["residents"] = 0.0
    grid.loc[centre9, "residents"] = people_centre
    known = np.ones(len(grid), dtype=bool)
    if unknown_ring is not None:
        known[grid.index.get_loc(sorted(h3.grid_ring(centre9, unknown_ring))[0])] = False
    lat, lon = h3.cell_to_latlng(centre9)
    source = gpd.GeoDataFrame(
        {"id": ["s"], "substance": [substance], "quantity_t": [quantity]},
        geometry=[Point(lon, lat)],
        crs=4326,
    )
    return major_hazard_grades(source, grid, gb18218_table(), utm_crs=UTM50, residents_known=known).iloc[0]


def test_gb18218_alpha_from_a_lower_bound_keeps_a_grade_only_the_top_alpha_would_keep():
    # chlorine 3 t + ammonia 5 t (S = 3/5 + 5/10 = 1.1: a major hazard source): Σβq/Q = 4x3/5 + 2x5/10 =
    # 3.4. 60 people known (α 1.5), one ring-1 cell (mostly within 500 m) unknown: α ≥ 1.5, R ≥ 5.1; at
    # α 2 R = 6.8: 四级 either way -> the grade holds
    row = _gb18218(60.0, "chlorine; 液氨", "3;5", unknown_ring=1)
    assert 0.05 < row["gb18218_unknown_share"] < 0.2
    assert row["gb18218_residents_500m"] == pytest.approx(60.0)
    assert row["gb18218_alpha"] == 1.5 and row["gb18218_R"] == pytest.approx(1.5 * 3.4)
    assert row["gb18218_grade"] == "四级"
    assert row["gb18218_basis"].startswith("α ≥ 1.5: ≥ 60 people within 500 m (")
    # chlorine 20 t: Σ = 16; 60 people: R ≥ 24 (三级), but at α 2 R = 32 (三级): holds. 30 t: Σ = 24,
    # R ≥ 36 (三级), at α 2 R = 48 (三级): holds; 40 t: Σ = 32, R ≥ 48 (三级) but 64 (二级): no data
    assert _gb18218(60.0, "氯", "20", unknown_ring=1)["gb18218_grade"] == "三级"
    assert _gb18218(60.0, "氯", "30", unknown_ring=1)["gb18218_grade"] == "三级"
    unsure = _gb18218(60.0, "氯", "40", unknown_ring=1)
    assert unsure["gb18218_grade"] == NO_DATA and unsure["gb18218_R"] == pytest.approx(48.0)
    # 150 people known: α is already the top (2): R = 64 exact whatever the unknown cell holds
    top = _gb18218(150.0, "氯", "40", unknown_ring=1)
    assert top["gb18218_grade"] == "二级" and top["gb18218_R"] == pytest.approx(64.0)
    assert top["gb18218_basis"].startswith("α 2 × (")
    # the unknown cell beyond 500 m (ring 5, ~1.7 km away at res 9): R exact, 三级
    far = _gb18218(60.0, "氯", "40", unknown_ring=5)
    assert far["gb18218_unknown_share"] == 0.0 and far["gb18218_grade"] == "三级"
    assert far["gb18218_R"] == pytest.approx(48.0)


# --- end to end: the WorldPop raster's west edge -----------------------------------------------------


@pytest.fixture(scope="module")
def accra_edge(tmp_path_factory):
    """Accra's WorldPop raster ends at lon -0.0135, in built-up Tema/Ashaiman: an area astride that
    edge, a chemical site on it (about half its 500 m beyond the raster), a fuel station well inside
    and a gas holder beyond."""
    folder = tmp_path_factory.mktemp("accra-edge")
    rows = [
        ("C1", "chemical", "Edge <chemicals>", 4, -0.0135, 5.682, "chlorine", "5"),  # S = 5/5: major
        ("F1", "fuel", "Inner fuel", 3, -0.0300, 5.682, "", ""),
        ("G1", "gas", "Outer gas", 3, 0.0000, 5.682, "", ""),
    ]
    columns = ["id", "kind", "name", "severity", "lon", "lat", "substance", "quantity_t"]
    pd.DataFrame(rows, columns=columns).to_csv(folder / "hazards.csv", index=False)
    hazards = {"type": "points", "path": str(folder / "hazards.csv"), "lon": "lon", "lat": "lat"}
    hazards["severity"] = {"column": "severity", "order": "4_is_most_severe"}
    body = {
        "name": "accra-edge",
        "area": {"bbox": [-0.04, 5.665, 0.01, 5.70]},
        "grid": {"resolution": 9},
        "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}, "hazards": hazards},
        "outputs": {"dir": str(folder / "out")},
    }
    return ur.run_recipe(write_recipe(folder, body))


def test_a_reach_partly_beyond_the_raster_is_reported_as_a_lower_bound(accra_edge):
    grid, hz = accra_edge.grid, accra_edge.screens.hazard_sources.set_index("id")
    beyond = ~grid["known_residents"].astype(bool)
    # unknown: less than half the cell over the raster; nobody counted where nothing was measured
    share = grid["residents_known_share"]
    assert beyond.sum() > 10 and (beyond == (share < 0.5)).all() and (share[beyond] == 0).sum() > 10
    assert grid.loc[share == 0, "residents"].sum() == 0
    edge, inner, outer = hz.loc["C1"], hz.loc["F1"], hz.loc["G1"]
    # the chemical site: a third of its reach beyond the raster; ≥ 5,000 residents counted already give
    # consequence 4, severity 4 x 4 = 16: grade I, the highest, whatever lives beyond
    assert 0.2 < edge["residents_unknown_share"] < 0.6 and edge["residents_exposed"] > 5_000
    assert edge["grade"] == "I" and edge["factors"].endswith("the grade holds whatever they are")
    assert edge["gb18218_unknown_share"] == edge["residents_unknown_share"]  # the same 500 m
    assert edge["gb18218_alpha"] == 2.0 and edge["gb18218_R"] == pytest.approx(2 * 4 * 5 / 5)
    assert edge["gb18218_grade"] == "四级"  # α is the top already: R exact
    # the fuel station well inside: an exact count and an ordinary grade
    assert inner["residents_unknown_share"] == 0.0 and inner["residents_exposed"] > 100
    assert inner["grade"] == "III"  # 3 x 2 = 6
    # the gas holder beyond the raster: nothing measured; 0 would have made it IV, it is not graded
    assert outer["residents_unknown_share"] == 1.0 and outer["residents_exposed"] == 0.0
    assert outer["grade"] == NO_DATA
    run = accra_edge.run_dir
    stored = pd.read_parquet(run / "hazard_sources.parquet").set_index("id")
    assert stored.loc["C1", "residents_unknown_share"] == edge["residents_unknown_share"]
    bound = f"≥ {edge['residents_exposed']:,.0f} ({edge['residents_unknown_share']:.0%} of the reach unknown)"
    report = (run / "report.html").read_text(encoding="utf-8")
    hazard_section = report[report.index("Top hazard sources") : report.index("Major hazard sources")]
    assert f'<td class="n">{bound}</td>' in hazard_section
    assert f'<td class="n">{inner["residents_exposed"]:,.0f}</td>' in hazard_section  # exact: plain
    assert '<td class="n">unknown (no population data in reach)</td>' in hazard_section
    assert "≥ N is a lower bound" in hazard_section and "Edge &lt;chemicals&gt;" in hazard_section
    responsibility = report[report.index("Responsibility list") :]
    assert f'<td class="n">{bound}</td>' in responsibility
    major = report[report.index("Major hazard sources") : report.index("Responsibility list")]
    assert f'<td class="n">{bound}</td>' in major and '<td class="n">8.0</td>' in major  # R: α top
    page = (run / "map.html").read_text(encoding="utf-8")
    assert f"severity 4 · {bound} residents within 500 m" in page
    assert "unknown (no population data in reach) residents within 200 m" in page
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert any(
        w.startswith("2 of 3 hazard sources have residents unknown in some or all of their reach")
        and "; 1 of them is not graded (no data)" in w  # singular since session 13 (fresh13)
        for w in manifest["warnings"]
    )
    listed = pd.read_csv(run / "responsibility.csv").set_index("item_id")
    share = listed.loc["C1", "residents_unknown_share"]  # to 0.1 % in the CSV for Excel
    assert share == pytest.approx(edge["residents_unknown_share"], abs=5e-4)
    assert listed.loc["F1", "residents_unknown_share"] == 0.0


def test_the_chinese_report_shows_the_bounds_too(accra_edge):
    from urbanrisk.outputs.report import report_html

    hz = accra_edge.screens.hazard_sources.set_index("id")
    share = f"{hz.loc['C1', 'residents_unknown_share']:.0%}"
    page = report_html(accra_edge, language="zh")
    assert (
        f'<td class="n">≥ {hz.loc["C1", "residents_exposed"]:,.0f}（影响范围 {share} 人口未知）</td>' in page
    )
    assert '<td class="n">未知（影响范围内无人口数据）</td>' in page
    assert "“≥ N”为下限" in page and "无数据" in page
    assert "3 个危险源中 2 个的影响范围内部分或全部人口未知" in page  # the run's warning


def test_without_any_population_layer_exposure_is_unknown_and_says_so(tmp_path):
    """A registry of hazards and no population layer: no source's residents are known. Counting them
    as 0 graded every source IV or III ("0 residents within 200 m"); they are not graded, and the
    report says why (only a grade the severity alone fixes could stand: none on a 4 x 4 matrix
    whose consequence needs >= 5,000 residents to reach 4)."""
    rows = [("H1", "chemical", 4, 116.330, 39.990), ("H2", "fuel", 3, 116.335, 39.992)]
    pd.DataFrame(rows, columns=["id", "kind", "severity", "lon", "lat"]).to_csv(
        tmp_path / "h.csv", index=False
    )
    hazards = {"type": "points", "path": str(tmp_path / "h.csv"), "lon": "lon", "lat": "lat"}
    hazards["severity"] = {"column": "severity", "order": "4_is_most_severe"}
    body = {
        "name": "no-population",
        "area": {"bbox": [116.32, 39.985, 116.345, 39.998]},
        "grid": {"resolution": 9},
        "layers": {"hazards": hazards},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    result = ur.run_recipe(write_recipe(tmp_path, body))
    hz = result.screens.hazard_sources
    assert not result.grid["known_residents"].any()
    assert (hz["residents_unknown_share"] == 1.0).all() and (hz["grade"] == NO_DATA).all()
    assert hz["factors"].str.contains(r"m unknown \(no population data in reach\): not graded").all()
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert "No population data in any hazard source&#x27;s reach" in report
    assert report.count('<td class="n">unknown (no population data in reach)</td>') >= len(hz)
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "no population data in any hazard source's reach: the residents exposed are unknown; 2 of 2" in (
        " ".join(manifest["warnings"])
    )


def test_a_rescan_lists_a_lower_bound_as_one(accra_edge, tmp_path):
    """The changes since the last run (a rescan): the chemical site, new, alerts with its share; the
    report's changes section shows its residents as the bound."""
    import shutil

    from urbanrisk.changes import compare_runs
    from urbanrisk.outputs.i18n import translator
    from urbanrisk.outputs.report_changes import changes_section

    old = tmp_path / "old"
    shutil.copytree(accra_edge.run_dir, old)
    before = gpd.read_parquet(old / "hazard_sources.parquet")
    before = before[before["id"] != "C1"].drop(columns="residents_unknown_share")  # a run from before
    before.to_parquet(old / "hazard_sources.parquet")
    changes = compare_runs(old, accra_edge.run_dir, alert_grade="I")
    edge = accra_edge.screens.hazard_sources.set_index("id").loc["C1"]
    row = changes.table.set_index("id").loc["C1"]
    assert row["direction"] == "added" and row["residents"] == pytest.approx(edge["residents_exposed"])
    assert row["residents_unknown_share"] == edge["residents_unknown_share"]
    alert = next(a for a in changes.alerts if a["id"] == "C1")
    assert alert["residents_unknown_share"] == edge["residents_unknown_share"]
    changes.table.to_parquet(tmp_path / "changes.parquet")
    shown = changes_section(tmp_path, translator("en"), "en")
    share = f"{edge['residents_unknown_share']:.0%}"
    assert f'<td class="n">≥ {edge["residents_exposed"]:,.0f} ({share} of the reach unknown)</td>' in shown
