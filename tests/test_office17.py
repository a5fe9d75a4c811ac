"""Session 17, office17: what session 16 left of a Chinese office's own files (each test fails on main).

Small files made in the test (an .xlsx of five rows, two squares of units, two MultiPoints); no
metropolis run.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from shapely.geometry import box

from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.registry_units import unit_name_notes, written_units
from urbanrisk.layers.tabular import rows_from_file
from urbanrisk.outputs.i18n import data_text

# --- 1. a name cell merged over several rows ------------------------------------------------------------


def _merged_registry(path: Path) -> Path:
    """A 台账 under a merged title: 学院路街道 merged over rows 5-7 (甲, 乙, 丙), 花园路街道 over rows 8-9,
    a 备注 merged across two columns on row 6 (one row: left as it is)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet["A3"] = "某区危险源台账"
    sheet.merge_cells("A3:F3")
    sheet.append(["名称", "类别", "所属街道", "经度", "纬度", "备注"])
    for name, street, lon in [
        ("甲站", "学院路街道", 116.305),
        ("乙站", None, 116.306),
        ("丙站", None, 116.307),
        ("丁站", "花园路街道", 116.315),
        ("戊站", None, 116.316),
    ]:
        sheet.append([name, "fuel", street, lon, 39.99, None])
    sheet["F6"] = "夜间停业"
    sheet.merge_cells("C5:C7")
    sheet.merge_cells("C8:C9")
    sheet.merge_cells("F6:G6")
    book.save(path)
    return path


def test_a_name_merged_over_rows_is_filled_down_and_said(tmp_path: Path) -> None:
    """乙站 and 丙站 read an empty 街道 (read-only openpyxl sees no merge): now 学院路街道, said in a note
    (en and zh) naming the column and the rows; the one-row merge and the title are left as they were."""
    table = rows_from_file(_merged_registry(tmp_path / "台账.xlsx"), layer="haz")
    assert [row[2] for row in table.rows] == ["学院路街道"] * 3 + ["花园路街道"] * 2
    assert [row[5] for row in table.rows] == ["", "夜间停业", "", "", ""]
    assert table.header_line == 4
    said = (
        "haz: filled 2 merged cell(s) of sheet '台账' of 台账.xlsx down ('所属街道' rows 5-7, "
        "'所属街道' rows 8-9): each row of a merge reads the merge's value"
    )
    assert table.notes == [said]
    points = points_from_file(tmp_path / "台账.xlsx", layer="haz", role="hazard", kind_column="类别")
    assert said in points.attrs["notes"]
    assert data_text(said, "zh") == (
        "haz：台账.xlsx 的工作表 '台账' 中有 2 处合并单元格跨越多行"
        "（“所属街道”列第 5-7 行、“所属街道”列第 8-9 行），"
        "已向下填充：合并范围内每一行均取合并单元格的值"
    )


