"""A 台账's names as an office writes them: the column 名称 (or 单位名称) with the recipe's default
``name_column``, which gave every hazard source an empty name in the report, map and 责任清单; and a
declared name_column the file lacks (a typo), which validate passed and the run left out silently.
Now the first is found, the second refused with the columns there, en/zh. (A declared id_column the
file lacks still falls back to ids made up from the rows: a shared set of options may name one.)"""

from __future__ import annotations

from conftest import BUPT_OSM, write_recipe
from urbanrisk.cli import main
from urbanrisk.layers.points import points_from_file


def _registry(tmp_path, name_header="名称"):
    path = tmp_path / "危险源台账.csv"
    text = f"序号,{name_header},类型,经度,纬度\n1,中国石化蓟门桥加油站,加油站,116.3500,39.9590\n"
    path.write_bytes(text.encode("gbk"))
    return path


def test_the_default_name_column_finds_a_registrys_chinese_name_column(tmp_path):
    for header in ("名称", "单位名称"):
        path = _registry(tmp_path, header)
        points = points_from_file(path, layer="hazards", kind_column="类型")
        assert points["name"].tolist() == ["中国石化蓟门桥加油站"], header
    path = _registry(tmp_path, "备注")  # no name column at all: names stay empty, as before
    assert points_from_file(path, layer="hazards", kind_column="类型")["name"].tolist() == [""]


def test_a_declared_name_column_the_file_lacks_is_refused(tmp_path, capsys):
    hazards = {"type": "points", "role": "hazard", "path": str(_registry(tmp_path)), "kind_column": "类型"}
    recipe = {
        "name": "names",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "hazards": {**hazards, "name_column": "单位名"},
        },
        "outputs": {"dir": str(tmp_path / "out")},
        "report": {"language": "zh"},
    }
    code = main(["validate", str(write_recipe(tmp_path, recipe))])
    text = "".join(capsys.readouterr())
    assert code == 2
    assert "layers.hazards.name_column: 危险源台账.csv 中没有列 '单位名'" in text
    assert "请将 `name_column:` 设为其中之一" in text
    recipe["layers"]["hazards"] = {**hazards, "name_column": "名称", "id_column": "序号"}
    assert main(["validate", str(write_recipe(tmp_path, recipe))]) == 0, capsys.readouterr()
