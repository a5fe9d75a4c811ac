"""Session 18, office18: what session 17 left of a Chinese office's own files (each test but the last two
fails on main).

Small files made in the test (an .xls / .xlsx / CSV of a few rows, two squares of units); no metropolis run.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import xlrd
import xlwt
from shapely.geometry import box

from test_hostile import city, cli, raster_recipe  # noqa: F401  (city: the module's fixture)
from urbanrisk.layers import tabular, xls_sheet
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.polygons import polygons_from_file
from urbanrisk.layers.registry_units import registry_unit_notes
from urbanrisk.layers.tabular import rows_from_file
from urbanrisk.outputs.i18n import data_text

HEADER = ["名称", "类别", "所属街道", "经度", "纬度"]

# --- 1. an .xls's name cell merged over several rows ------------------------------------------------------


def _merged_xls(path: Path) -> Path:
    """A 台账 under a title merged across columns: 学院路街道 merged over rows 3-5 (甲, 乙, 丙), 花园路街道
    over rows 6-7, a 备注 merged across two columns on row 4 (one row: left as it is)."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 5, "某区危险源台账")
    for j, name in enumerate([*HEADER, "备注"]):
        sheet.write(1, j, name)
    for i, (name, lon) in enumerate([("甲站", 116.305), ("乙站", 116.306), ("丙站", 116.307)] * 1):
        sheet.write(2 + i, 0, name)
        sheet.write(2 + i, 1, "fuel")
        sheet.write(2 + i, 3, lon)
        sheet.write(2 + i, 4, 39.99)
    for i, name in enumerate(["丁站", "戊站"]):
        for j, value in enumerate([name, "fuel", None, 116.315 + i / 1000, 39.99]):
            if value is not None:
                sheet.write(5 + i, j, value)
    sheet.write_merge(2, 4, 2, 2, "学院路街道")
    sheet.write_merge(5, 6, 2, 2, "花园路街道")
    sheet.write_merge(3, 3, 5, 6, "夜间停业")
    book.save(str(path))
    return path


def test_an_xls_name_merged_over_rows_is_filled_down_and_said(tmp_path: Path) -> None:
    """乙站 and 丙站 read an empty 街道 from an .xls (xlrd gives merges only with its formatting read): now
    学院路街道, said in the note .xlsx's merges raise (en and zh)."""
    table = rows_from_file(_merged_xls(tmp_path / "台账.xls"), layer="haz")
    assert [row[2] for row in table.rows] == ["学院路街道"] * 3 + ["花园路街道"] * 2
    assert [row[5] for row in table.rows] == ["", "夜间停业", "", "", ""]
    said = (
        "haz: filled 2 merged cell(s) of sheet '台账' of 台账.xls down ('所属街道' rows 3-5, "
        "'所属街道' rows 6-7): each row of a merge reads the merge's value"
    )
    assert table.notes == [said]
    assert "已向下填充" in data_text(said, "zh")
    points = points_from_file(tmp_path / "台账.xls", layer="haz", role="hazard", kind_column="类别")
    assert said in points.attrs["notes"]


def test_an_xls_whose_formatting_xlrd_cannot_read_is_read_without_it_and_said(tmp_path, monkeypatch) -> None:
    """Formatting records xlrd refuses: the cells as before (no merge filled), and the notes say so."""
    path = _merged_xls(tmp_path / "台账.xls")
    opened = xls_sheet._open

    def no_formatting(where: Path, formatting: bool):
        if formatting:
            raise xlrd.XLRDError("formatting records it cannot read")
        return opened(where, formatting)

    monkeypatch.setattr(xls_sheet, "_open", no_formatting)
    table = rows_from_file(path, layer="haz")
    assert [row[2] for row in table.rows] == ["学院路街道", "", "", "花园路街道", ""]
    assert len(table.notes) == 1 and "could not be read: cells merged over several rows" in table.notes[0]
    assert data_text(table.notes[0], "zh").startswith("haz：无法读取 台账.xls 的格式信息"), table.notes


