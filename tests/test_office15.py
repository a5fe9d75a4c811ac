"""A Chinese office's own files (session 15, office15): a workbook holding data on a second visible sheet
(read from its first without a word), GBK rows whose bytes happen to be valid UTF-8 with names of one
character or of one script (read as garbage without a word), told by ``validate`` as by the run."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)

HEADER = ["编号", "名称", "类型", "经度", "纬度", "容纳人数"]


def _workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


HAIDIAN = [["海淀区应急避难场所台账"], HEADER, [1, "学院路小学操场", "shelter", 116.305, 39.990, 300]]
CHAOYANG = [
    HEADER,
    [1, "朝阳公园", "shelter", 116.308, 39.985, 1200],
    [2, "望京绿地", "shelter", 116.31, 39.99, 80],
]
NOTES = [["填表说明"], ["经纬度为 WGS84 坐标"], ["字段", "含义"], ["容纳人数", "可容纳的人数（人）"]]


def _recipe(tmp_path: Path, tif: Path, book: Path, **spec) -> Path:
    kinds = {"kind_column": "类型"} if book.suffix == ".xlsx" else {}  # a 台账's kinds under 类型
    layer = {"type": "points", "role": "resource", "path": str(book), **kinds, **spec}
    return raster_recipe(tmp_path, tif, layers={"res": layer})


def test_a_second_visible_sheet_of_data_is_refused_naming_the_sheets_and_the_key(tmp_path, city):  # noqa: F811
    """海淀 on the first sheet, 朝阳 on the second: only 海淀 was read, and nothing said so."""
    from urbanrisk.outputs.i18n_checks import check_text

    book = _workbook(tmp_path / "避难场所.xlsx", {"海淀": HAIDIAN, "朝阳": CHAOYANG})
    recipe = _recipe(tmp_path, city[0], book)
    for command in ("validate", "run"):
        args = (command, "--scheduler", "synchronous", recipe) if command == "run" else (command, recipe)
        code, text = cli(*args)
        refused(code, text, "holds data rows on several sheets")
        assert "('海淀', '朝阳')" in text and "sheet: 海淀" in text and "(sheet: 朝阳)" in text, text
    line = next(t for t in text.splitlines() if "several sheets" in t).strip()
    chinese = check_text(line, "zh")
    assert "多个工作表" in chinese and "sheet: 朝阳" in chinese and "several" not in chinese, chinese


@pytest.mark.parametrize(("sheet", "names"), [("朝阳", ["朝阳公园", "望京绿地"]), (1, ["学院路小学操场"])])
def test_sheet_names_the_one_read(tmp_path, city, sheet, names):  # noqa: F811
    import pandas as pd

    book = _workbook(tmp_path / "避难场所.xlsx", {"海淀": HAIDIAN, "朝阳": CHAOYANG})
    code, text = cli("run", "--scheduler", "synchronous", _recipe(tmp_path, city[0], book, sheet=sheet))
    assert code == 0, text
    read = pd.read_parquet(tmp_path / "out" / "latest" / "resources.parquet")
    assert sorted(read["name"]) == sorted(names)


@pytest.mark.parametrize(
    "sheets",
    [
        {"海淀": HAIDIAN, "说明": NOTES},  # notes: one column of text, then a table of fields
        {"海淀": HAIDIAN, "空白": []},  # an empty sheet Excel made
        {"海淀": HAIDIAN, "朝阳": [HEADER]},  # a header and no data yet
    ],
    ids=["notes", "empty", "header-only"],
)
def test_a_sheet_of_notes_or_no_data_beside_the_registry_is_no_second_registry(tmp_path, city, sheets):  # noqa: F811
    book = _workbook(tmp_path / "避难场所.xlsx", sheets)
    code, text = cli("validate", _recipe(tmp_path, city[0], book))
    assert code == 0, text


def test_a_hidden_sheet_of_data_is_not_a_second_registry(tmp_path, city):  # noqa: F811
    book = _workbook(tmp_path / "避难场所.xlsx", {"海淀": HAIDIAN, "旧": CHAOYANG}, hidden=("旧",))
    code, text = cli("validate", _recipe(tmp_path, city[0], book))
    assert code == 0, text


def test_sheets_alike_by_hand():
    from urbanrisk.layers.sheets import sheets_alike

    other_kind = [["名称", "类别", "经度", "纬度"], ["中国石化", "加油站", "116.3", "39.9"]]  # 危险源 beside
    fields = [["名称", "说明"], ["经度", "WGS84"]]  # shares 名称 only
    assert sheets_alike(HAIDIAN_TEXT, {"危险源": other_kind, "字段": fields}) == ["危险源"]
    assert sheets_alike([["说明"]], {"朝阳": CHAOYANG_TEXT}) == []  # no header to compare


HAIDIAN_TEXT = [[str(c) for c in row] for row in HAIDIAN]
CHAOYANG_TEXT = [[str(c) for c in row] for row in CHAOYANG]

# --- GBK rows whose bytes are valid UTF-8: one character, one script ----------------------------------------

CSV_HEADER = "id,kind,name,lon,lat,capacity\n"


@pytest.mark.parametrize(
    ("name", "letters"),
    [("院", "Ժ"), ("站", "վ"), ("山", "ɽ"), ("学校", "ѧУ"), ("泉", "Ȫ")],
    ids=["armenian", "armenian-2", "ipa", "one-script-word", "latin-extended"],
)
def test_a_gbk_row_of_one_character_behind_a_bom_is_refused(tmp_path, city, name, letters):  # noqa: F811
    """院 in GBK is D4 BA, which UTF-8 reads as Ժ: one letter of one alphabet, which the check (two
    alphabets in one word) let through; 学校 (D1A7 D0A3) reads as ѧУ, both Cyrillic."""
    row = f"2,hospital,{name},116.31,39.995,200\n".encode("gbk")
    assert row.decode("utf-8") == f"2,hospital,{letters},116.31,39.995,200\n"  # valid UTF-8 indeed
    path = tmp_path / "res.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + (CSV_HEADER + "1,fire_station,中关村消防站,116.305,39.99,10\n").encode() + row
    )
    recipe = _recipe(tmp_path, city[0], path)
    code, text = cli("validate", recipe)
    refused(code, text, "which is GBK text read as UTF-8")
    assert f"'{name}' in GBK" in text and "line 3" in text, text


@pytest.mark.parametrize(
    "lines",
    [
        "1,storage_tank,罐区 3,116.3,39.9,500 m³\n",  # Chinese with units
        "1,storage_tank,tank 3,116.3,39.9,500 m³\n2,chemical,benzene 5 μg,116.3,39.9,1\n",  # units alone
        "1,shelter,μ,116.3,39.9,1\n",  # a lone Greek letter: a sign
        "1,shelter,Škoda,116.3,39.9,1\n2,shelter,Lưu Hương,116.3,39.9,1\n3,shelter,Ōsaka,116.3,39.9,1\n",
        "1,shelter,Уфа,54.7,55.9,1\n2,shelter,и,54.7,55.9,1\n",  # Russian: 'и' alone beside real Russian
        "1,shelter,Café à Zürich,8.5,47.3,1\n",
    ],
    ids=["chinese-units", "units", "greek-sign", "latin-extended-words", "russian", "latin-1"],
)
def test_honest_utf8_is_not_taken_for_gbk(lines):
    from urbanrisk.layers.encoding import gbk_read_as_utf8

    assert gbk_read_as_utf8((CSV_HEADER + lines).encode()) == []
