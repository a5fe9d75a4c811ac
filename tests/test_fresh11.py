"""fresh11's findings on an office's own files around Wudaokou (not the shipped recipes): each test
failed before its fix."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from test_deliverables import UTM50, _graded_grid, _units
from urbanrisk.cell_units import cell_units
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.report_sections import registers_section
from urbanrisk.screens.registers import level_registers


@pytest.fixture(scope="module")
def plain_registers():
    """The registers of test_deliverables' hand grid and units, every cell's residents known (once)."""
    return level_registers(_graded_grid(), _units(), hazard_sources=None, coverage=None, utm_crs=UTM50)


def test_a_register_units_residents_are_a_bound_where_its_cells_residents_are_unknown(plain_registers):
    """A census table whose 社区 count is 不详 leaves its cells' residents unknown: the unit registers
    said the residents of those cells' known shares as if complete (489, not "≥ 489 (134 cells …)").
    By hand: the north-west community's cells unknown with nobody counted (NaN, not 0), one cell of
    the south-west one unknown beside counted residents (a bound); parents add the cells up; the
    report words both."""
    grid = _graded_grid()
    units = _units()
    community = cell_units(grid.index, units[units["level"] == "community"]).to_numpy()
    known = community != "C-WN"
    grid["residents"] = grid["residents"].where(known, 0.0)
    counted = plain_registers["community"].set_index("id").loc["C-WS", "residents"]  # every cell known
    known[np.flatnonzero(community == "C-WS")[0]] = False  # its residents kept: a part of the count
    grid["known_residents"] = known
    registers = level_registers(grid, units, hazard_sources=None, coverage=None, utm_crs=UTM50)
    table = registers["community"].set_index("id")
    assert np.isnan(table.loc["C-WN", "residents"])
    assert table.loc["C-WN", "cells_residents_unknown"] == (community == "C-WN").sum()
    assert table.loc["C-WS", "residents"] == counted and table.loc["C-WS", "cells_residents_unknown"] == 1
    assert table.loc["C-EN", "cells_residents_unknown"] == 0
    for level in registers.values():  # every level counts each unknown cell once
        assert level["cells_residents_unknown"].sum() == (~known).sum()
    result = SimpleNamespace(screens=SimpleNamespace(registers=registers, hazard_sources=None))
    totals = {lv: {"units": len(t), "residents": t["residents"].sum()} for lv, t in registers.items()}
    html = registers_section(result, SimpleNamespace(registers=totals), translator("en"), "en")
    cells = int((community == "C-WN").sum())
    assert f"unknown ({cells} cells with residents unknown)" in html
    assert f"≥ {counted:,.0f} (1 cell with residents unknown)" in html


ANCHORED = """\
x-registry: &registry {{type: points, role: hazard, lon: lon, lat: lat}}
name: anchored
area: {{layer: osm}}
grid: {{resolution: 9}}
outputs: {{dir: out}}
layers:
  osm: {{type: osm, path: {osm}}}
  hazards:
    <<: *registry
    path: {hazards}
    severity: {{column: severity, order: 4_is_most_severe}}
{extra}"""


def test_top_level_x_keys_hold_anchors_and_other_unknown_keys_are_still_refused():
    """``x-registry: &registry {...}`` merged with ``<<: *registry`` (the Compose convention) was
    refused as an unknown key; now read as the layer it merges into, and an unknown top-level key
    is still refused with its line and the x- fix (in Chinese too)."""
    import pytest

    from conftest import WUDAOKOU_HAZARDS, WUDAOKOU_OSM
    from urbanrisk import RecipeError
    from urbanrisk.outputs.i18n_checks import check_text
    from urbanrisk.recipe import recipe_from_text

    text = ANCHORED.format(osm=WUDAOKOU_OSM, hazards=WUDAOKOU_HAZARDS, extra="")
    recipe = recipe_from_text(text, base_dir=WUDAOKOU_OSM.parent, source="r.yaml")
    hazards = recipe.layers["hazards"]
    assert (hazards.type, hazards.role, hazards.lon, hazards.path) == (
        "points",
        "hazard",
        "lon",
        str(WUDAOKOU_HAZARDS),
    )
    wrong = ANCHORED.format(osm=WUDAOKOU_OSM, hazards=WUDAOKOU_HAZARDS, extra="common: &c {a: 1}\n")
    with pytest.raises(RecipeError) as refused:
        recipe_from_text(wrong, base_dir=WUDAOKOU_OSM.parent, source="r.yaml")
    (line,) = refused.value.problems
    assert line.startswith("r.yaml:12: common: unknown key 'common': valid keys: name, ")
    assert line.endswith("(a key that only holds YAML anchors starts with x-: x-common: &common ...)")
    assert check_text(line, "zh").endswith("（只存放 YAML 锚点的键以 x- 开头：x-common: &common ...）")


#: the Wudaokou extract's two hospitals and police station (WGS84): a registry's resources
RESOURCES = [
    ("医院", 116.31184435, 40.001529),
    ("医院", 116.30800825, 39.9954598),
    ("派出所", 116.32113033, 40.00035315),
]


def test_validate_tells_gcj02_in_geojson_geopackage_and_shapefile_registries(tmp_path):
    """``urbanrisk validate`` warned of a CSV / Excel registry in GCJ-02 but said nothing of a GeoJSON,
    GeoPackage or Shapefile one (an office's Amap-picked points, 540 m off): now each is named, read
    lightly (no geopandas, shapely or dask); the same points in WGS84 or a projected CRS are not."""
    import geopandas as gpd
    import yaml

    from conftest import default_recipe, validate_in_fresh_process
    from urbanrisk.layers.coords import wgs84_to_gcj02

    kinds = [k for k, _, _ in RESOURCES]
    lon, lat = np.array([r[1] for r in RESOURCES]), np.array([r[2] for r in RESOURCES])
    glon, glat = wgs84_to_gcj02(lon, lat)
    amap = gpd.GeoDataFrame({"类型": kinds}, geometry=gpd.points_from_xy(glon, glat), crs=4326)
    honest = gpd.GeoDataFrame({"类型": kinds}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    amap.to_file(tmp_path / "amap.geojson", driver="GeoJSON")
    amap.to_file(tmp_path / "amap.gpkg", driver="GPKG")
    amap.to_file(tmp_path / "amap.shp", encoding="gbk")
    (tmp_path / "amap.cpg").unlink(missing_ok=True)  # a GBK DBF as offices send it: detected
    honest.to_file(tmp_path / "wgs.gpkg", driver="GPKG")
    amap.to_crs(4549).to_file(tmp_path / "metres.gpkg", driver="GPKG")  # projected: not a map datum
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    for name in ("amap.geojson", "amap.gpkg", "amap.shp", "wgs.gpkg", "metres.gpkg"):
        layer = name.replace(".", "_")
        body["layers"][layer] = {"type": "points", "role": "resource", "path": name, "kind_column": "类型"}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    checked = validate_in_fresh_process(recipe)  # read lightly: no geopandas, shapely or dask
    assert checked.returncode == 0 and "HEAVY []" in checked.stdout, checked.stderr
    warned = [line for line in checked.stdout.splitlines() if "look like" in line]
    assert [w.split(":")[1].strip() for w in warned] == ["amap_geojson", "amap_gpkg", "amap_shp"]
    for layer, line in zip(("amap_geojson", "amap_gpkg", "amap_shp"), warned, strict=True):
        assert line.startswith(f"  WARNING: {layer}: these coordinates look like GCJ-02 (median offset ")
        assert "to 3 matching OSM features" in line and f"set coords: gcj02 on layer '{layer}'" in line


def test_a_circle_reaching_past_the_study_area_counts_its_part_beyond_as_unknown():
    """A chemical store on the extract's southern edge (北大化学学院实验楼, 500 m) read "1 resident within
    500 m", exact, graded III and α 0.5: half its circle lay beyond the study area, where nobody was
    counted. By hand on a disk of r10 cells, every cell's residents known: a circle inside the grid
    is exact (share 0); one centred on the grid's edge has about half its area beyond (share near
    0.5), one wholly beyond is unknown (share 1)."""
    import h3

    from test_deliverables import CENTRE
    from urbanrisk.grid import grid_frame
    from urbanrisk.outputs.i18n_exposure import lower_bound
    from urbanrisk.screens.hazard_sources import residents_in_circles
    from urbanrisk.screens.unknown_exposure import exposure_and_shares

    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 8))).assign(residents=10.0)
    utm = grid.to_crs(UTM50).geometry.centroid
    middle = utm[CENTRE]
    edge = utm[sorted(h3.grid_ring(CENTRE, 8))[0]]
    far = np.array([middle.x + 5000.0, middle.y])
    centres = np.array([[middle.x, middle.y], [edge.x, edge.y], far])
    known = np.ones(len(grid), dtype=bool)
    exposed, share = exposure_and_shares(
        grid, known, centres, np.array([300.0, 300.0, 300.0]), UTM50, exposed_of=residents_in_circles
    )
    assert share[0] == 0.0 and exposed[0] > 0
    assert 0.35 < share[1] < 0.65 and exposed[1] > 0
    assert share[2] == 1.0 and exposed[2] == 0.0
    t = translator("en")
    assert lower_bound(exposed[1], share[1], t).startswith("≥ ")
    assert lower_bound(exposed[2], share[2], t) == "unknown (no population data in reach)"
    _, flagless = exposure_and_shares(  # no flags given: the part beyond is unknown all the same
        grid, None, centres, np.array([300.0, 300.0, 300.0]), UTM50, exposed_of=residents_in_circles
    )
    assert np.allclose(flagless, share)


def test_the_areas_boundary_file_is_an_input_of_the_run(tmp_path):
    """``area: {path: boundary.geojson}`` was hashed into the run key but missing from the manifest's
    ``inputs`` and the report's inputs table: which boundary a run used could not be told from it."""
    import json

    import yaml
    from shapely.geometry import box, mapping

    from conftest import BUPT_OSM, default_recipe
    from urbanrisk.inputs import load_layers
    from urbanrisk.outputs.manifest import input_hashes
    from urbanrisk.outputs.report import _inputs
    from urbanrisk.recipe import load_recipe

    boundary = tmp_path / "边界.geojson"
    shape = {"type": "Feature", "properties": {}, "geometry": mapping(box(116.350, 39.958, 116.354, 39.962))}
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [shape]}), encoding="utf-8")
    recipe = default_recipe(tmp_path, osm=BUPT_OSM)  # the small extract: its layers load in ~1 s
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["area"] = {"path": boundary.name}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    loaded = load_recipe(recipe)
    layers = load_layers(loaded)
    assert layers.files["area.path"] == str(boundary)
    assert input_hashes(layers.files)["area.path"]["bytes"] == boundary.stat().st_size
    html = _inputs(SimpleNamespace(layers=layers, recipe=loaded), translator("en"))
    assert "<td>area</td><td>polygons</td><td>边界.geojson</td>" in html  # the study area, not its key