def _hostile_xls(path: Path) -> Path:
    """Round 11's hostile cells in an .xls: Excel errors, a date, a boolean, a hidden first sheet."""
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("旧表").write(0, 0, "old")
    sheet = book.add_sheet("台账")
    for j, name in enumerate(HEADER):
        sheet.write(0, j, name)
    sheet.write(1, 0, "甲站")
    sheet.row(1).set_cell_error(3, 42)  # #N/A (xlwt spells it #N/A!)
    sheet.row(2).set_cell_error(0, "#REF!")
    sheet.write(2, 3, datetime.datetime(2024, 3, 1), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    sheet.row(3).set_cell_boolean(3, True)
    sheet.write(3, 4, 39.99)
    book.get_sheet(0).visibility = 1  # hidden
    book.save(str(path))
    return path


def test_xlrd_with_formatting_reads_round_11s_hostile_cells_as_without(tmp_path: Path) -> None:
    """Errors, dates, booleans and a hidden first sheet read the same with the formatting read; a file cut
    short is still named, with the fix."""
    path = _hostile_xls(tmp_path / "h.xls")
    plain = xlrd.open_workbook(str(path), formatting_info=False)
    table = rows_from_file(path, layer="haz")
    assert table.sheet == "台账" and table.rows == [
        ["甲站", "", "", "#N/A", ""],
        ["#REF!", "", "", "2024-03-01 00:00:00", ""],
        ["", "", "", "True", "39.99"],
    ]
    assert [r[:4] for r in table.rows] == [
        [
            tabular._cell_text(xls_sheet._xls_value(c, plain.datemode))
            for c in plain.sheet_by_name("台账").row(i)
        ][:4]
        for i in (1, 2, 3)
    ]
    cut = tmp_path / "cut.xls"
    cut.write_bytes(path.read_bytes()[:700])
    with pytest.raises(tabular.LayerError, match=r"cannot read .*cut\.xls as an Excel 97-2003 workbook"):
        rows_from_file(cut, layer="haz")


# --- 2. an Excel error in a name cell ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".xls"])
def test_an_excel_error_in_a_name_cell_is_no_name_and_said(tmp_path: Path, suffix: str) -> None:
    """#REF! (a deleted sheet's lookup) and #N/A were kept as the sites' names (in the 责任清单); now no
    name, and the notes name the rows (en and zh)."""
    rows = [["#REF!", "fuel", "116.305", "39.99"], ["乙站", "fuel", "116.306", "39.99"]]
    rows += [[" #N/A", "fuel", "116.307", "39.99"]]
    path = tmp_path / f"台账{suffix}"
    if suffix == ".csv":
        path.write_text(
            "\n".join(",".join(r) for r in [["名称", "类别", "经度", "纬度"], *rows]), encoding="utf-8"
        )
    elif suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in [["名称", "类别", "经度", "纬度"], *rows]:
            book.active.append(row)
        book.save(path)
    else:
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("台账")
        for i, row in enumerate([["名称", "类别", "经度", "纬度"], *rows]):
            for j, value in enumerate(row):
                if i and j == 0 and value.strip().startswith("#"):
                    sheet.row(i).set_cell_error(0, {"#N/A": 42}.get(value.strip(), value.strip()))
                else:
                    sheet.write(i, j, float(value) if i and j > 1 else value)
        book.save(str(path))
    points = points_from_file(path, layer="haz", role="hazard", kind_column="类别")
    assert points["name"].tolist() == ["", "乙站", ""]
    note = next(n for n in points.attrs["notes"] if "Excel errors" in n)
    sheet = {".csv": "", ".xlsx": "sheet 'Sheet' ", ".xls": "sheet '台账' "}[suffix]
    assert note == (
        f"haz: 2 name(s) of 台账{suffix} are Excel errors, not names ({sheet}row 2: '#REF!', {sheet}row 4: "
        "'#N/A'): read as no name; fix the formulas in those cells, or type the names"
    )
    sheet = sheet.replace("sheet", "工作表").replace("' ", "' 第 ") if sheet else "第 "
    assert data_text(note, "zh") == (
        f"haz：台账{suffix} 中有 2 个名称是 Excel 错误值，不是名称（{sheet}2 行：'#REF!'、{sheet}4 行："
        "'#N/A'）：按无名称处理；请修正这些单元格中的公式，或直接填写名称"
    )


# --- 4. validate's unit check: what the run says, each registry parsed once --------------------------------


def test_validate_parses_a_registry_once_and_says_what_the_run_says(tmp_path, city, monkeypatch) -> None:  # noqa: F811
    """Units without `level:`: validate parsed the registry three times (its header check, the unit check's
    columns, the unit check's points); once now, and its warning is the run's note."""
    registry = tmp_path / "台账.csv"
    registry.write_text(
        "名称,类别,社区,经度,纬度\n甲站,fuel,北邮社区,116.305,39.99\n乙站,fuel,蓟门里社区,116.306,39.99\n",
        encoding="utf-8",
    )
    units = tmp_path / "社区.geojson"
    gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": ["北邮社区", "蓟门里社区"]},
        geometry=[box(116.300, 39.98, 116.310, 40.0), box(116.310, 39.98, 116.320, 40.0)],
        crs=4326,
    ).to_file(units)
    layers = {
        "units": {"type": "polygons", "path": str(units)},
        "haz": {"type": "points", "role": "hazard", "path": str(registry), "kind_column": "类别"},
    }
    parses = []
    read = tabular._read_rows
    monkeypatch.setattr(tabular, "_read_rows", lambda *a: parses.append(a[0]) or read(*a))
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers=layers))
    assert code == 0 and parses == [registry], (parses, text)
    points = points_from_file(registry, layer="haz", role="hazard", kind_column="类别")
    run = registry_unit_notes(
        [points.attrs["written_units"]], [polygons_from_file(units, layer="units").assign(level=None)]
    )
    assert len(run) == 1 and run[0] in text, (run, text)
