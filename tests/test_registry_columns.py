"""An office's resource registry keeps its own columns (值班电话, 负责人...) into resources.parquet and
the map, escaped; a declared ``id_column`` or kept column the file lacks is refused (validate and run),
naming the key, its line, the fix and the file's columns. Real shipped data: the BUPT extract and the
Wudaokou hazards registry; the registries are written here."""

from __future__ import annotations

import re

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import yaml

import urbanrisk as ur
from conftest import BUPT_OSM, WUDAOKOU_HAZARDS, default_recipe, write_recipe
from urbanrisk._errors import LayerError
from urbanrisk.cli import main
from urbanrisk.layers.points import points_from_file

HEADER = ["编号", "名称", "类型", "经度", "纬度", "值班电话", "负责人", "地址"]
STATIONS = [
    ["119-01", "北邮微型消防站", "消防站", 116.352676, 39.959243, "010-62282119", "张三", "西土城路10号"],
    ["119-02", "蓟门桥消防站", "消防站", 116.3515, 39.9620, None, '<img src=x onerror="alert(1)">', None],
]


def _stations(path, rows=STATIONS):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _recipe(tmp_path, stations: dict, language: str = "en") -> dict:
    return {
        "name": "kept",
        "area": {"layer": "osm"},
        "grid": {"resolution": 11},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "population": {"type": "population_from_buildings", "source": "osm"},
            "stations": {
                "type": "points",
                "role": "resource",
                "path": str(_stations(tmp_path / "消防站台账.xlsx")),
                "kind_column": "类型",
                "name_column": "名称",
                **stations,
            },
        },
        "outputs": {"dir": str(tmp_path / "out")},
        "report": {"language": language},
    }


def test_kept_columns_reach_resources_parquet_and_the_map_escaped(tmp_path):
    body = _recipe(tmp_path, {"id_column": "编号", "keep_columns": ["值班电话", "负责人"]}, "zh")
    result = ur.run_recipe(write_recipe(tmp_path, body), scheduler="synchronous")
    table = gpd.read_parquet(result.run_dir / "resources.parquet").set_index("id")
    assert table.loc["119-01", ["值班电话", "负责人"]].tolist() == ["010-62282119", "张三"]
    assert pd.isna(table.loc["119-02", "值班电话"])  # an empty cell stays unknown, not ''
    assert table.filter(like="osm:", axis=0)["负责人"].isna().all()  # OSM's resources: not known
    assert "地址" not in table.columns  # not listed: not kept
    page = (result.run_dir / "map.html").read_text(encoding="utf-8")
    assert "值班电话：010-62282119" in page and "负责人：张三" in page
    assert "onerror" in page and '<img src=x onerror="alert(1)">' not in page  # escaped, not run


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "layers.stations.keep_columns: 消防站台账.xlsx has no column '值班手机' (its columns: "
                "['编号', '名称', '类型', '经度', '纬度', '值班电话', '负责人', '地址']); keep_columns lists "
                "only columns the file has",
                "layers.stations.id_column: 消防站台账.xlsx has no column '站号'",
            ],
        ),
        (
            "zh",
            [
                "layers.stations.keep_columns: 消防站台账.xlsx 中没有列 '值班手机'",
                "keep_columns 只能列出文件中已有的列",
                "layers.stations.id_column: 消防站台账.xlsx 中没有列 '站号'",
                "请将 `id_column:` 设为其中之一",
            ],
        ),
    ],
)
def test_validate_and_the_run_refuse_columns_the_registry_lacks(tmp_path, capsys, language, texts):
    body = _recipe(tmp_path, {"id_column": "站号", "keep_columns": ["值班手机"]}, language)
    recipe = write_recipe(tmp_path, body)
    assert main(["validate", str(recipe)]) == 2
    text = "".join(capsys.readouterr())
    for wanted in texts:
        assert wanted in text, text
    lines = recipe.read_text(encoding="utf-8").splitlines()
    for key in ("id_column", "keep_columns"):  # each problem names the recipe's line of its key
        line = next(i for i, row in enumerate(lines, start=1) if row.strip().startswith(f"{key}:"))
        assert f"recipe.yaml:{line}: layers.stations.{key}: " in text, text
    assert main(["run", str(recipe)]) == 2  # the run refuses it before reading anything
    assert texts[0] in "".join(capsys.readouterr())


def test_a_declared_id_column_the_shipped_registry_lacks_is_refused(tmp_path, capsys):
    """Wudaokou's hazards.csv has ids in `id`: `id_column: 编号` made ids up from row positions."""
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["hazards"]["id_column"] = "编号"
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    text = "".join(capsys.readouterr())
    assert "layers.hazards.id_column: hazards.csv has no column '编号' (its columns: ['id', 'kind'," in text
    with pytest.raises(LayerError, match=r"hazards\.csv has no column '编号' \(its columns: \['id'"):
        points_from_file(WUDAOKOU_HAZARDS, layer="hazards", id_column="编号")
    body["layers"]["hazards"]["id_column"] = "id"  # declared and there: ids as before
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 0


@pytest.mark.parametrize(
    ("stations", "message", "chinese"),
    [
        (  # a hazard registry keeps its own columns too, not under the hazard tables' names
            {"role": "hazard", "keep_columns": ["负责人", "Grade"]},
            r"\['Grade'\] cannot be kept under its name .*factors",
            r"\['Grade'\] 与 urbanrisk 自身的列同名",
        ),
        ({"keep_columns": ["name"]}, r"\['name'\] cannot be kept under its name", r"\['name'\] 与 urbanrisk"),
        (
            {"keep_columns": ["负责人", "inside_area"]},
            r"\['inside_area'\] cannot be kept under its name .*: rename that column in the file",
            r"\['inside_area'\] 与 urbanrisk 自身的列同名.*请在文件中将该列改名",
        ),
        ({"keep_columns": ["负责人", "负责人"]}, "lists a column twice", "中有重复的列"),
    ],
)
def test_keep_columns_that_cannot_be_kept_are_refused(tmp_path, capsys, stations, message, chinese):
    assert main(["validate", str(write_recipe(tmp_path, _recipe(tmp_path, stations)))]) == 2
    assert re.search(message, "".join(capsys.readouterr()))
    assert main(["validate", str(write_recipe(tmp_path, _recipe(tmp_path, stations, "zh")))]) == 2
    assert re.search(chinese, "".join(capsys.readouterr()))
