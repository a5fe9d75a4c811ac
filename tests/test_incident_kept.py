"""A resource registry's own columns (``keep_columns``: 值班电话, 负责人) reach ``urbanrisk incident``'s
answer: the nearest resources in the printed lines, the sheet of incident.html, its map's tooltips,
incident.json and incident.geojson; escaped in HTML (a registry's text is untrusted); a cell left
empty, and OSM's resources, stay unknown (no line, null). They reached resources.parquet and the run's
map only. Real BUPT extract; the registry is written here (tests/test_registry_columns.py's)."""

from __future__ import annotations

import json

import pandas as pd

import urbanrisk as ur
from conftest import write_recipe
from test_registry_columns import _recipe
from urbanrisk.cli import main


def test_kept_columns_reach_the_incident_answer_escaped(tmp_path, capsys):
    body = _recipe(tmp_path, {"id_column": "编号", "keep_columns": ["值班电话", "负责人"]}, "zh")
    recipe = write_recipe(tmp_path, body)
    ur.run_recipe(recipe, scheduler="synchronous")
    out = tmp_path / "incident"
    assert (
        main(["incident", str(recipe), "--at", "116.3520,39.9600", "--kind", "fire", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    nearest = [line for line in printed.splitlines() if "北邮微型消防站" in line]
    assert nearest and nearest[0].endswith(" · 值班电话：010-62282119；负责人：张三"), printed
    answer = json.loads((out / "incident.json").read_text(encoding="utf-8"))
    rows = {row["id"]: row for row in answer["nearest_resources"]}
    assert (rows["119-01"]["值班电话"], rows["119-01"]["负责人"]) == ("010-62282119", "张三")
    assert rows["119-02"]["值班电话"] is None  # an empty cell: unknown, not ''
    assert rows["119-02"]["负责人"] == '<img src=x onerror="alert(1)">'  # data as written, in JSON
    osm = [row for key, row in rows.items() if key.startswith("osm:")]
    assert osm and all(row["值班电话"] is None for row in osm)  # OSM's stations: not known
    features = json.loads((out / "incident.geojson").read_text(encoding="utf-8"))["features"]
    kept = [f["properties"].get("值班电话") for f in features if f["properties"]["role"] == "resource"]
    assert "010-62282119" in kept
    page = (out / "incident.html").read_text(encoding="utf-8")
    assert "台账信息" in page  # the sheet's column
    assert "值班电话：010-62282119；负责人：张三" in page  # the sheet's cell
    assert "负责人：&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page.replace("&#x27;", "'")
    assert '<img src=x onerror="alert(1)">' not in page  # escaped in the sheet and the tooltips alike


def test_an_answer_without_kept_columns_is_as_before(tmp_path, capsys):
    body = _recipe(tmp_path, {"id_column": "编号"}, "en")
    recipe = write_recipe(tmp_path, body)
    ur.run_recipe(recipe, scheduler="synchronous")
    result = ur.answer_incident(recipe, at="116.3520,39.9600", kind="fire", write=False)
    assert list(result.resources.columns) == [
        "kind", "rank", "id", "name", "mode", "travel_s", "turnout_s", "eta_s", "network_m", "capacity",
        "lon", "lat",
    ]  # fmt: skip
    assert isinstance(result.resources, pd.DataFrame) and len(result.resources)
