"""Hostile input, third round (session 8): what ``validate`` missed that the run refused (one id naming
two units), a study area away from every extract, and absurd numbers in tables and registries.

Each case ends in exit 2 naming the file or key and the fix, in ``validate`` as in the run; never a
traceback, never a run to the end on numbers nobody meant.
"""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import BUPT_OSM, ROOT
from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)

TABLES = ROOT / "layers" / "tables"
WEST, SOUTH, EAST, NORTH = 116.3489, 39.9567, 116.3552, 39.9638  # the BUPT extract


def _units(path, rows) -> None:
    """A GeoJSON of unit squares side by side: rows of (id, name)."""
    step = (EAST - WEST) / len(rows)
    features = []
    for i, (ident, name) in enumerate(rows):
        x0, x1 = WEST + i * step, WEST + (i + 1) * step
        ring = [[x0, SOUTH], [x1, SOUTH], [x1, NORTH], [x0, NORTH], [x0, SOUTH]]
        features.append(
            {
                "type": "Feature",
                "properties": {"id": ident, "name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _recipe(folder, layers: dict, **extra):
    body = {
        "name": "u",
        "area": {"layer": "osm"},
        "grid": {"resolution": 9},
        "layers": {"osm": {"type": "osm", "path": str(BUPT_OSM)}, **layers},
        "outputs": {"dir": str(folder / "out")},
        **extra,
    }
    path = folder / "u.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _geopackage(path, rows) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    step = (EAST - WEST) / len(rows)
    shapes = [box(WEST + i * step, SOUTH, WEST + (i + 1) * step, NORTH) for i in range(len(rows))]
    frame = gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "名称": [r[1] for r in rows]}, geometry=shapes, crs=4326
    )
    frame.to_file(path, layer="units")


def test_validate_names_one_id_for_two_units_with_the_other_problems(tmp_path):
    """The run refused it (session 7); validate said ok, so an office learnt of it only at the run."""
    _units(tmp_path / "社区.geojson", [("A", "甲社区"), ("A", "乙社区"), ("B", "丙社区")])
    layers = {
        "units": {"type": "polygons", "path": "社区.geojson", "level": "社区"},
        "stations": {"type": "points", "role": "resource", "path": "missing.csv"},
    }
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "社区.geojson")
    assert "2 problem(s)" in text and "missing.csv" in text  # listed with the other problem, not instead
    assert "社区.geojson: id 'A' names several units (甲社区、乙社区) at level community" in text


def test_validate_finds_one_id_across_layers_of_a_level_and_in_a_geopackage(tmp_path):
    """Two layers of one level (two districts' files) and a GeoPackage read through sqlite3; parts of one
    unit (same id, same name) are no clash, and units of another level may reuse an id."""
    _units(tmp_path / "east.geojson", [("7", "东社区"), ("7", "东社区")])
    _geopackage(tmp_path / "west.gpkg", [("7", "西社区"), ("8", "北社区")])
    _units(tmp_path / "streets.geojson", [("7", "学院路街道")])
    layers = {
        "east": {"type": "polygons", "path": "east.geojson", "level": "社区"},
        "streets": {"type": "polygons", "path": "streets.geojson", "level": "街道"},
        "west": {
            "type": "polygons",
            "path": "west.gpkg",
            "level": "社区",
            "id_column": "code",
            "name_column": "名称",
        },
    }
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "west.gpkg")
    assert "1 problem(s)" in text and "id '7' names several units (东社区、西社区) at level community" in text
    layers["west"]["level"] = "网格"
    code, text = cli("validate", _recipe(tmp_path, layers))
    assert code == 0, text


def test_an_area_away_from_every_extract_is_refused_with_its_bounds(tmp_path, city):  # noqa: F811
    """It ran to the end: every cell 'no data', a note among many (session 7's 'arguably exit 2')."""
    west = {"bbox": [-EAST, SOUTH, -WEST, NORTH]}  # a sign lost: the western hemisphere
    recipe = _recipe(tmp_path, {}, area=west)
    for command in (["validate"], ["run", "--quiet", "--scheduler", "synchronous"]):
        code, text = cli(*command, recipe)
        refused(code, text, "bupt_2025.osm")
        assert "area: the study area [-116.3552, 39.9567, -116.3489, 39.9638] lies wholly outside" in text
        assert "'osm' (bupt_2025.osm) covers [116.3489, 39.9567, 116.3552, 39.9638]" in text
        assert "fix `area:`, or give the OSM extract that covers the area" in text
    assert not (tmp_path / "out" / "latest").exists()  # refused before any work
    far = raster_recipe(tmp_path, city[0], area={"bbox": [120.0, 30.0, 120.1, 30.1]})
    code, text = cli("validate", far)
    refused(code, text, "city.tif")
    assert "outside every raster of the recipe" in text
    edge = raster_recipe(tmp_path, city[0], area={"bbox": [116.319, 39.97, 116.33, 39.99]})  # half on it
    assert cli("validate", edge)[0] == 0


