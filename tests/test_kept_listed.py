"""The run's manifest.json lists each resource registry's kept columns (``keep_columns``), and
``urbanrisk incident`` reads the resources' columns by that list (an older run folder without it: its
text columns that are not urbanrisk's own, as before); the shelters of the answer carry their kept
columns too (the sheet, the tooltips, incident.json and incident.geojson), escaped in HTML. Real BUPT
extract; the registries are written here (the fire stations of tests/test_registry_columns.py)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import urbanrisk as ur
from conftest import write_recipe
from test_registry_columns import _recipe
from urbanrisk.cli import main

AT = "116.3520,39.9600"  # the fire stations' test point
SHELTERS = [  # id, name, capacity, lon, lat, 管理单位, 值班电话: 250-300 m from AT
    ("BN-01", "北邮体育场避难场所", 800, 116.35450, 39.96120, "北京邮电大学", "010-62282000"),
    ("BN-02", "蓟门里公园避难场所", 500, 116.34950, 39.95800, "<b>街道办</b>", None),
]


def _with_shelters(tmp_path, language: str) -> dict:
    body = _recipe(tmp_path, {"id_column": "编号", "keep_columns": ["值班电话", "负责人"]}, language)
    path = tmp_path / "避难场所.csv"
    rows = ["编号,名称,类型,容量,经度,纬度,管理单位,值班电话"]
    rows += [
        ",".join("" if v is None else str(v) for v in (i, n, "避难场所", c, x, y, u, p))
        for i, n, c, x, y, u, p in SHELTERS
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    body["layers"]["shelters"] = {
        "type": "points",
        "role": "resource",
        "path": str(path),
        "lon": "经度",
        "lat": "纬度",
        "id_column": "编号",
        "kind_column": "类型",
        "name_column": "名称",
        "capacity_column": "容量",
        "keep_columns": ["管理单位", "值班电话"],
    }
    return body


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("kept_listed")
    recipe = write_recipe(tmp_path, _with_shelters(tmp_path, "zh"))
    result = ur.run_recipe(recipe, scheduler="synchronous")
    return recipe, result.run_dir


def test_the_manifest_lists_each_registrys_kept_columns(run):
    _, run_dir = run
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kept_columns"] == {
        "stations": ["值班电话", "负责人"],
        "shelters": ["管理单位", "值班电话"],
    }


def test_shelters_carry_their_kept_columns_escaped(run, tmp_path, capsys):
    recipe, _ = run
    out = tmp_path / "incident"
    assert main(["incident", str(recipe), "--at", AT, "--kind", "fire", "--out", str(out)]) == 0
    capsys.readouterr()
    answer = json.loads((out / "incident.json").read_text(encoding="utf-8"))
    shelters = {row["id"]: row for row in answer["shelters"]}
    assert (shelters["BN-01"]["管理单位"], shelters["BN-01"]["值班电话"]) == ("北京邮电大学", "010-62282000")
    assert shelters["BN-02"]["值班电话"] is None  # an empty cell: unknown, not ''
    assert shelters["BN-02"]["管理单位"] == "<b>街道办</b>"  # data as written, in JSON
    assert shelters["BN-01"].get("负责人") is None  # the stations' column: not the shelters' own
    features = json.loads((out / "incident.geojson").read_text(encoding="utf-8"))["features"]
    kept = {
        f["properties"]["id"]: f["properties"].get("管理单位")
        for f in features
        if f["properties"]["role"] == "shelter"
    }
    assert kept == {"BN-01": "北京邮电大学", "BN-02": "<b>街道办</b>"}
    page = (out / "incident.html").read_text(encoding="utf-8")
    sheet = page[page.index("避难场所（步行") :]  # the sheet's shelters table onwards
    assert "值班电话：010-62282000；管理单位：北京邮电大学" in sheet  # the columns in the manifest's order
    assert "管理单位：&lt;b&gt;街道办&lt;/b&gt;" in page and "<b>街道办</b>" not in page  # escaped everywhere


def test_the_answer_reads_the_listed_columns_and_an_old_run_the_text_columns(run, tmp_path):
    recipe, run_dir = run
    path = run_dir / "resources.parquet"
    table = pq.read_table(path)
    later = table.append_column("checked_by", pa.array(["urbanrisk 9"] * table.num_rows))  # not the office's
    pq.write_table(later.replace_schema_metadata(table.schema.metadata), path)
    answer = ur.answer_incident(recipe, at=AT, kind="fire", write=False)
    assert answer.kept_columns == ["值班电话", "负责人", "管理单位"]  # the manifest's, each once
    assert "checked_by" not in answer.resources.columns
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["kept_columns"]  # a run folder written before the list: its text columns, as before
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    old = ur.answer_incident(recipe, at=AT, kind="fire", write=False)
    assert old.kept_columns == ["值班电话", "负责人", "管理单位", "checked_by"]
    assert old.shelters.set_index("id").loc["BN-01", "管理单位"] == "北京邮电大学"