def test_a_header_merged_over_two_rows_is_still_refused_not_filled(tmp_path: Path) -> None:
    """名称 merged over rows 1-2 beside 坐标 over 经度 / 纬度: the header's own refusal, unchanged."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "坐标", None])
    sheet.append([None, "经度", "纬度"])
    sheet.append(["甲站", 116.3, 39.99])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    book.save(tmp_path / "h.xlsx")
    with pytest.raises(Exception, match="header spans two rows"):
        rows_from_file(tmp_path / "h.xlsx", layer="haz")


# --- 2. validate says what the run says of MultiPoints --------------------------------------------------


@pytest.mark.parametrize("suffix", ["gpkg", "geojson", "shp"])
def test_validate_refuses_a_multipoint_of_several_places_as_the_run_does(tmp_path, city, suffix):  # noqa: F811
    """Feature 2 holds two fuel stations 700 m apart: the run refused it, validate said ok."""
    frame = gpd.GeoDataFrame(
        {"id": ["H1", "H2", "H3"], "kind": ["fuel"] * 3},
        geometry=[
            shapely.MultiPoint([(116.305, 39.99)]),
            shapely.MultiPoint([(116.305, 39.99), (116.313, 39.99)]),
            shapely.MultiPoint([(116.31, 39.995), (116.31, 39.995)]),  # one place twice: that point
        ],
        crs=4326,
    )
    path = tmp_path / f"haz.{suffix}"
    frame.to_file(path)
    recipe = raster_recipe(
        tmp_path, city[0], layers={"haz": {"type": "points", "role": "hazard", "path": str(path)}}
    )
    code, text = cli("validate", recipe)
    refused(code, text, f"haz.{suffix}: feature(s) 2 (2 points) are MultiPoints of several places")
    assert "Multipart to Singleparts" in text and "feature(s) 2 (2 points) are" in text, text


# --- 3. the 街道 / 社区 check of units without `level:` -------------------------------------------------


def _units(names: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": names, "level": [None, None]},
        geometry=[box(116.300, 39.98, 116.310, 40.0), box(116.310, 39.98, 116.320, 40.0)],
        crs=4326,
    )


def _written(folder: Path) -> dict:
    registry = folder / "台账.csv"
    registry.write_text(
        "名称,类别,社区,经度,纬度\n甲站,fuel,北邮社区,116.305,39.99\n乙站,fuel,蓟门里社区,116.306,39.99\n",
        encoding="utf-8",
    )
    points = points_from_file(registry, layer="haz", role="hazard", kind_column="类别")
    return points.attrs["written_units"] or written_units(points, str, layer="haz", file="台账.csv")


def test_units_without_level_are_compared_when_their_names_tell_it(tmp_path: Path) -> None:
    """Units named 北邮社区 / 蓟门里社区居委会 and no `level:` are 社区: 乙站's typo is said (was silent)."""
    notes = unit_name_notes(_written(tmp_path), [_units(["北邮社区", "蓟门里社区居委会"])])
    assert len(notes) == 1 and "row 3: '蓟门里社区', its point in '北邮社区'" in notes[0], notes


def test_units_without_level_whose_names_do_not_tell_it_say_the_check_was_skipped(tmp_path: Path) -> None:
    """Names without a level word (北邮, 蓟门里): not compared, and the notes say so with the fix."""
    said = (
        "haz: column '社区' of 台账.csv was not compared with the units: no unit layer has level community, "
        "and a layer without `level:` has names that do not all end in 社区: set `level: community` on the "
        "layer of those units to have each row's 社区 checked"
    )
    assert unit_name_notes(_written(tmp_path), [_units(["北邮", "蓟门里"])]) == [said]
    assert data_text(said, "zh").startswith("haz：未将 台账.csv 的“社区”列与单元核对"), data_text(said, "zh")


def test_validate_compares_units_without_level(tmp_path, city):  # noqa: F811
    """validate read only units with `level:`; it now says what the run says."""
    _units(["北邮社区", "蓟门里社区居委会"]).drop(columns="level").to_file(tmp_path / "社区.geojson")
    _written(tmp_path)
    layers = {
        "units": {"type": "polygons", "path": str(tmp_path / "社区.geojson")},
        "haz": {
            "type": "points",
            "role": "hazard",
            "path": str(tmp_path / "台账.csv"),
            "kind_column": "类别",
        },
    }
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers=layers))
    assert code == 0 and "(row 3: '蓟门里社区', its point in '北邮社区')" in text, text


# --- 4. one wording of coverage's changes --------------------------------------------------------------


@pytest.mark.parametrize("direction", ["lost", "gained", "new", "added", "removed", "escalation"])
def test_the_cli_and_the_report_say_a_change_in_one_wording(direction: str) -> None:
    """The CLI said 应急避难场所覆盖 丧失 where the report's list said 失去覆盖 (恢复 / 新增覆盖, 新增 /
    新出现): one dict, one word."""
    from urbanrisk.cli_lines import change_kind
    from urbanrisk.outputs.i18n import translator
    from urbanrisk.outputs.i18n_pages import CHANGE_WORDS_ZH
    from urbanrisk.outputs.report_changes import CHANGE_ZH, _change_word

    word = change_kind(f"coverage shelter {direction}", "zh").rpartition(" ")[2]
    assert word == _change_word(direction, CHANGE_ZH) == CHANGE_WORDS_ZH[direction]
    assert {"lost": "丧失", "gained": "获得", "new": "新增"}.get(direction, word) == word
    lead = translator("zh")("{n} changes; escalations and losses first", n=2)  # the list's own line above it
    assert direction not in ("lost", "escalation") or word in lead, lead
    assert "失去" not in lead and "共 2 项变化" in lead
