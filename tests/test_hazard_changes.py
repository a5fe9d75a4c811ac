"""A nightly rescan after an office edits its 台账 (registry without ids, as typed): one row deleted, one
appended, a quantity raised past GB 18218's critical quantity.

Seen on the real BUPT extract (session 14, fresh14): the registry's ids are made up from its rows, so
the appended LPG station took the deleted substation's id (``hazards-4``) and the rescan said the
substation had escalated IV -> I under the LPG station's name; nothing was "added" or "removed"; and
the chemical store that became a major hazard source (chlorine 0.5 t -> 6 t: Σq/Q 0.3 -> 1.4) was not
said at all (its risk-matrix grade stayed I).
"""

from __future__ import annotations

import pandas as pd
import pytest

import urbanrisk as ur
from conftest import ROOT, write_recipe
from urbanrisk.cli import main

BUPT = ROOT / "layers" / "beijing-bupt" / "bupt_2025.osm"
HEADER = "名称,类型,经度,纬度,物质,存量"
ROWS = {
    "gas": "北邮锅炉房燃气调压站,燃气设施,116.3530,39.9625,天然气,2吨",
    "fuel": "明光村加油站,加油站,116.3540,39.9575,汽油,约30吨",
    "store": "学院实验楼危化品库,危险化学品场所,116.3525,39.9610,氯;液氨,0.5;2",
    "power": "西土城路变电站,变电站,116.3495,39.9600,,",
}
LPG = "蓟门里液化气供应站,燃气设施,116.3500,39.9580,液化石油气,12吨"


def _registry(path, rows: list[str]) -> None:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def test_a_deleted_and_an_appended_row_are_said_so_and_a_new_major_hazard_source_too(tmp_path, capsys):
    registry = tmp_path / "危险源台账.csv"
    _registry(registry, list(ROWS.values()))
    body = {
        "name": "bupt-edits",
        "title": "BUPT registry edits",
        "area": {"layer": "osm"},
        "grid": {"resolution": 11},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 38.6,
            },
            "hazards": {"type": "points", "role": "hazard", "path": str(registry), "kind_column": "类型"},
        },
        "report": {"language": "zh"},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = write_recipe(tmp_path, body)
    first = ur.run_recipe(recipe, scheduler="synchronous")
    before = pd.read_parquet(first.run_dir / "hazard_sources.parquet").set_index("name")
    assert before.loc["西土城路变电站", "id"] == "hazards-4"  # made up from the row
    assert before.loc["学院实验楼危化品库", "gb18218_grade"] in ("", None)  # Σq/Q = 0.3: none
    store = ROWS["store"].replace("0.5;2", "6;2")  # chlorine 6/5 + ammonia 2/10 = 1.4: major
    _registry(registry, [ROWS["gas"], ROWS["fuel"], store, LPG])  # the substation's row deleted
    capsys.readouterr()
    assert main(["rescan", str(recipe), "--scheduler", "synchronous"]) in (0, 3)
    printed = capsys.readouterr().out
    latest = tmp_path / "out" / "latest"
    after = pd.read_parquet(latest / "hazard_sources.parquet").set_index("name")
    assert after.loc["蓟门里液化气供应站", "id"] == "hazards-4"  # the deleted row's made-up id
    changes = pd.read_parquet(latest / "changes.parquet")
    sources = changes[changes["kind"] == "hazard_source"].set_index("name")
    assert set(sources.loc[["蓟门里液化气供应站"], "direction"]) == {"added"}  # not the substation escalated
    assert set(sources.loc[["西土城路变电站"], "direction"]) == {"removed"}
    assert sources.loc["西土城路变电站", "old"] == before.loc["西土城路变电站", "grade"]
    major = changes[changes["kind"] == "major_hazard_source"].set_index("name")
    assert list(major.index) == ["学院实验楼危化品库"]
    assert (major.iloc[0]["old"], major.iloc[0]["new"]) == (
        "",
        after.loc["学院实验楼危化品库", "gb18218_grade"],
    )
    assert major.iloc[0]["new"] in ("一级", "二级", "三级", "四级")
    assert major.iloc[0]["direction"] == "escalation"
    assert "危险源 新增：1" in printed and "危险源 移除：1" in printed, printed
    assert "重大危险源（GB 18218） 升级：1" in printed, printed
    assert "危险源存量 增加：1" in printed, printed  # chlorine 0.5 t -> 6 t, said in Chinese too
    report = (latest / "report.html").read_text(encoding="utf-8")
    assert "重大危险源（GB 18218）" in report