def test_an_escalation_from_residents_counted_anew_says_so(tmp_path):
    """A rescan after the census table's 不详 became a count raised cells III → II and alerted as if
    the ground had changed; the explanation now says the residents were unknown in the last run (in
    Chinese too). A cell whose residents were known both times keeps its explanation as it was."""
    import h3

    from test_deliverables import CENTRE
    from urbanrisk.changes import compare_runs
    from urbanrisk.grid import grid_frame
    from urbanrisk.outputs.i18n_alerts import alert_explanation

    cells = sorted(h3.grid_disk(CENTRE, 1))[:2]
    factors = "101 residents (9,367/km²)"
    for name, known in (("old", [False, True]), ("new", [True, True])):
        grid = grid_frame(cells).assign(
            grade=["III", "IV"] if name == "old" else ["II", "II"],
            residents=100.8,
            factors=factors,
            top_hazard="",
            known_residents=known,
        )
        (tmp_path / name).mkdir()
        grid.rename_axis("h3_cell").to_parquet(tmp_path / name / "grid.parquet")
    changes = compare_runs(tmp_path / "old", tmp_path / "new", alert_grade="II")
    said = {a["id"]: a["explanation"] for a in changes.alerts}
    assert said[cells[0]] == f"residents unknown in the last run, counted now; {factors}"
    assert said[cells[1]] == factors
    assert alert_explanation(said[cells[0]], "zh").startswith("上次运行时常住人口未知、本次已统计")


