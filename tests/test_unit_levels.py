"""区, 街道 and 社区 in one file, told apart by a 层级 column, as an office exports its 行政区划: three
polygons layers pointed at it each read all seven units (the 社区 register listed 海淀区 as a
community; the run only noted overlapping units). Validate and the run now refuse it per layer with the
fix (a file per level, e.g. the ogr2ogr command, or a GeoPackage layer per level); both fixes pass."""

from __future__ import annotations

import geopandas as gpd
import shapely

from conftest import BUPT_OSM, validated, write_recipe

W, S, E, N, MX, MY = 116.3489, 39.9567, 116.3551, 39.9637, 116.3520, 39.9600
UNITS = [
    ("110108", "海淀区", "区", (W, S, E, N)),
    ("110108010", "北太平庄街道", "街道", (W, S, MX, N)),
    ("110108002", "北下关街道", "街道", (MX, S, E, N)),
    ("110108010001", "北邮社区", "社区", (W, MY, MX, N)),
    ("110108010002", "蓟门里社区", "社区", (W, S, MX, MY)),
    ("110108002001", "今典花园社区", "社区", (MX, MY, E, N)),
    ("110108002002", "学院南路社区", "社区", (MX, S, E, MY)),
]
LEVELS = {"区": "districts", "街道": "streets", "社区": "communities"}


def _frame(level=None):
    rows = [u for u in UNITS if level is None or u[2] == level]
    return gpd.GeoDataFrame(
        {"区划代码": [r[0] for r in rows], "名称": [r[1] for r in rows], "层级": [r[2] for r in rows]},
        geometry=[shapely.box(*r[3]) for r in rows],
        crs=4326,
    ).to_crs(4548)  # CGCS2000 Gauss-Krüger, as the office's GIS exports it


def _recipe(tmp_path, paths, language="zh", file_layers=None):
    layers = {"osm": {"type": "osm", "path": str(BUPT_OSM)}}
    for level, name in LEVELS.items():
        layers[name] = {"type": "polygons", "path": str(paths[level]), "level": level}
        layers[name] |= {"id_column": "区划代码", "name_column": "名称"}
        if file_layers:
            layers[name]["file_layer"] = level
    body = {"name": "levels", "area": {"layer": "osm"}, "grid": {"resolution": 10}, "layers": layers}
    body |= {"outputs": {"dir": str(tmp_path / "out")}, "report": {"language": language}}
    return write_recipe(tmp_path, body)


def test_three_levels_in_one_file_are_refused_per_layer_with_the_fix(tmp_path, capsys):
    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, path)), capsys)
    assert code == 2, text
    for level, name in LEVELS.items():
        assert (
            f"layers.{name}.path: 行政区划.geojson 含多个层级的单元（'层级' 列：区 1, 街道 2, 社区 4）"
            in text
        )
        assert f"ogr2ogr -where \"层级='{level}'\" {level}.geojson 行政区划.geojson" in text
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, path), "en"), capsys)
    assert code == 2 and "holds units of several levels (column '层级': 区 1, 街道 2, 社区 4)" in text
    assert "and layer 'communities' reads them all" in text


def test_a_file_per_level_or_a_geopackage_layer_per_level_passes(tmp_path, capsys):
    paths = {}
    for level in LEVELS:
        paths[level] = tmp_path / f"{level}.geojson"
        _frame(level).to_file(paths[level], driver="GeoJSON")  # the 层级 column kept: one level each
    code, text = validated(_recipe(tmp_path, paths), capsys)
    assert code == 0, text
    gpkg = tmp_path / "行政区划.gpkg"
    for level in LEVELS:
        _frame(level).to_file(gpkg, layer=level, driver="GPKG")
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, gpkg), file_layers=True), capsys)
    assert code == 0, text


def _filtered(tmp_path, path, language="zh", values=None, without_level=False):
    """The three layers on the one file, each taking its level by ``level_column`` / ``level_value``."""
    recipe = _recipe(tmp_path, dict.fromkeys(LEVELS, path), language)
    import yaml

    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    for level, name in LEVELS.items():
        body["layers"][name] |= {"level_column": "层级", "level_value": (values or {}).get(level, level)}
        if without_level:
            del body["layers"][name]["level"]
    return write_recipe(tmp_path, body)