def test_a_quantity_changed_with_no_grade_moved_is_a_change(tmp_path, capsys):
    """An office raised a fuel depot's gasoline from 20 t to 45 t (汽油: Q = 200 t, GB 18218 Table 1:
    Σq/Q 0.1 -> 0.225, no major hazard source either way): no grade moved, and the rescan listed no
    change at all."""
    registry = tmp_path / "registry.csv"
    header = "name,kind,lon,lat,substance,quantity_t"
    rows = [
        "Xueyuan Rd fuel depot,fuel,116.3540,39.9575,汽油,{q}",
        "Lab store,chemical,116.3525,39.9610,液氨,2",
    ]
    registry.write_text("\n".join([header, *rows]).format(q=20) + "\n", encoding="utf-8")
    body = {
        "name": "bupt-quantity",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT)},
            "population": {"type": "population_from_buildings", "source": "osm"},
            "hazards": {"type": "points", "role": "hazard", "path": str(registry)},
        },
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = write_recipe(tmp_path, body)
    before = pd.read_parquet(
        ur.run_recipe(recipe, scheduler="synchronous").run_dir / "hazard_sources.parquet"
    )
    registry.write_text("\n".join([header, *rows]).format(q=45) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["rescan", str(recipe), "--scheduler", "synchronous"]) in (0, 3)
    printed = capsys.readouterr().out
    latest = tmp_path / "out" / "latest"
    after = pd.read_parquet(latest / "hazard_sources.parquet")
    depot = [run.set_index("name").loc["Xueyuan Rd fuel depot"] for run in (before, after)]
    assert [s["gb18218_S"] for s in depot] == pytest.approx([0.1, 0.225])  # 20/200, 45/200
    assert depot[0]["grade"] == depot[1]["grade"] and depot[1]["gb18218_grade"] == ""
    r = [f"{s['gb18218_R']:,.2f}".rstrip("0").rstrip(".") for s in depot]
    changes = pd.read_parquet(latest / "changes.parquet")
    assert set(changes["kind"]) - {"cell", "community"} == {"hazard_quantity"}  # no source's grade moved
    (row,) = changes[changes["kind"] == "hazard_quantity"].itertuples()
    assert (row.name, row.old, row.new, row.direction) == ("Xueyuan Rd fuel depot", "20 t", "45 t", "raised")
    assert row.explanation == f"quantity 20 t -> 45 t; GB 18218 Σq/Q 0.1 -> 0.23; R {r[0]} -> {r[1]}"
    assert "hazard_quantity raised: 1" in printed, printed
    report = (latest / "report.html").read_text(encoding="utf-8")
    assert "<td>hazard_quantity</td>" in report and "<td>20 t</td><td>45 t</td>" in report


def test_quantity_changes_by_hand():
    from urbanrisk.hazard_changes import quantity_change

    def source(quantity, substance="液氨", s=float("nan")):
        return pd.Series({"quantity_t": quantity, "substance": substance, "gb18218_S": s})

    assert quantity_change(source("20"), source("20")) is None
    assert quantity_change(source("20", s=2.0), source("5", s=0.5))["direction"] == "lowered"
    assert quantity_change(source("20"), source("45"))["direction"] == "raised"  # Σq/Q not computed: q
    text = quantity_change(source("约30吨"), source("约40吨"))
    assert (text["old"], text["new"], text["direction"]) == ("约30吨", "约40吨", "changed")
    both = quantity_change(source("0.5;2", "氯;液氨", 0.3), source("6;2", "氯;液氨", 1.4))
    assert (both["old"], both["new"], both["direction"]) == (
        "氯 0.5 t; 液氨 2 t",
        "氯 6 t; 液氨 2 t",
        "raised",
    )
    assert both["explanation"] == "quantity 氯 0.5 t; 液氨 2 t -> 氯 6 t; 液氨 2 t; GB 18218 Σq/Q 0.3 -> 1.4"
    assert quantity_change(source(""), source("12"))["explanation"] == "quantity not given -> 12 t"