def test_an_unused_resource_is_named_and_one_past_the_extract_says_so():
    """An office's station inside a campus read "resources-2 (522 m from a street)" (its name in the
    registry unsaid) and a shelter past the OSM extract "resources-7 (799 m from a street)", as if a
    street were missing there: both named, the second said to lie outside the OSM data (zh too)."""
    from urbanrisk.outputs.i18n_pages import zh_unsnapped_tail

    status = (
        "ok: x; 2 resources too far from a street, not used: resources-2 清华园消防站 (522 m from a street), "
        "resources-7 五道口公园 (799 m from a street, outside the OSM data)"
    )
    assert zh_unsnapped_tail(status)[1] == (
        "；另有 2 处资源距道路过远、未计入：resources-2 清华园消防站（距道路 522 米）, "
        "resources-7 五道口公园（距道路 799 米，在 OSM 数据范围外）"
    )


def test_a_small_gb18218_r_is_not_shown_as_0():
    """北大化学学院实验楼 (0.05 t of hydrogen) has R = 0.0075; the report's table read "0.0"."""
    import pandas as pd

    from urbanrisk.outputs.report_parts import table_html

    frame = pd.DataFrame({"gb18218_R": [0.0075, 1.62, 0.0]})
    html = table_html(frame, {"gb18218_R": "R"}, t=translator("en"), numeric={"gb18218_R"})
    assert [c.split("<")[0] for c in html.split('<td class="n">')[1:]] == ["0.0075", "1.6", "0.0"]


