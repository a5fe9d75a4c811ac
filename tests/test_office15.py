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


# --- a quantity's unit in the next column (单位) or in the header (最大存量（公斤）) ---------------

AMMONIA = (
    "编号,单位名称,类型,经度,纬度,危险物质,最大存量,单位\n"
    "H1,某化学品仓库,危险化学品场所,116.31,39.99,液氨,800,公斤\n"
)


def test_a_quantity_takes_the_unit_of_the_column_beside_it(tmp_path, city):  # noqa: F811
    """800 beside 公斤 was read as 800 t of 液氨: R = α 2 × β 2 × 800 / Q 10 = 320, a 一级 major hazard
    source. It is 0.8 t: Σq/Q = 0.8 / 10 = 0.08 < 1, no major hazard source (by hand, GB 18218 4.2)."""
    import pandas as pd

    (tmp_path / "h.csv").write_text(AMMONIA, encoding="utf-8")
    layer = {"type": "points", "path": str(tmp_path / "h.csv"), "kind_column": "类型"}
    code, text = cli(
        "run", "--scheduler", "synchronous", raster_recipe(tmp_path, city[0], layers={"h": layer})
    )
    assert code == 0, text
    source = pd.read_parquet(tmp_path / "out" / "latest" / "hazard_sources.parquet").iloc[0]
    assert source["quantity_t"] == "800公斤" and source["gb18218_grade"] == "", source.to_dict()
    assert "Σq/Q = 0.08 < 1" in source["gb18218_basis"], source["gb18218_basis"]


def _amounts(columns: dict[str, list[str]], quantity_column: str | None = None) -> list[str]:
    import pandas as pd

    from urbanrisk.layers.hazard_amounts import hazard_amounts

    frame = pd.DataFrame(columns)
    read = hazard_amounts(
        frame, None, quantity_column, layer="h", path="台账.xlsx", where=lambda i: f"row {i + 3}"
    )
    return read["quantity_t"].tolist()


def test_quantities_with_their_units_beside_in_the_header_or_their_own():
    from urbanrisk.screens.major_hazard import tonnes

    beside = _amounts(
        {"最大存量": ["800", "2;5", "30吨", "200", ""], "计量单位": ["公斤", "吨", "吨", "立方米", ""]}
    )
    assert beside == ["800公斤", "2吨;5吨", "30吨", "200立方米", ""]
    assert [tonnes(q) for q in beside[:3]] == [0.8, None, 30.0]  # '2吨;5吨' is read per substance
    assert _amounts({"最大存量（公斤）": ["500", "1,200"]}) == ["500公斤", "1,200公斤"]  # found by its header
    assert _amounts({"存量": ["３０"], "单位": ["中国石化"]}) == ["３０"]  # a 单位 of names: not units


def test_a_quantity_whose_unit_contradicts_the_unit_column_is_refused():
    from urbanrisk._errors import LayerError

    with pytest.raises(
        LayerError, match=r"the quantity '30吨' in row 4 writes its own unit, and the column '单位' says 公斤"
    ):
        _amounts({"最大存量": ["800", "30吨"], "单位": ["公斤", "公斤"]})


# --- blank rows between the data, a total row at the bottom (合计) ------------------------------------------


