"""Residents from an office's census table (population_table): the reading (GBK CSV, .xlsx, 万), the
join by name or id, the dasymetric spreading by hand (conserved per unit, unknown never 0), validate
(light, with the join checked) and a run on the Wudaokou extract."""

from __future__ import annotations

import json

import geopandas as gpd
import h3
import numpy as np
import openpyxl
import pytest
import shapely
import yaml

import urbanrisk as ur
from conftest import ACCRA_TIF, WUDAOKOU_OSM, validate_in_fresh_process, write_recipe
from urbanrisk._errors import LayerError, RecipeError
from urbanrisk.cli import main
from urbanrisk.grid import cells_to_polygons
from urbanrisk.inputs import load_layers, study_area
from urbanrisk.layers.census import read_census
from urbanrisk.lifecycle import run_key
from urbanrisk.partitions import build_grid
from urbanrisk.population_table import spread_counts, table_units
from urbanrisk.recipe.schema import PolygonsLayer, PopulationTableLayer

#: six r9 cells in Wudaokou: units 学院路街道 = cells 0-1, 清华园街道 = 2-3, 燕园街道 = 4-5
CENTRE = h3.latlng_to_cell(40.0, 116.32, 9)
CELLS = sorted(h3.grid_disk(CENTRE, 1))[:6]
FLOOR = [300.0, 100.0, 0.0, 0.0, 50.0, 50.0]  # residential floor area (m²) per cell, by hand
UNITS = [("110108012", "学院路街道"), ("110108013", "清华园街道"), ("110108014", "燕园街道")]


def _units_file(tmp_path, groups=((0, 1), (2, 3), (4, 5))):
    polygons = cells_to_polygons(CELLS)
    features = [
        {
            "type": "Feature",
            "properties": {"街道代码": code, "街道名称": name},
            "geometry": shapely.geometry.mapping(shapely.union_all(polygons[list(group)])),
        }
        for (code, name), group in zip(UNITS, groups, strict=True)
    ]
    path = tmp_path / "街道.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _gbk_csv(tmp_path, rows, header="街道名称,常住人口"):
    path = tmp_path / "人口.csv"
    text = "海淀区各街道常住人口（第七次全国人口普查）\n" + header + "\n" + "\n".join(rows) + "\n"
    path.write_bytes(text.encode("gbk"))
    return path


def _xlsx(tmp_path, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["街道代码", header])
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / "人口.xlsx"
    book.save(path)
    return path


def _specs(table, units_path, **options):
    spec = PopulationTableLayer(
        type="population_table",
        path=str(table),
        units="units",
        key_column=options.pop("key_column", "街道名称"),
        count_column=options.pop("count_column", "常住人口"),
        **options,
    )
    units = PolygonsLayer(type="polygons", path=str(units_path), id_column="街道代码", name_column="街道名称")
    return spec, units


def _grid():
    polygons = cells_to_polygons(CELLS)
    return gpd.GeoDataFrame({"residential_floor_m2": FLOOR}, geometry=polygons, index=CELLS, crs=4326)