def test_a_census_count_far_from_the_mapped_housing_is_named():
    """A 社区 typed as 8 residents (for 12,850?) was spread over its housing without a word. By hand: 19
    cells of 1,000 m² of residential floor each in one unit; 10 residents (1,900 m² each) are named,
    500 (38 m² each, China's average) are not; the note reads in Chinese."""
    import geopandas as gpd
    import h3
    import shapely

    from test_deliverables import CENTRE
    from urbanrisk.grid import grid_frame
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.population_table import spread_counts, spread_notes

    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 2))).assign(residential_floor_m2=1000.0)
    area = shapely.unary_union(grid.geometry.to_numpy()).buffer(0.01)
    for count, said in ((10.0, True), (500.0, False)):
        units = gpd.GeoDataFrame(
            {"id": ["C1"], "name": ["蓝旗营社区"], "count": [count]}, geometry=[area], crs=4326
        )
        residents, _, per_unit = spread_counts(grid, units, area)
        assert residents.sum() == pytest.approx(count)
        notes = [n for n in spread_notes(per_unit) if "far from the mapped housing" in n]
        assert bool(notes) == said
    (note,) = [n for n in spread_notes(spread_counts(grid, units.assign(count=10.0), area)[2]) if "far" in n]
    assert note.endswith("蓝旗营社区 (10 residents for 19,000 m² of residential floor: 1,900 m² each)")
    assert data_text(note, "zh").endswith(
        "蓝旗营社区（10 人，居住建筑面积 19,000 平方米：人均 1,900 平方米）"
    )