def _table_copy(folder, table: str, old: str, new: str):
    text = (TABLES / f"{table}.csv").read_text(encoding="utf-8")
    assert old in text
    path = folder / f"my_{table}.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "old", "new", "said"),
    [
        ("hazard_kinds", "fuel station,加油站,100,3", "fuel station,加油站,1e308,3", "'1e308' in row 'fuel'"),
        ("hazard_kinds", "fuel station,加油站,100,3", "fuel station,加油站,abc,3", "'abc' in row 'fuel'"),
        (
            "hazard_kinds",
            "fuel station,加油站,100,3",
            "fuel station,加油站,100,9",
            "whole number from 1 to 4",
        ),
        ("safety_distances", "fuel,school,50,", "fuel,school,-1,", "'-1' in row 'fuel'"),
        ("speeds", "motorway,60", "motorway,1e308", "above 0, at most 300 km/h"),
        ("standards", "drive,5,min,60", "drive,nan,min,60", "column 'limit': 'nan' in row 'fire'"),
        (
            "building_types",
            "residential,residential,6,1.0",
            "residential,residential,6,5",
            "residential_share",
        ),
        ("incident_kinds", "50|100|200|800,100", "50|100|1e308|800,100", "column 'rings_m'"),
    ],
)
def test_absurd_numbers_in_a_table_copy_are_refused(tmp_path, table, old, new, said):
    """A radius of 1e308 m put every cell in reach; 'abc' was a traceback; a share of 5 made 5 residents
    of each one: the recipe ran on numbers nobody meant."""
    path = _table_copy(tmp_path, table, old, new)
    (tmp_path / "h.csv").write_text("id,kind,name,lon,lat\nH1,fuel,a,116.352,39.960\n", encoding="utf-8")
    layers = {"h": {"type": "points", "path": "h.csv"}}
    code, text = cli("validate", _recipe(tmp_path, layers, tables={table: str(path)}))
    refused(code, text, path.name)
    assert f"tables.{table}: {path.name}, column" in text and said in text and "fix it" in text


def test_absurd_numbers_stop_the_run_and_the_overrides_too(tmp_path):
    path = _table_copy(tmp_path, "hazard_kinds", "fuel station,加油站,100,3", "fuel station,加油站,-5,3")
    code, text = cli(
        "run",
        "--quiet",
        "--scheduler",
        "synchronous",
        _recipe(tmp_path, {}, tables={"hazard_kinds": str(path)}),
    )
    refused(code, text, path.name)
    assert "'-5' in row 'fuel' is not a number from 0 to 50,000 metres" in text
    coverage = {"overrides": {"fire": {"limit": 1e308}, "medical": {"turnout_s": 86400}}}
    code, text = cli("validate", _recipe(tmp_path, {}, coverage=coverage))
    refused(code, text, "coverage.overrides.fire.limit")
    assert "limit 1e+308 min is past 1,440 min" in text and "coverage.overrides.medical.turnout_s" in text


def test_validate_reads_unit_ids_from_a_gbk_shapefile_without_cpg(tmp_path):
    """The .dbf read as plain dBASE, its text in the encoding the header check finds (no GDAL)."""
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {"BM": ["110108", "110108", "110109"], "MC": ["学院路街道", "花园路街道", "海淀街道"]},
        geometry=[box(WEST, SOUTH, EAST, NORTH)] * 3,
        crs=4326,
    )
    frame.to_file(tmp_path / "街道.shp", encoding="gbk")
    (tmp_path / "街道.cpg").unlink(missing_ok=True)
    layers = {"streets": {"type": "polygons", "path": "街道.shp", "id_column": "BM", "name_column": "MC"}}
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "街道.shp")
    assert "id '110108' names several units (学院路街道、花园路街道)" in text


def test_an_area_away_from_an_extract_without_bounds_is_refused_by_the_run(tmp_path):
    """validate cannot tell without reading the data; the run tells it from where the data are."""
    text = BUPT_OSM.read_text(encoding="utf-8")
    osm = tmp_path / "nobounds.osm"
    osm.write_text("\n".join(line for line in text.splitlines() if "<bounds" not in line), encoding="utf-8")
    recipe = _recipe(tmp_path, {}, area={"bbox": [-EAST, SOUTH, -WEST, NORTH]})
    recipe.write_text(recipe.read_text(encoding="utf-8").replace(str(BUPT_OSM), str(osm)), encoding="utf-8")
    assert cli("validate", recipe)[0] == 0
    code, text = cli("run", "--quiet", "--scheduler", "synchronous", recipe)
    refused(code, text, "area:")
    assert "'osm' (its data: the header declares no bounds) covers [116.34" in text


