"""Hostile input, round 11 (session 17, office17): a generator of an office's hostile files (an .xlsx
written by hand: formulas with saved values, #N/A / #REF! / #DIV/0!, hidden and very hidden sheets, dates
on coordinates, duplicated headers, 0, 0 and swapped rows, a 32,767-character name, a sheet formatted down
to row 1,048,576, a shared string past the list, rows out of order, merges; CSV declared in the wrong
encoding, 度分秒 coordinates, decimal commas, the header pasted again, a 3 MB cell). Every case gives
correct data or a clear refusal (the key, the row, the fix; in Chinese too), never a traceback or a hang.
"""

from __future__ import annotations

import re
import signal
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk._errors import LayerError
from urbanrisk.layers.points import points_from_file
from urbanrisk.outputs.i18n import data_text
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.screens.major_hazard import tonnes

HEAD = ["名称", "类别", "经度", "纬度"]
GOOD = [["甲站", "加油站", 116.31, 39.99], ["乙站", "加油站", 116.32, 39.98]]


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):  # raw XML pieces: (attributes, inner)
        return f'<c r="{ref}" {value[0]}>{value[1]}</c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _col(j: int) -> str:
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(
    rows: list[list[object]],
    *,
    extra: str = "",
    dimension: str | None = None,
    tail: str = "",
    numbers: list[int] | None = None,
) -> str:
    """A sheet's XML: ``rows`` numbered 1, 2, ... (or ``numbers``), ``extra`` rows after them."""
    numbers = numbers or list(range(1, len(rows) + 1))
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{_col(j)}{r}", v) for j, v in enumerate(row)) + "</row>"
        for r, row in zip(numbers, rows, strict=True)
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}{extra}</sheetData>{tail}</worksheet>"
    )


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def xlsx(path: Path, sheets: list[tuple[str, str, str]], shared: list[str] | None = None) -> Path:
    """A workbook written by hand: (name, sheet XML, state: visible / hidden / veryHidden) each."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.styles+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else ""
        )
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        + "</Types>"
    )
    root = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
        + "".join(
            f'<sheet name="{escape(n)}" sheetId="{i + 1}" state="{s}" r:id="rId{i + 1}"/>'
            for i, (n, _, s) in enumerate(sheets)
        )
        + "</sheets></workbook>"
    )
    links = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel}/styles" Target="styles.xml"/>'
        + (
            f'<Relationship Id="rId{len(sheets) + 2}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            if shared is not None
            else ""
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", links)
        z.writestr("xl/styles.xml", STYLES)
        if shared is not None:
            z.writestr(
                "xl/sharedStrings.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="{len(shared)}">'
                + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
                + "</sst>",
            )
        for i, (_, xml, _) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return path


def one(path: Path, rows: list[list[object]], **kw: str) -> Path:
    return xlsx(path, [("台账", sheet_xml([HEAD, *rows], **kw), "visible")])


def cases(d: Path) -> dict[str, tuple[Path, dict]]:
    """name -> (file, points_from_file options)."""
    out: dict[str, tuple[Path, dict]] = {}

    def add(name: str, path: Path, **options: object) -> None:
        out[name] = (path, options)

    f = ("", "<f>116.3+0.01</f><v>116.31</v>")
    add("formula_cached", one(d / "f1.xlsx", [["甲站", "加油站", f, 39.99], GOOD[1]]))
    add(
        "formula_error_na",
        one(
            d / "f2.xlsx",
            [["甲站", "加油站", ('t="e"', "<f>VLOOKUP(A2,X,2,0)</f><v>#N/A</v>"), 39.99], GOOD[1]],
        ),
    )
    add(
        "error_ref_name",
        one(d / "f3.xlsx", [[('t="e"', "<f>#REF!</f><v>#REF!</v>"), "加油站", 116.31, 39.99], GOOD[1]]),
    )
    add(
        "error_div0_quantity",
        xlsx(
            d / "f4.xlsx",
            [
                (
                    "台账",
                    sheet_xml(
                        [
                            [*HEAD, "最大存量"],
                            ["甲站", "加油站", 116.31, 39.99, ('t="e"', "<f>1/0</f><v>#DIV/0!</v>")],
                        ]
                    ),
                    "visible",
                )
            ],
        ),
    )
    add("error_value_lat", one(d / "f5.xlsx", [["甲站", "加油站", 116.31, ('t="e"', "<v>#VALUE!</v>")]]))
    old = sheet_xml([HEAD, ["旧站", "加油站", 116.0, 39.0]])
    add(
        "hidden_first_sheet",
        xlsx(d / "h1.xlsx", [("旧", old, "hidden"), ("台账", sheet_xml([HEAD, *GOOD]), "visible")]),
    )
    add(
        "very_hidden_first_sheet",
        xlsx(d / "h2.xlsx", [("旧", old, "veryHidden"), ("台账", sheet_xml([HEAD, *GOOD]), "visible")]),
    )
    add("every_sheet_hidden", xlsx(d / "h3.xlsx", [("台账", sheet_xml([HEAD, *GOOD]), "hidden")]))
    add(
        "hidden_sheet_named",
        xlsx(d / "h4.xlsx", [("旧", old, "hidden"), ("台账", sheet_xml([HEAD, *GOOD]), "visible")]),
        sheet="旧",
    )
    date = ('s="1"', "<v>116.31</v>")
    add("date_formatted_lon", one(d / "d1.xlsx", [["甲站", "加油站", date, 39.99], GOOD[1]]))
    add("date_formatted_both", one(d / "d2.xlsx", [["甲站", "加油站", date, ('s="1"', "<v>39.99</v>")]]))
    add("date_formatted_huge", one(d / "d3.xlsx", [["甲站", "加油站", ('s="1"', "<v>9999999</v>"), 39.99]]))
    add(
        "duplicated_header",
        xlsx(
            d / "u1.xlsx",
            [
                (
                    "台账",
                    sheet_xml([["名称", "名称", "经度", "纬度"], ["甲站", "加油站", 116.31, 39.99]]),
                    "visible",
                )
            ],
        ),
    )
    add(
        "duplicated_header_spaces",
        xlsx(
            d / "u2.xlsx",
            [
                (
                    "台账",
                    sheet_xml(
                        [["名称", "类别", "经度", "经度 ", "纬度"], ["甲站", "加油站", 116.31, 116.31, 39.99]]
                    ),
                    "visible",
                )
            ],
        ),
    )
    add(
        "duplicated_lon_names",
        xlsx(
            d / "u3.xlsx",
            [
                (
                    "台账",
                    sheet_xml(
                        [["名称", "类别", "经度", "lon", "纬度"], ["甲站", "加油站", 116.31, 116.5, 39.99]]
                    ),
                    "visible",
                )
            ],
        ),
    )
    add("zero_zero_rows", one(d / "z1.xlsx", [*GOOD, ["丙站", "加油站", 0, 0]]))
    add("swapped_rows", one(d / "z2.xlsx", [*GOOD, ["丙站", "加油站", 39.97, 116.33]]))
    add(
        "swapped_columns",
        one(d / "z3.xlsx", [["甲站", "加油站", 39.99, 116.31], ["乙站", "加油站", 39.98, 116.32]]),
    )
    add("very_long_name", one(d / "l1.xlsx", [["站" * 32767, "加油站", 116.31, 39.99]]))
    add(
        "very_long_header",
        xlsx(
            d / "l2.xlsx",
            [
                (
                    "台账",
                    sheet_xml([["名" * 20000, "类别", "经度", "纬度"], ["甲站", "加油站", 116.31, 39.99]]),
                    "visible",
                )
            ],
        ),
    )
    empty = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(4, 1_048_577))
    add("million_formatted_rows", one(d / "e1.xlsx", GOOD, extra=empty, dimension="A1:D1048576"))
    add("dimension_whole_sheet", one(d / "e2.xlsx", GOOD, dimension="A1:XFD1048576"))
    add(
        "shared_string_out_of_range",
        xlsx(
            d / "s1.xlsx",
            [("台账", sheet_xml([HEAD, [('t="s"', "<v>99</v>"), "加油站", 116.31, 39.99]]), "visible")],
            shared=["甲站"],
        ),
    )
    add(
        "cell_ref_beyond_xfd",
        xlsx(
            d / "s2.xlsx",
            [
                (
                    "台账",
                    sheet_xml([HEAD]).replace(
                        "</sheetData>", '<row r="2"><c r="XFZ2"><v>1</v></c></row></sheetData>'
                    ),
                    "visible",
                )
            ],
        ),
    )
    add(
        "rows_out_of_order",
        xlsx(d / "s3.xlsx", [("台账", sheet_xml([HEAD, GOOD[1], GOOD[0]], numbers=[1, 3, 2]), "visible")]),
    )
    add(
        "merged_coordinates",
        one(
            d / "m1.xlsx",
            [["甲站", "加油站", 116.31, 39.99], ["乙站", "加油站", None, None]],
            tail='<mergeCells count="2"><mergeCell ref="C2:C3"/><mergeCell ref="D2:D3"/></mergeCells>',
        ),
    )
    add(
        "merged_kind",
        one(
            d / "m2.xlsx",
            [["甲站", "加油站", 116.31, 39.99], ["乙站", None, 116.32, 39.98]],
            tail='<mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>',
        ),
    )
    add(
        "merge_past_last_row",
        one(d / "m3.xlsx", GOOD, tail='<mergeCells count="1"><mergeCell ref="B2:B1048576"/></mergeCells>'),
    )
    add(
        "merge_garbage_ref",
        one(d / "m4.xlsx", GOOD, tail='<mergeCells count="1"><mergeCell ref="B0:ZZZZ9"/></mergeCells>'),
    )
    # DMS with Chinese marks
    for i, (lon, lat) in enumerate(
        [
            ("116度18分36秒", "39度59分24秒"),
            ("东经116度18分36秒", "北纬39度59分24秒"),
            ("116°18′36″E", "39°59′24″N"),
            ("116°18'36.5\"", "39°59'24\""),
            ("E116°18′36″", "N39°59′24″"),
            ("116度18分", "39度59分"),
            ("116度61分", "39度59分"),
            ("西经116度18分", "39度59分"),
        ]
    ):
        path = d / f"dms{i}.csv"
        path.write_text(
            "名称,类别,经度,纬度\n"
            + f'甲站,加油站,"{lon.replace(chr(34), 2 * chr(34))}","{lat.replace(chr(34), 2 * chr(34))}"\n',
            encoding="utf-8",
        )
        add(f"dms_{i}", path)
    # encodings declared wrong
    text = "名称,类别,经度,纬度\n中国石化学院路加油站,加油站,116.31,39.99\n"
    (d / "g1.csv").write_bytes(text.encode("gbk"))
    add("gbk_declared_utf8", d / "g1.csv", encoding="utf-8")
    (d / "g2.csv").write_bytes(text.replace("中国石化", "𠀀䶮").encode("gb18030"))
    add("gb18030_declared_gbk", d / "g2.csv", encoding="gbk")
    (d / "g3.csv").write_bytes(text.encode("utf-8"))
    add("utf8_declared_gbk", d / "g3.csv", encoding="gbk")
    (d / "g4.csv").write_bytes(text.encode("utf-16"))
    add("utf16_declared_utf8", d / "g4.csv", encoding="utf-8")
    (d / "g5.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    add("utf8_bom_declared_gbk", d / "g5.csv", encoding="gbk")
    (d / "g6.csv").write_bytes(
        text.replace("名称", "名稱")
        .replace("类别", "類別")
        .replace("学院", "學院")
        .replace("国", "國")
        .replace("经度", "經度")
        .replace("纬度", "緯度")
        .encode("big5")
    )
    add("big5_declared_gbk", d / "g6.csv", encoding="gbk")
    add("unknown_codec_declared", d / "g1.csv", encoding="gbk2312x")
    # CSV odds
    (d / "c1.csv").write_text(
        "名称,类别,经度,纬度\n甲站,加油站,116.31,39.99\n名称,类别,经度,纬度\n乙站,加油站,116.32,39.98\n",
        encoding="utf-8",
    )
    add("header_repeated_mid_file", d / "c1.csv")
    (d / "c2.csv").write_text(
        "名称,类别,经度,纬度\n" + "甲站,加油站,116.31,39.99\n" + "x" * 3_000_000 + ",加油站,116.32,39.98\n",
        encoding="utf-8",
    )
    add("very_long_cell_csv", d / "c2.csv")
    (d / "c3.csv").write_text('名称,类别,经度,纬度\n甲站,加油站,"116,31","39,99"\n', encoding="utf-8")
    add("decimal_commas_quoted", d / "c3.csv")
    (d / "c4.csv").write_text("名称,类别,经度,纬度\n甲站,加油站,116.31°,39.99°\n", encoding="utf-8")
    add("degree_sign_decimal", d / "c4.csv")
    (d / "c5.csv").write_text(
        "名称,类别,经度,纬度\n甲站,加油站,#N/A,39.99\n乙站,加油站,116.32,#REF!\n", encoding="utf-8"
    )
    add("excel_errors_in_csv", d / "c5.csv")
    (d / "c6.csv").write_text("名称,类别,经度,纬度\n甲站,加油站,1900/4/25,39.99\n", encoding="utf-8")
    add("date_text_in_lon_csv", d / "c6.csv")
    return out


GOOD_POINTS = [("甲站", 116.31, 39.99), ("乙站", 116.32, 39.98)]
ONE = [("甲站", 116.31, 39.99)]
#: case -> the points read (name, lon, lat), or the words the refusal must hold
EXPECTED: dict[str, list[tuple[str, float, float]] | str] = {
    "formula_cached": GOOD_POINTS,  # the value Excel saved
    "formula_error_na": "'#N/A' in sheet '台账' row 2 is an Excel error, not a coordinate",
    "error_ref_name": [("", 116.31, 39.99), ("乙站", 116.32, 39.98)],  # no name, said (office18: never #REF!)
    "error_div0_quantity": ONE,  # its quantity unknown (below), never 0
    "error_value_lat": "'#VALUE!' in sheet '台账' row 2 is an Excel error",
    "hidden_first_sheet": GOOD_POINTS,  # the sheet on screen, not the old copy kept out of sight
    "very_hidden_first_sheet": GOOD_POINTS,
    "every_sheet_hidden": GOOD_POINTS,
    "hidden_sheet_named": [("旧站", 116.0, 39.0)],  # `sheet:` names it
    "date_formatted_lon": "'1900-04-25 07:26:24' in sheet '台账' row 2 is a date, not a coordinate",
    "date_formatted_both": "is a date, not a coordinate (Excel formats the cell as a date)",
    "date_formatted_huge": "'#VALUE!' in sheet '台账' row 2 is an Excel error",  # openpyxl: past any date
    "duplicated_header": "the header names ['名称'] more than once",
    "duplicated_header_spaces": "the header names ['经度'] more than once",
    "duplicated_lon_names": "the columns 'lon' and '经度' both name the lon and differ (sheet '台账' row 2: "
    "116.5 / 116.31)",
    "zero_zero_rows": "'经度' / '纬度' are 0, 0 in sheet '台账' row 4",
    "swapped_rows": "'经度' and '纬度' look swapped in sheet '台账' row 4 ('纬度' 116.33 is no latitude",
    "swapped_columns": "the lon and lat columns look swapped; swap `lon:` and `lat:`",
    "very_long_name": [("站" * 200, 116.31, 39.99)],  # cut to max_text_length, said in a note (below)
    "very_long_header": [("", 116.31, 39.99)],  # no 名称 column: no names, the points read
    "million_formatted_rows": GOOD_POINTS,  # read to the last row holding a value
    "dimension_whole_sheet": GOOD_POINTS,
    "shared_string_out_of_range": "cannot read sheet '台账' of",
    "cell_ref_beyond_xfd": "holds no points",
    "rows_out_of_order": "sheet '台账' writes row 2 after row 3 (rows out of order",
    "merged_coordinates": [("甲站", 116.31, 39.99), ("乙站", 116.31, 39.99)],  # as the sheet shows them
    "merged_kind": GOOD_POINTS,
    "merge_past_last_row": GOOD_POINTS,
    "merge_garbage_ref": "the workbook is damaged; open it in Excel and save it",
    "dms_0": ONE,
    "dms_1": ONE,
    "dms_2": ONE,
    "dms_3": [("甲站", 116.310139, 39.99)],
    "dms_4": ONE,
    "dms_5": [("甲站", 116.3, 39.983333)],
    "dms_6": "non-numeric lon/lat ('经度', '纬度') in row 2",  # 61 minutes
    "dms_7": [("甲站", -116.3, 39.983333)],  # 西经: west
    "gbk_declared_utf8": "it reads as gb18030: set `encoding: gb18030`",
    "gb18030_declared_gbk": "it reads as gb18030: set `encoding: gb18030`",
    "utf8_declared_gbk": "it reads as utf-8: set `encoding: utf-8`",
    "utf16_declared_utf8": "it reads as utf_16",
    "utf8_bom_declared_gbk": "it reads as utf-8-sig",
    "big5_declared_gbk": "it reads as big5",
    "unknown_codec_declared": "unknown encoding 'gbk2312x' in `encoding:`",
    "header_repeated_mid_file": "row 3 repeats the header ('经度', '纬度'): two tables pasted together?",
    "very_long_cell_csv": "line 3 holds a cell of more than 131,072 characters",
    "decimal_commas_quoted": "'116,31' in row 2 writes its decimals after a comma: write 116.31",
    "degree_sign_decimal": ONE,
    "excel_errors_in_csv": "'#N/A' in row 2 is an Excel error",
    "date_text_in_lon_csv": "non-numeric lon/lat ('经度', '纬度') in row 2",
}
#: an English run of four words or more: a message left untranslated
ENGLISH = re.compile(r"[A-Za-z]{4,}(?: [A-Za-z]{3,}){3,}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    return cases(tmp_path_factory.mktemp("round11"))


def test_the_generator_makes_thirty_cases_or_more(generated) -> None:
    assert len(generated) >= 30 and set(generated) == set(EXPECTED)


def _read(path: Path, options: dict, seconds: int = 10):
    def hang(*_):
        raise TimeoutError(f"{path.name} hung for {seconds} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        return points_from_file(path, layer="haz", role="hazard", kind_column="类别", **options)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: a date serial past any date
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_hostile_file_reads_right_or_is_refused_clearly(generated, case: str) -> None:
    path, options = generated[case]
    expected = EXPECTED[case]
    if isinstance(expected, str):
        with pytest.raises(LayerError) as error:
            _read(path, options)
        message = str(error.value)
        assert expected in message and message.startswith("layer 'haz'"), message
        zh = check_text(message, "zh")
        assert re.search(r"[\u4e00-\u9fff]", zh.replace(path.name, "")) and not ENGLISH.search(
            zh.replace(str(path), "")
        ), zh
        return
    points = _read(path, options)
    read = [(n, round(p.x, 6), round(p.y, 6)) for n, p in zip(points["name"], points.geometry, strict=True)]
    assert read == [(n, round(x, 6), round(y, 6)) for n, x, y in expected], read
    if case == "very_long_name":
        said = (
            "haz: 1 name(s) of l1.xlsx longer than 200 characters cut to 200 (sheet '台账' row 2): "
            "shorten them"
        )
        assert points.attrs["notes"] == [said]
        assert data_text(said, "zh") == (
            "haz：l1.xlsx 中有 1 个名称超过 200 个字符，已截断为 200 个字符"
            "（工作表 '台账' 第 2 行）：请缩短这些名称"
        )
    if case == "error_div0_quantity":
        assert points["quantity_t"].tolist() == ["#DIV/0!"] and tonnes("#DIV/0!") is None


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("excel_errors_in_csv", "c5.csv: '#N/A' in row 2 is an Excel error, not a coordinate"),
        ("zero_zero_rows", "z1.xlsx: '经度' / '纬度' are 0, 0 in sheet '台账' row 4"),
        ("swapped_rows", "z2.xlsx: '经度' and '纬度' look swapped in sheet '台账' row 4"),
        ("duplicated_lon_names", "u3.xlsx: the columns 'lon' and '经度' both name the lon and differ"),
        ("rows_out_of_order", "sheet '台账' writes row 2 after row 3"),
    ],
)
def test_validate_says_what_the_run_says(tmp_path, city, generated, case: str, said: str) -> None:  # noqa: F811
    path, _ = generated[case]
    layers = {"haz": {"type": "points", "role": "hazard", "path": str(path), "kind_column": "类别"}}
    refused(*cli("validate", raster_recipe(tmp_path, city[0], layers=layers)), said)