def test_gbk_csv_by_name_spread_by_hand(tmp_path):
    table = _gbk_csv(tmp_path, ["学院路 街道,3.2万", "清华园街道,１２０００", "燕园街道,不详", "合计,44000"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    units, notes = table_units("population", spec, units_spec)
    assert units.set_index("name")["count"].iloc[:2].tolist() == [32_000.0, 12_000.0]
    assert np.isnan(units.set_index("name").loc["燕园街道", "count"])
    assert any("燕园街道" in n and "unknown" in n for n in notes)
    assert any("合计" not in n and "total rows" in n for n in notes)
    grid = _grid()
    area = shapely.union_all(grid.geometry.to_numpy())
    residents, known, per_unit = spread_counts(grid, units, area)
    # 学院路: 32,000 by floor area 300 : 100; 清华园: no floor area, by area; 燕园: unknown, not 0
    assert residents.iloc[0] == pytest.approx(24_000) and residents.iloc[1] == pytest.approx(8_000)
    areas = shapely.area(grid.geometry.to_numpy()[2:4])
    assert residents.iloc[2:4].to_numpy() == pytest.approx(12_000 * areas / areas.sum())
    assert known.tolist() == [True, True, True, True, False, False]
    assert per_unit["placed"].iloc[:2].to_numpy() == pytest.approx([32_000, 12_000], rel=1e-12)
    assert per_unit["spread_by"].tolist()[:2] == ["floor area", "area"]
    assert residents.sum() == pytest.approx(44_000, rel=1e-12)


def test_unit_split_between_cells_and_half_outside_area(tmp_path):
    """A unit cut by the study area counts its share inside; a cell shared by two units takes from both."""
    table = _gbk_csv(tmp_path, ["学院路街道,1000", "清华园街道,2000", "燕园街道,3000"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    units, _ = table_units("population", spec, units_spec)
    grid = _grid()
    west, south, east, north = shapely.total_bounds(grid.geometry.to_numpy())
    area = shapely.box(west, south, (west + east) / 2, north)  # the western half
    residents, _, per_unit = spread_counts(grid, units, area)
    expected = per_unit["count"] * per_unit["inside_share"]
    assert per_unit["placed"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9)
    assert residents.sum() == pytest.approx(expected.sum(), rel=1e-9)
    cut = (per_unit["inside_share"] > 0.01) & (per_unit["inside_share"] < 0.99)
    assert cut.any() and (per_unit.loc[cut, "placed"] < per_unit.loc[cut, "count"]).all()
    whole = per_unit["inside_share"] > 0.999
    assert per_unit.loc[whole, "placed"].to_numpy() == pytest.approx(per_unit.loc[whole, "count"].to_numpy())


def test_xlsx_by_id_with_wan(tmp_path):
    units_path = _units_file(tmp_path)
    rows = [("110108012", "3.2万"), ("１１０１０８０１３", "1.2万"), ("110108014", "")]
    spec, units_spec = _specs(
        _xlsx(tmp_path, "常住人口(万人)", rows),
        units_path,
        join="id",
        key_column="街道代码",
        count_column="常住人口(万人)",
    )
    units, notes = table_units("population", spec, units_spec)
    assert units["count"].iloc[:2].tolist() == [32_000.0, 12_000.0] and np.isnan(units["count"].iloc[2])
    assert any("110108014 (sheet 'Sheet' row 4: '')" in note for note in notes), notes
    plain = _xlsx(tmp_path, "常住人口(万人)", [("110108012", 3.2)])
    with pytest.raises(LayerError, match=r"in 万 .* '3.2' is a plain number.*3\.2万"):
        read_census(plain, key_column="街道代码", count_column="常住人口(万人)", layer="population")


def test_rows_naming_no_unit_are_listed(tmp_path):
    table = _gbk_csv(tmp_path, ["学院路街道,1000", "五道口街道,2000", "中关村街道,3000"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    with pytest.raises(
        LayerError, match="rows naming no unit of layer 'units' by name \\(2\\): 五道口街道、中关村街道"
    ):
        table_units("population", spec, units_spec)
    short = _gbk_csv(tmp_path, ["学院路,1000"])
    spec, units_spec = _specs(short, _units_file(tmp_path))
    with pytest.raises(LayerError, match=r"学院路 \(学院路街道\?\)"):
        table_units("population", spec, units_spec)
    twice = _gbk_csv(tmp_path, ["学院路街道,1000", "学院路街道 ,2000"])
    with pytest.raises(LayerError, match="two rows"):
        read_census(twice, key_column="街道名称", count_column="常住人口", layer="p")


def _wudaokou_recipe(tmp_path, table, **population):
    """Three 街道 boxes over Wudaokou and one east of it, as a 区 office would give them."""
    boxes = {
        ("110108012", "学院路街道"): (116.3084, 39.9905, 116.3164, 40.0123),
        ("110108013", "清华园街道"): (116.3164, 39.9905, 116.3244, 40.0123),
        ("110108014", "燕园街道"): (116.3244, 39.9905, 116.3320, 40.0123),
        ("110108099", "东升镇"): (116.34, 39.99, 116.35, 40.01),
    }
    features = [
        {
            "type": "Feature",
            "properties": {"街道代码": c, "街道名称": n},
            "geometry": shapely.geometry.mapping(shapely.box(*b)),
        }
        for (c, n), b in boxes.items()
    ]
    units = tmp_path / "街道.geojson"
    units.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return write_recipe(
        tmp_path,
        {
            "name": "census",
            "area": {"bbox": [116.3084, 39.9905, 116.3320, 40.0123]},
            "grid": {"resolution": 9},
            "layers": {
                "osm": {"type": "osm", "path": str(WUDAOKOU_OSM)},
                "units": {
                    "type": "polygons",
                    "path": str(units),
                    "id_column": "街道代码",
                    "name_column": "街道名称",
                    "level": "街道",
                },
                "population": {
                    "type": "population_table",
                    "path": str(table),
                    "units": "units",
                    "key_column": "街道名称",
                    "count_column": "常住人口",
                    **population,
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
        },
    )


def test_wudaokou_run_conserves_the_table(tmp_path):
    table = _gbk_csv(
        tmp_path, ["学院路街道,5.1万", "清华园街道,43000", "燕园街道,", "东升镇,20000", "合计,114000"]
    )
    result = ur.run_recipe(
        ur.load_recipe(_wudaokou_recipe(tmp_path, table)), write=False, scheduler="synchronous"
    )
    grid = result.grid
    assert grid["residents"].sum() == pytest.approx(51_000 + 43_000, rel=1e-9)  # 东升镇 lies outside
    assert any("东升镇" in n and "outside the study area" in n for n in result.layers.notes)
    assert any("东升镇" in n and "outside the study area" in n for n in result.notes)  # the run's too
    centres = np.array([h3.cell_to_latlng(c)[::-1] for c in grid.index])
    yanyuan = shapely.box(116.3244, 39.9905, 116.3320, 40.0123)  # its count is empty: unknown, never 0
    touched = shapely.area(shapely.intersection(grid.geometry.to_numpy(), yanyuan)) > 0
    assert touched.sum() > 5 and not grid.loc[touched, "known_residents"].any()
    west = centres[:, 0] < 116.3155
    assert grid.loc[west, "known_residents"].all()
    assert grid.loc[west, "residents"].sum() > 0
    assert "census table" in grid["population_source"].iloc[0]
    # the Dask path (threads) gives the same residents: the spreading runs on the assembled grid
    recipe = ur.load_recipe(tmp_path / "recipe.yaml")
    layers = load_layers(recipe)
    threads = build_grid(recipe, layers, study_area(recipe, layers), scheduler="threads")
    assert threads["residents"].to_numpy() == pytest.approx(grid["residents"].to_numpy(), rel=1e-12)
    assert (threads["table_residents_known"] == grid["known_residents"]).all()


def test_validate_checks_the_join_and_stays_light(tmp_path, capsys):
    table = _gbk_csv(tmp_path, ["学院路街道,5.1万", "五道口街道,43000"])
    recipe = _wudaokou_recipe(tmp_path, table)
    done = validate_in_fresh_process(recipe)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "HEAVY []" in done.stdout
    said = done.stdout + done.stderr
    assert "population" in said and "五道口街道" in said and "key_column" in said
    bad = _wudaokou_recipe(tmp_path, table, count_column="人口数")
    assert main(["validate", str(bad)]) == 2
    said = capsys.readouterr().err
    assert "layers.population.count_column" in said and "'人口数'" in said and "常住人口" in said
    wan = _gbk_csv(tmp_path, ["学院路街道,5.1"], header="街道名称,常住人口(万人)")
    assert main(["validate", str(_wudaokou_recipe(tmp_path, wan, count_column="常住人口(万人)"))]) == 2
    said = capsys.readouterr().err
    assert "layers.population.count_column" in said and "'5.1' is a plain number" in said


def test_raster_then_area_when_a_unit_has_no_floor_area(tmp_path):
    table = _gbk_csv(tmp_path, ["学院路街道,1000", "清华园街道,3000", "燕园街道,600"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    units, _ = table_units("population", spec, units_spec)
    grid = _grid().assign(residents=[0.0, 0.0, 10.0, 30.0, 0.0, 0.0])  # the raster's people per cell
    grid["residential_floor_m2"] = [300.0, 100.0, 0.0, 0.0, 0.0, 0.0]
    area = shapely.union_all(grid.geometry.to_numpy())
    residents, known, per_unit = spread_counts(grid, units, area, raster=True)
    assert residents.to_numpy()[:4] == pytest.approx([750, 250, 750, 2250])
    areas = shapely.area(grid.geometry.to_numpy()[4:])
    assert residents.to_numpy()[4:] == pytest.approx(600 * areas / areas.sum())
    assert per_unit["spread_by"].tolist() == ["floor area", "raster", "area"] and known.all()


def test_recipe_allows_a_raster_beside_the_table_not_a_second_population(tmp_path):
    table = _gbk_csv(tmp_path, ["学院路街道,1000"])
    recipe = _wudaokou_recipe(tmp_path, table)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["raster"] = {"type": "raster", "path": str(ACCRA_TIF)}
    assert ur.load_recipe(write_recipe(tmp_path, body)).layers["population"].join == "name"
    body["layers"]["pop2"] = {"type": "population_from_buildings", "source": "osm"}
    with pytest.raises(RecipeError, match="two population layers"):
        ur.load_recipe(write_recipe(tmp_path, body))
    del body["layers"]["pop2"], body["layers"]["raster"]
    body["layers"]["population"]["units"] = "osm"
    with pytest.raises(
        RecipeError, match="units 'osm' is not a polygons layer of this recipe: use one of: units"
    ):
        ur.load_recipe(write_recipe(tmp_path, body))


def test_own_polygon_file_relative_to_the_recipe(tmp_path, capsys):
    table = _gbk_csv(tmp_path, ["学院路街道,5.1万", "清华园街道,43000", "燕园街道,2万", "东升镇,20000"])
    body = yaml.safe_load(_wudaokou_recipe(tmp_path, table).read_text(encoding="utf-8"))
    del body["layers"]["units"]
    own = {"path": "街道.geojson", "id_column": "街道代码", "name_column": "街道名称"}
    body["layers"]["population"]["units"] = own
    recipe = ur.load_recipe(write_recipe(tmp_path, body))
    spec = recipe.layers["population"]
    assert spec.units.path == str(tmp_path / "街道.geojson")
    units, _ = table_units("population", spec, spec.units)
    assert units.set_index("name")["count"].to_dict()["燕园街道"] == 20_000
    assert main(["validate", str(tmp_path / "recipe.yaml")]) == 0
    before = run_key(recipe)  # a rescan reruns when the units' polygons change
    units_file = tmp_path / "街道.geojson"
    units_file.write_text(
        units_file.read_text(encoding="utf-8").replace("116.3164", "116.3165"), encoding="utf-8"
    )
    assert run_key(recipe) != before
    body["layers"]["population"]["units"] = {**own, "id_column": "代码"}
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    said = capsys.readouterr().err
    assert "layers.population.units.id_column" in said and "'代码'" in said


def test_the_chinese_report_names_the_census_table():
    from types import SimpleNamespace

    from urbanrisk.outputs.report import _population_zh

    source = "census table: 人口.csv (94,000 residents in 2 units of layer 'units'), spread by floor area"
    assert _population_zh(SimpleNamespace(population_source=source)).startswith("人口统计表")


def test_own_units_file_is_an_input_of_the_manifest(tmp_path):
    from urbanrisk.outputs.manifest import input_hashes

    table = _gbk_csv(tmp_path, ["学院路街道,5.1万", "清华园街道,43000"])
    body = yaml.safe_load(_wudaokou_recipe(tmp_path, table).read_text(encoding="utf-8"))
    del body["layers"]["units"], body["layers"]["osm"]
    body["layers"]["population"]["units"] = {
        "path": "街道.geojson",
        "id_column": "街道代码",
        "name_column": "街道名称",
    }
    recipe = ur.load_recipe(write_recipe(tmp_path, body))
    before = input_hashes(load_layers(recipe).files)
    assert set(before) == {"population", "population.units"}
    assert before["population.units"]["path"] == str(tmp_path / "街道.geojson")
    units_file = tmp_path / "街道.geojson"
    units_file.write_text(
        units_file.read_text(encoding="utf-8").replace("116.3164", "116.3165"), encoding="utf-8"
    )
    after = input_hashes(load_layers(recipe).files)
    assert after["population.units"]["sha256"] != before["population.units"]["sha256"]
    assert after["population"] == before["population"]


def test_cells_outside_the_osm_data_of_a_unit_spread_by_floor_are_unknown(tmp_path):
    """By hand: 学院路 (cells 0-1) is spread by floor area but cell 1 lies outside the OSM data (no
    housing mapped there, floor 0): it held 0 residents flagged known; now unknown, the count stays on
    cell 0. 清华园 (cells 2-3) has no floor area anywhere: spread by area, measured or not."""
    table = _gbk_csv(tmp_path, ["学院路街道,1000", "清华园街道,2000", "燕园街道,3000"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    units, _ = table_units("population", spec, units_spec)
    grid = _grid().assign(residential_floor_m2=[300.0, 0.0, 0.0, 0.0, 50.0, 50.0])
    area = shapely.union_all(grid.geometry.to_numpy())
    measured = np.array([True, False, False, True, True, True])
    residents, known, per_unit = spread_counts(grid, units, area, floor_measured=measured)
    assert known.tolist() == [True, False, True, True, True, True]
    assert residents.iloc[:2].tolist() == pytest.approx([1000.0, 0.0])
    assert residents.sum() == pytest.approx(6000.0, rel=1e-12)  # conserved, unit by unit
    assert per_unit["spread_by"].tolist() == ["floor area", "area", "floor area"]
    _, everywhere, _ = spread_counts(grid, units, area)  # no OSM layer: nothing to say where it ends
    assert everywhere.all()


def test_bupt_area_past_the_extract_leaves_the_residents_outside_unknown(tmp_path):
    """An office's study area crossing the BUPT extract's western edge (116.34886), one 社区 over it all
    with a census count: the cells west of the extract held 0 residents, known, and were graded IV
    (blue: "low risk") on no data; now their residents are unknown and they are not graded."""
    from conftest import BUPT_OSM

    units = tmp_path / "社区.geojson"
    feature = {"type": "Feature", "properties": {"id": "c1", "name": "北邮社区"}}
    feature["geometry"] = shapely.geometry.mapping(shapely.box(116.340, 39.950, 116.360, 39.970))
    units.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    table = tmp_path / "人口.csv"
    table.write_bytes("社区,常住人口\n北邮社区,8000\n".encode("gbk"))
    recipe = write_recipe(
        tmp_path,
        {
            "name": "bupt-edge",
            "area": {"bbox": [116.3470, 39.9580, 116.3530, 39.9620]},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "units": {"type": "polygons", "path": str(units), "level": "社区"},
                "population": {
                    "type": "population_table",
                    "path": str(table),
                    "units": "units",
                    "key_column": "社区",
                    "count_column": "常住人口",
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
        },
    )
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    grid = result.grid
    inside = shapely.area(shapely.box(116.3470, 39.9580, 116.3530, 39.9620))
    assert grid["residents"].sum() == pytest.approx(
        8000 * inside / shapely.area(shapely.box(116.34, 39.95, 116.36, 39.97))
    )
    west = np.array([shapely.bounds(g)[2] < 116.34886 for g in grid.geometry])  # wholly past the edge
    assert west.sum() >= 3
    assert not grid.loc[west, "known_residents"].any()
    assert (grid.loc[west, "grade"] == "no data").all()
    assert grid.loc[~west, "known_residents"].any()


def test_codes_excel_wrote_in_scientific_notation_are_named_not_summed(tmp_path, capsys):
    """A CSV saved by Excel writes 12-digit 社区代码 as 1.10108E+11: three communities became one code
    and validate said the unit "has two rows: add the rows' counts up" (their residents merged into
    one unit, wrongly). Now the code is named as scientific notation, with the fix, in Chinese too."""
    table = tmp_path / "人口.csv"
    text = "社区代码,社区,常住人口\n1.10108E+11,北邮社区,8234\n1.10108E+11,蓟门里社区,6010\n"
    table.write_bytes(text.encode("gbk"))
    with pytest.raises(LayerError, match=r"'1\.10108E\+11' in row 2 is a code Excel wrote in scientific"):
        read_census(table, key_column="社区代码", count_column="常住人口", layer="population")
    recipe = _wudaokou_recipe(tmp_path, table, join="id", key_column="社区代码")
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["report"] = {"language": "zh"}
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(recipe)]) == 2
    said = "".join(capsys.readouterr())
    assert "第 2 行的 '1.10108E+11' 是 Excel 以科学计数法写出的代码，末尾数字已丢失" in said
    assert "把这些行的人数相加" not in said


def test_registers_and_report_say_where_a_units_cells_differ_from_its_census(tmp_path, capsys):
    """A register assigns whole cells to the unit holding their centre, the census spread each count
    over the parts of cells inside the unit: where the two differ a lot, the register (a column per
    unit) and the report say so, not show both silently. 东升镇 lies outside the area: no cell goes to
    it, its census 20,000; 学院路 and 清华园 differ by less than a quarter: no note."""
    table = _gbk_csv(tmp_path, ["学院路街道,5.1万", "清华园街道,43000", "燕园街道,", "东升镇,20000"])
    recipe = _wudaokou_recipe(tmp_path, table)
    assert main(["run", str(recipe), "--scheduler", "synchronous"]) == 0
    capsys.readouterr()
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    street = result.screens.registers["street"].set_index("name")
    census = {"学院路街道": 51_000.0, "清华园街道": 43_000.0, "东升镇": 20_000.0}
    assert street["census_residents"].dropna().to_dict() == census
    assert np.isnan(street.loc["燕园街道", "census_residents"])  # its count is empty: unknown
    assert street.loc["燕园街道", "residents_note"] == "its census count is unknown (not given in the table)"
    for name, count in census.items():  # the rule, computed again: > 50 people and > 25% of the larger
        gap = abs(street.loc[name, "residents"] - count)
        far = gap > 50 and gap > 0.25 * max(street.loc[name, "residents"], count)
        assert bool(street.loc[name, "residents_note"]) == far, name
    assert street.loc["东升镇", "residents_note"] == (
        "no cell goes to it (outside the study area, or smaller than a cell); its census 20,000"
    )
    assert street.loc["东升镇", "residents_note_zh"].startswith("没有网格单元归入该单元")
    report = next((tmp_path / "out").rglob("report.html")).read_text(encoding="utf-8")
    assert "residents against the census" in report and "its census 20,000" in report
    assert "its census count is unknown" in report  # 燕园街道 named, not left blank