def _office_book(path: Path, bad_lon: object = 116.3150) -> Path:
    """A 台账 as an office keeps it: a merged title, a blank spacer row, a 合计 row at the bottom."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "危险源"
    sheet.append(["学院路街道危险源台账（2026年）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "单位名称", "类型", "经度", "纬度", "最大存量"])
    sheet.append([1, "中国石化五道口加油站 ", "加油站", "116.3096253 ", "39.9992962", "３０"])  # row 3
    sheet.append([None] * 6)  # row 4: a spacer
    sheet.append([2, "某液化气供应站", "燃气设施", bad_lon, 39.9906, 12])  # row 5
    sheet.append([None, "合计", None, None, None, 42])  # row 6
    book.save(path)
    return path


def test_blank_and_total_rows_are_no_sites_and_rows_keep_their_numbers(tmp_path, city):  # noqa: F811
    """The spacer row and the 合计 row were refused as rows without lon / lat ('fix or remove those rows')."""
    import pandas as pd

    layer = {"type": "points", "path": str(_office_book(tmp_path / "台账.xlsx")), "kind_column": "类型"}
    recipe = raster_recipe(tmp_path, city[0], layers={"h": layer})
    assert cli("validate", recipe)[0] == 0
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    assert "h: skipped the total rows (sheet '危险源' row 6) of 台账.xlsx" in text, text
    read = pd.read_parquet(tmp_path / "out" / "latest" / "hazard_sources.parquet")
    assert sorted(read["name"]) == ["中国石化五道口加油站", "某液化气供应站"]


def test_a_bad_row_below_a_blank_one_is_named_by_its_own_row(tmp_path, city):  # noqa: F811
    layer = {
        "type": "points",
        "path": str(_office_book(tmp_path / "台账.xlsx", "东经116")),
        "kind_column": "类型",
    }
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers={"h": layer}))
    refused(code, text, "sheet '危险源' row 5")


def test_data_rows_by_hand():
    from urbanrisk.layers.table_rows import data_rows

    rows = [["a", "1", "2"], ["", "", ""], ["合计", "", ""], ["小计", "116.3", "39.9"]]  # a site named 小计
    assert data_rows(rows, first=2) == (
        [["a", "1", "2"], ["合计", "", ""], ["小计", "116.3", "39.9"]],
        [2, 4, 5],
        [],
    )
    assert data_rows(rows, first=2, lonlat=(1, 2)) == (
        [["a", "1", "2"], ["小计", "116.3", "39.9"]],
        [2, 5],
        [4],
    )


# --- the office's Excel copies: 责任清单 and the risk registers per level, headers in Chinese -------


def test_registers_and_the_responsibility_list_open_in_excel_with_chinese_headers(tmp_path):
    """A zh run's responsibility.csv had headers item_type_zh, street_also_names...; the registers per level
    (风险清单) were Parquet only, which Excel does not open."""
    import csv

    import pandas as pd

    from urbanrisk.outputs.tables import write_tables

    register = pd.DataFrame(
        {
            "id": ["110108010001"],
            "name": ["五道口社区"],
            "parent_name": ["学院路街道"],
            "residents": [8544.089],
            "residents_I": [float("nan")],
            "uncovered_fire": [122.98],
            "worst_grade": ["III"],
        }
    )
    listed = pd.DataFrame(
        {
            "item_type": ["hazard_source"],
            "item_type_zh": ["危险源点"],
            "name": ["某化学品仓库"],
            "residents": [5498.96],
        }
        | {"street_name": ["东升地区"], "community_id": ["110108028001"], "response_level_zh": ["市级"]}
    )
    for language in ("zh", "en"):
        folder = tmp_path / language
        folder.mkdir()
        names = write_tables({"register_community": register, "responsibility": listed}, folder, language)
        assert names == [
            "register_community.parquet",
            "register_community.csv",
            "responsibility.parquet",
            "responsibility.csv",
            "responsibility.xlsx",
        ]
        assert (folder / "register_community.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel: UTF-8
        rows = list(
            csv.reader((folder / "register_community.csv").read_text(encoding="utf-8-sig").splitlines())
        )
        heads = next(csv.reader((folder / "responsibility.csv").read_text(encoding="utf-8-sig").splitlines()))
        if language == "zh":
            assert rows[0] == [
                "单元代码",
                "名称",
                "上级单元",
                "常住人口",
                "I级（重大）常住人口",
                "未覆盖人口（消防）",
                "最高等级",
            ]
            assert heads == ["事项类型代码", "风险事项", "名称", "常住人口", "街道", "社区代码", "响应级别"]
        else:
            assert rows[0] == list(register.columns) and heads == list(listed.columns)
        assert rows[1] == [
            '="110108010001"',
            "五道口社区",
            "学院路街道",
            "8544",
            "",
            "123",
            "III",
        ]  # unknown: empty
    assert pd.read_parquet(tmp_path / "zh" / "register_community.parquet")["id"].tolist() == ["110108010001"]


def test_an_unknown_hazard_kind_is_told_what_a_row_of_its_own_holds(tmp_path, city):  # noqa: F811
    """A kind the table lacks (燃气管道): no recipe key sets its radius and severity, a row of the recipe's
    own hazard_kinds.csv does; the message named the file but not what a row holds."""
    from urbanrisk.outputs.i18n_checks import check_text

    (tmp_path / "h.csv").write_text(
        "名称,类型,经度,纬度\n某燃气管道,燃气管道,116.31,39.99\n", encoding="utf-8"
    )
    layer = {"type": "points", "path": str(tmp_path / "h.csv"), "kind_column": "类型"}
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers={"h": layer}))
    refused(code, text, "unknown hazard kind(s) '燃气管道'")
    assert "(a row kind,label_en,label_zh,impact_radius_m,default_severity: the radius in metres" in text, (
        text
    )
    line = next(t for t in text.splitlines() if "unknown hazard kind" in t).strip()
    assert "影响半径（米，其内人员计为暴露）与严重度 1-4" in check_text(line, "zh")


def test_letters_gb2312_cannot_form_are_the_ones_defined():
    """The regular expression of letters beyond Latin whose second UTF-8 byte is below A1 (honest text in
    that alphabet: Russian р-я, Greek π-ω) against its definition, code point by code point."""
    from urbanrisk.layers.encoding import _FOREIGN

    defined = {chr(c) for c in range(0x250, 0x800) if c & 0x3F < 0x21}
    assert {chr(c) for c in range(0x80, 0x900) if _FOREIGN.fullmatch(chr(c))} == defined
    assert "р" in defined and "а" not in defined  # U+0440 (D1 80) and U+0430 (D0 B0, 学's second half)


def test_a_header_broken_over_two_lines_in_its_cell_is_read_as_excel_shows_it(tmp_path):
    """最大存量 Alt+Enter （公斤）: the header read '最大存量\\n（公斤）', which no recipe can name and
    no guess found: the store's GB 18218 quantity was silently not read."""
    import openpyxl

    from urbanrisk.layers.points import points_from_file

    book = openpyxl.Workbook()
    book.active.append(["单位名称", "类型", "经度", "纬度", "危险\n物质", "最大存量\n（公斤）"])
    book.active.append(["某化学品仓库", "危险化学品场所", 116.31, 39.99, "液氨", "800"])
    book.save(tmp_path / "台账.xlsx")
    read = points_from_file(tmp_path / "台账.xlsx", layer="h", kind_column="类型")
    assert read["quantity_t"].tolist() == ["800公斤"] and read["substance"].tolist() == ["液氨"]