# --- round 3: files nobody tuned to ---------------------------------------------------------------


def test_a_3d_area_runs_and_a_registry_of_shapes_is_said(tmp_path):
    """A boundary with altitudes (RFC 7946 allows them; KML and CAD exports have them) was refused by
    validate as 'not pairs of numbers', then crashed the grid's clipping (exit 1) once let through."""
    from urbanrisk.layers.points import points_from_file

    ring = [
        [WEST, SOUTH, 50.0],
        [EAST, SOUTH, 50.0],
        [EAST, NORTH, 51.0],
        [WEST, NORTH, 50.0],
        [WEST, SOUTH, 50.0],
    ]
    area = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    (tmp_path / "area.geojson").write_text(json.dumps(area), encoding="utf-8")
    recipe = _recipe(tmp_path, {}, area={"path": "area.geojson"})
    assert cli("validate", recipe)[0] == 0
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    shapes = [
        {"type": "Point", "coordinates": [116.352, 39.96, 12.0]},
        {"type": "Polygon", "coordinates": [[p[:2] for p in ring]]},
        {"type": "LineString", "coordinates": [[WEST, SOUTH], [EAST, SOUTH]]},
    ]
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"F{i}", "kind": "fire_station", "name": "站"},
            "geometry": g,
        }
        for i, g in enumerate(shapes)
    ]
    (tmp_path / "st.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    stations = points_from_file(tmp_path / "st.geojson", layer="st", role="resource")
    assert stations.attrs["notes"] == [
        "st: feature(s) 2, 3 of st.geojson are polygons or lines, each placed at a point inside it"
    ]
    assert not stations.geometry.has_z.any()


@pytest.mark.parametrize(
    "deep", ["title: " + "[" * 5000 + "]" * 5000, "tables: " + "{a: " * 3000 + "1" + "}" * 3000]
)
def test_a_recipe_nested_too_deeply_for_the_parser(tmp_path, deep):
    """[[[[... or {a: {a: ... within the size limit: a RecursionError traceback (exit 1)."""
    recipe = tmp_path / "deep.yaml"
    recipe.write_text(f"name: d\n{deep}\n", encoding="utf-8")
    for command in ("validate", "run"):
        refused(*cli(command, recipe), "deep.yaml")
        assert "nests too deeply to read" in cli(command, recipe)[1]


def test_a_geopackage_of_several_layers_names_them_and_reads_the_one_named(tmp_path):
    """Read silently as its first layer (roads as the stations), with only a pyogrio warning."""
    from urbanrisk.layers.polygons import polygons_from_file

    _geopackage(tmp_path / "c.gpkg", [("7", "西社区"), ("8", "北社区")])  # layer 'units'
    import geopandas as gpd
    from shapely.geometry import LineString

    gpd.GeoDataFrame({"id": ["R"]}, geometry=[LineString([(WEST, SOUTH), (EAST, NORTH)])], crs=4326).to_file(
        tmp_path / "c.gpkg", layer="roads"
    )
    layers = {"u": {"type": "polygons", "path": "c.gpkg", "id_column": "code", "name_column": "名称"}}
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "c.gpkg")
    assert "holds 2 layers (roads, units): say which with `file_layer:` in the recipe" in text
    layers["u"]["file_layer"] = "unit"
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "c.gpkg")
    assert "has no layer 'unit' (its layers: ['roads', 'units']): fix `file_layer:`" in text
    layers["u"]["file_layer"] = "units"
    assert cli("validate", _recipe(tmp_path, layers))[0] == 0
    units = polygons_from_file(tmp_path / "c.gpkg", id_column="code", name_column="名称", file_layer="units")
    assert units["name"].tolist() == ["西社区", "北社区"]


def test_rows_piled_at_one_place_are_refused_or_said(tmp_path):
    """200,000 shelters at one point (a geocoder's fallback) ran for 25 s into a 25 MB map."""
    import numpy as np

    from urbanrisk.layers.pileup import one_place_problem

    rows = "".join(f"S{i},shelter,s{i},116.352,39.960,10\n" for i in range(1_001))
    (tmp_path / "same.csv").write_text("id,kind,name,lon,lat,capacity\n" + rows, encoding="utf-8")
    layers = {"sh": {"type": "points", "role": "resource", "path": "same.csv"}}
    for command in (["validate"], ["run", "--quiet", "--scheduler", "synchronous"]):
        code, text = cli(*command, _recipe(tmp_path, layers))
        refused(code, text, "same.csv")
        assert "1,001 of 1,001 rows lie at one place (116.35200, 39.96000): a geocoder's fallback" in text
    lon, lat = np.r_[np.full(10, 116.352), np.linspace(116.35, 116.355, 10)], np.full(20, 39.96)
    said = "r.csv: 10 of 20 rows lie at one place (116.35200, 39.96000): a geocoder's fallback?"
    assert one_place_problem(lon, lat, "r.csv") == said + " check their locations"
    assert one_place_problem(lon[5:], lat[5:], "r.csv") is None  # 5 of 15: a site with several rows