def test_an_incidents_rings_say_where_residents_are_unknown(tmp_path):
    """``urbanrisk incident`` at the chemical store of a 社区 whose census count is 不详 printed
    "500 m: 607" and "evacuate 100 m: 0 residents": the cells there have residents unknown. By hand:
    one known cell of 5 residents inside both discs, one unknown cell inside the outer one only, the
    outer disc 80 % inside the study area; the lines and the sheet say ≥ and unknown."""
    import pandas as pd

    from urbanrisk.cli_lines import incident_lines
    from urbanrisk.evacuation import ring_table
    from urbanrisk.outputs.incident import sheet_html

    shares = np.array([[1.0, 1.0], [0.0, 1.0]])
    rings = ring_table(
        np.array([5.0, 0.0]), np.array([5.0, 0.0]), shares, [50.0, 100.0], known=np.array([False, True])
    )
    assert rings["residents_unknown_share"].round(2).tolist() == [1.0, 0.5]
    rings = ring_table(np.array([5.0, 0.0]), np.array([5.0, 0.0]), shares, [50.0, 100.0], studied=[1.0, 0.8])
    assert rings["residents_unknown_share"].round(2).tolist() == [0.0, 0.2]  # beyond the area: unknown
    rings = ring_table(
        np.array([0.0, 5.0]), np.array([0.0, 5.0]), shares, [50.0, 100.0], known=np.array([False, True])
    )
    empty = pd.DataFrame(columns=["kind", "rank", "name", "id", "eta_s", "mode"])
    answer = SimpleNamespace(
        language="en", rings=rings, kind_label="", lon=116.3, lat=40.0, run_dir=tmp_path, radius_m=50.0,
        evacuees=0.0, unplaced=0.0, sites=[], units=[], resources=empty, notes=[], timings={"answer_s": 0.1},
        out_dir=tmp_path,
    )  # fmt: skip
    lines = incident_lines(answer, "gas_leak")
    assert lines[1] == (
        "  residents within: 50 m: unknown (no population data in reach), "
        "100 m: ≥ 5 (50% of the reach unknown)"
    )
    assert lines[2].startswith("  evacuate 50 m: unknown (no population data in reach) residents")
    zh = incident_lines(SimpleNamespace(**{**vars(answer), "language": "zh"}), "gas_leak")
    assert "100 米: ≥ 5（影响范围 50% 人口未知）" in zh[1]
    assert zh[2].startswith("  疏散 50 米：常住人口 未知（影响范围内无人口数据），其中 0 人无避难位置")
    sheet = sheet_html(SimpleNamespace(**{**vars(answer), "given": {}, "kind": "gas_leak", "kind_source": "x",
                                          "recipe": "r", "shelters": empty}))  # fmt: skip
    assert '<td class="n">≥ 5 (50% of the reach unknown)</td>' in sheet
    assert "unknown (no population data in reach) residents to evacuate within 50 m" in sheet


def test_validate_sizes_the_job_of_an_area_geojson(tmp_path):
    """``area: {path: boundary.geojson}`` gave no cell estimate and no job-size check before loading:
    validate said "ok" at resolution 15 over 7 km² (8.5 million cells) and only the run refused it."""
    import json

    import yaml
    from shapely.geometry import box, mapping

    from conftest import BUPT_OSM, default_recipe
    from urbanrisk._errors import GridError
    from urbanrisk.preflight import estimate_cells
    from urbanrisk.recipe import load_recipe

    boundary = tmp_path / "boundary.geojson"
    shape = {"type": "Feature", "properties": {}, "geometry": mapping(box(116.350, 39.958, 116.354, 39.962))}
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [shape]}), encoding="utf-8")
    recipe = default_recipe(tmp_path, osm=BUPT_OSM)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["area"] = {"path": boundary.name}
    body["grid"] = {"resolution": 10}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    cells = estimate_cells(load_recipe(recipe))
    assert cells is not None and 10 < cells < 60  # 0.15 km² of ~0.015 km² cells, edges counted
    city = {**shape, "geometry": mapping(box(116.2, 39.8, 116.5, 40.1))}  # ~1,000 km² at r13: 20 M cells
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [city]}), encoding="utf-8")
    body["grid"] = {"resolution": 13}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GridError, match="use resolution"):
        estimate_cells(load_recipe(recipe))


def test_validate_does_not_speak_of_a_last_run(tmp_path, capsys):
    """``urbanrisk validate`` of a job too large ended "(the last complete run is untouched)": validate
    touches no run (nor do history, diff...), and a recipe's first run has none to speak of."""
    import yaml

    from conftest import BUPT_OSM, default_recipe
    from urbanrisk.cli import main

    recipe = default_recipe(tmp_path, osm=BUPT_OSM)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["area"], body["grid"] = {"bbox": [116.2, 39.8, 116.5, 40.1]}, {"resolution": 13}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    for command in ("validate", "run"):
        capsys.readouterr()
        assert main([command, str(recipe)]) == 2
        stderr = capsys.readouterr().err
        assert "use resolution" in stderr and "untouched" not in stderr