def test_each_level_of_one_file_is_its_own_layer_and_register(tmp_path, capsys):
    import urbanrisk as ur

    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    recipe = _filtered(tmp_path, path, without_level=True)  # level: inferred from 区 / 街道 / 社区
    code, text = validated(recipe, capsys)
    assert code == 0, text
    loaded = ur.load_recipe(recipe)
    assert [loaded.layers[n].level for n in LEVELS.values()] == ["district", "street", "community"]
    result = ur.run_recipe(loaded, write=False, scheduler="synchronous")
    units = result.layers.communities
    by_level = {level: sorted(part["id"]) for level, part in units.groupby("level")}
    assert by_level == {
        "district": ["110108"],
        "street": ["110108002", "110108010"],
        "community": ["110108002001", "110108002002", "110108010001", "110108010002"],
    }
    registers = result.screens.registers
    assert sorted(registers) == ["community", "district", "street"]
    assert sorted(registers["street"]["name"]) == ["北下关街道", "北太平庄街道"]
    assert sorted(registers["community"]["name"]) == [
        "今典花园社区",
        "北邮社区",
        "学院南路社区",
        "蓟门里社区",
    ]
    assert list(registers["district"]["name"]) == ["海淀区"]
    assert not [n for n in result.notes if "overlap" in n]  # each level tiles the area once


def test_a_level_value_the_column_lacks_is_refused_by_validate_and_run_alike(tmp_path, capsys):
    import pytest

    import urbanrisk as ur
    from urbanrisk._errors import LayerError, LayerProblemsError

    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    recipe = _filtered(tmp_path, path, "en", values={"社区": "居委会"})
    code, text = validated(recipe, capsys)
    expected = (
        "column '层级' of 行政区划.geojson holds no '居委会' (it holds: 区 1, 街道 2, 社区 4): set "
        "level_value: to one of them"
    )
    assert code == 2 and f"layers.communities.level_value: {expected}" in text, text
    assert "streets" not in text and "districts" not in text  # the others' values are there
    with pytest.raises((LayerError, LayerProblemsError), match="holds no '居委会'"):
        ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    from urbanrisk.layers.polygons import polygons_from_file

    with pytest.raises(LayerError, match=r"holds no '居委会' \(it holds: 区 1, 街道 2, 社区 4\)"):
        polygons_from_file(path, id_column="区划代码", level_column="层级", level_values=["居委会"])
    code, text = validated(_filtered(tmp_path, path, "zh", values={"社区": "居委会"}), capsys)
    assert "行政区划.geojson 的 '层级' 列中没有 '居委会'（该列的值：区 1, 街道 2, 社区 4）" in text, text


def test_the_keys_come_in_pairs_and_agree_with_level(tmp_path, capsys):
    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    recipe = _filtered(tmp_path, path, "en")
    lines = recipe.read_text(encoding="utf-8")
    import yaml

    body = yaml.safe_load(lines)
    del body["layers"]["streets"]["level_value"]
    body["layers"]["communities"]["level"] = "street"  # 社区 rows as the street register: a slip
    code, text = validated(write_recipe(tmp_path, body), capsys)
    assert code == 2
    assert "layers.streets: level_column '层级' needs level_value" in text, text
    assert "level_value '社区' names community units but level is street: set level: community" in text
    body["layers"]["communities"]["level"] = "community"
    body["layers"]["districts"]["level_value"] = ["区", "街道"]  # two registers in one layer
    del body["layers"]["districts"]["level"]
    code, text = validated(write_recipe(tmp_path, body), capsys)
    assert (
        "layers.districts: level_value ['区', '街道'] names units of several levels (district, street)"
        in text
    )
    body["layers"]["districts"]["level_value"] = "区"
    body["layers"]["streets"] |= {"level_column": "级别", "level_value": ["街道"]}  # not a column of it
    code, text = validated(write_recipe(tmp_path, body), capsys)
    assert code == 2 and "layers.streets.level_column: 行政区划.geojson has no column '级别'" in text, text


def test_a_census_tables_own_units_take_one_level_too(tmp_path, capsys):
    import yaml

    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    table = tmp_path / "人口.csv"
    table.write_text("街道名称,常住人口\n北太平庄街道,52000\n北下关街道,61000\n", encoding="utf-8")
    body = yaml.safe_load(_recipe(tmp_path, dict.fromkeys(LEVELS, path), "en").read_text(encoding="utf-8"))
    units = {"path": str(path), "id_column": "区划代码", "name_column": "名称"}
    body["layers"] = {
        "osm": body["layers"]["osm"],
        "population": {
            "type": "population_table",
            "path": str(table),
            "units": units | {"level_column": "层级", "level_value": "街道"},
            "key_column": "街道名称",
            "count_column": "常住人口",
        },
    }
    code, text = validated(write_recipe(tmp_path, body), capsys)
    assert code == 0, text
    body["layers"]["population"]["units"] = units  # all three levels: refused, the keys the first fix
    code, text = validated(write_recipe(tmp_path, body), capsys)
    assert code == 2 and "say which units the layer takes (level_column: 层级, level_value:" in text, text