def test_a_raster_of_nodata_only_is_refused(tmp_path):
    """Read as 0 residents everywhere: every cell 'IV low' on no data at all."""
    import numpy as np
    from rasterio.transform import from_origin

    from test_hostile import write_tif

    tif = write_tif(
        tmp_path / "empty.tif",
        np.full((20, 20), -9999, "float32"),
        from_origin(WEST, NORTH, 5e-4, 5e-4),
        nodata=-9999,
    )
    recipe = raster_recipe(tmp_path, tif)
    code, text = cli("validate", recipe)
    refused(code, text, "empty.tif")
    assert "every pixel of band 1 is nodata (-9999): no population could be read" in text


def test_a_raster_only_recipe_in_chinese_warns_in_chinese():
    """Accra's WorldPop raster (no OSM layer) with report: {language: zh}: the CLI, map and report said
    '警告：no OSM layer: building density, ...' in English."""
    import re

    from urbanrisk.outputs.i18n import data_text

    english = (
        "no OSM layer: building density, urban-village form, crowding, vulnerable sites and travel to "
        "resources are unknown everywhere"
    )
    said = data_text(english, "zh")
    assert said.startswith("无 OSM 图层") and not re.search(r"[a-z]{3,}", said.replace("OSM", ""))


def test_markup_in_every_name_field_reaches_the_pages_as_text(tmp_path):
    """Title, a layer's key, unit, registry and kind names, a standard's source: each shown, none run."""
    import csv
    import re

    x = "<img src=x onerror=alert(9)>"
    for table, edit in (
        (
            "hazard_kinds",
            lambda row: [*row[:1], f"fuel {x}", f"加油站{x}", *row[3:]] if row[0] == "fuel" else row,
        ),
        (
            "resource_kinds",
            lambda row: [*row[:1], f"{row[1]} {x}", f"{row[2]}{x}"] if row[0] == "fire_station" else row,
        ),
        ("standards", lambda row: [*row[:7], f"{x} {row[7]}"] if row[:2] == ["cn", "fire"] else row),
    ):
        lines = (TABLES / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        rows = [edit(r) for r in csv.reader(line for line in lines if not line.startswith("#"))]
        with open(tmp_path / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    (tmp_path / "h.csv").write_text(
        f'id,kind,name,lon,lat\n"H{x}",fuel,"{x}",116.352,39.960\n', encoding="utf-8"
    )
    (tmp_path / "s.csv").write_text(
        f'id,kind,name,lon,lat\nF1,fire_station,"{x}",116.351,39.959\n', encoding="utf-8"
    )
    _units(tmp_path / "u.geojson", [(f"U{x}", f"社区{x}")])
    layers = {
        f"h{x}": {"type": "points", "path": "h.csv"},
        "s": {"type": "points", "role": "resource", "path": "s.csv"},
        "u": {"type": "polygons", "path": "u.geojson", "level": "社区"},
        "population": {
            "type": "population_from_buildings",
            "source": "osm",
            "floor_area_per_person_m2": 38.6,
        },
    }
    tables = {t: str(tmp_path / f"{t}.csv") for t in ("hazard_kinds", "resource_kinds", "standards")}
    recipe = _recipe(tmp_path, layers, title=f"T{x}", tables=tables, report={"language": "zh"})
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    assert (
        cli("incident", "--at", "116.352,39.960", "--kind", "gas_leak", "--out", tmp_path / "inc", recipe)[0]
        == 0
    )
    for page in (tmp_path / "out" / "latest" / "map.html", tmp_path / "out" / "latest" / "report.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text and len(re.findall("&lt;img src=x|u0026lt;img src=x", text)) >= 2, page.name
    incident = (tmp_path / "inc" / "incident.html").read_text(encoding="utf-8")
    assert "<img" not in incident and "&lt;img src=x" in incident


def test_an_area_away_from_the_extract_is_listed_with_the_other_problems(tmp_path):
    """validate said it only once every other problem was mended: one more round for the planner."""
    layers = {"st": {"type": "points", "role": "resource", "path": "missing.csv"}}
    code, text = cli("validate", _recipe(tmp_path, layers, area={"bbox": [-EAST, SOUTH, -WEST, NORTH]}))
    refused(code, text, "missing.csv")
    assert "2 problem(s)" in text and "lies wholly outside every OSM extract" in text
