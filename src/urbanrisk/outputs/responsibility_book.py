"""The responsibility list (责任清单) as an Excel workbook a clerk opens and prints: ``responsibility.xlsx``,
one sheet per grade (I级（红）, II级（橙）, III级（黄）, IV级（蓝）, then 无数据 when some item has no grade),
each with the CSV's columns and headers (Chinese in a zh run), its header row bold, frozen and printed on
every page, an autofilter, columns wide enough for their Chinese text and the tab in the grade's colour.

Cells are typed: text stays text (a code 110108001001 or 007 is not turned into a number, a name
``=HYPERLINK(...)`` is text Excel does not run: no ``'`` or ``="..."`` as the CSV needs), people are
numbers, an unknown value is an empty cell (never 0). ``responsibility.csv`` stays beside it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..result import GRADE_COLOURS, GRADES, NO_DATA, NO_DATA_COLOUR

#: each grade's sheet name per language (Excel: at most 31 characters, none of : \ / ? * [ ])
SHEET_NAMES = {
    "zh": {"I": "I级（红）", "II": "II级（橙）", "III": "III级（黄）", "IV": "IV级（蓝）", NO_DATA: "无数据"},
    "en": {"I": "I (red)", "II": "II (orange)", "III": "III (yellow)", "IV": "IV (blue)", NO_DATA: "no data"},
}
#: a column's width in Excel's units (one Latin character; a Chinese one takes two): at least, at most
MIN_WIDTH, MAX_WIDTH = 6, 60
#: rows a column's width is measured on (a sheet of 100,000 sources: its first rows tell)
WIDTH_ROWS = 2000
#: most items the workbook is written for: openpyxl writes ~4,000 rows a CPU second (27 columns, no
#: lxml), so a 100,000-source registry's list would add ~25 CPU s to the run; a list that long is read
#: by programs (responsibility.parquet) or filtered in responsibility.csv, and the report says so
MAX_BOOK_ROWS = 20_000

__all__ = ["MAX_BOOK_ROWS", "SHEET_NAMES", "display_width", "grade_sheets", "write_responsibility_book"]


def display_width(text: str) -> int:
    """How many Latin characters' width ``text`` takes in a spreadsheet column: a wide (Chinese,
    full-width) character two, any other one.

    >>> display_width("名称"), display_width("THS-H01"), display_width("加油站（II级）")
    (4, 7, 14)
    """
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def grade_sheets(frame: pd.DataFrame, language: str) -> list[tuple[str, str, pd.DataFrame]]:
    """The workbook's sheets: (grade, sheet name, rows) for each grade, worst first, whether it has
    items or not, then the items without a grade when there are any; rows in the list's order.

    >>> frame = pd.DataFrame({"grade": ["II", "no data", "II"], "name": ["a", "b", "c"]})
    >>> [(name, len(rows)) for _, name, rows in grade_sheets(frame, "zh")]
    [('I级（红）', 0), ('II级（橙）', 2), ('III级（黄）', 0), ('IV级（蓝）', 0), ('无数据', 1)]
    """
    names = SHEET_NAMES["zh" if language == "zh" else "en"]
    grades = frame["grade"].astype(str) if "grade" in frame.columns else pd.Series(NO_DATA, index=frame.index)
    out = [(g, names[g], frame[(grades == g).to_numpy()]) for g in GRADES]
    rest = frame[~grades.isin(GRADES).to_numpy()]
    return out + ([(NO_DATA, names[NO_DATA], rest)] if len(rest) else [])


def _value(value: Any) -> Any:
    """A cell's value as openpyxl writes it: missing -> None (an empty cell), numpy -> Python."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _widths(headers: list[str], rows: pd.DataFrame) -> list[float]:
    """Each column's width: its header's or its widest text among the first :data:`WIDTH_ROWS` rows."""
    out = []
    for at, header in enumerate(headers):
        values = rows.iloc[:WIDTH_ROWS, at]
        widest = max(
            [display_width(str(header)), *(display_width(str(v)) for v in values if _value(v) is not None)]
        )
        out.append(float(min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)))
    return out


#: number formats of the list's columns: people in thousands, unknown shares as percentages
NUMBER_FORMATS = {"residents": "#,##0", "residents_unknown_share": "0.0%"}


def write_responsibility_book(frame: pd.DataFrame, headers: list[str], path: Path, language: str) -> None:
    """``frame`` (the responsibility list as :func:`urbanrisk.outputs.tables.responsibility_rows` gives it)
    as ``path``, an .xlsx of :func:`grade_sheets`, its columns headed ``headers`` (the CSV's); in Chinese a
    grade of no data reads 无数据. Text wider than its column wraps."""
    # openpyxl imported only here: the outputs import this module, a run without a list never needs it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if language == "zh" and "grade" in frame.columns:
        frame = frame.assign(grade=frame["grade"].replace({NO_DATA: SHEET_NAMES["zh"][NO_DATA]}))
    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    formats = [NUMBER_FORMATS.get(str(c)) for c in frame.columns]
    for grade, name, rows in grade_sheets(frame, language):
        sheet = book.create_sheet(name)
        sheet.sheet_properties.tabColor = "{:02X}{:02X}{:02X}".format(
            *GRADE_COLOURS.get(grade, NO_DATA_COLOUR)[:3]
        )
        widths = _widths(headers, rows)
        for at, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(at)].width = width
        sheet.freeze_panes = "A2"  # the header stays in view while scrolling
        sheet.print_title_rows = "1:1"  # and is printed on every page
        if headers:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"

        def cell(value: Any, **style: Any) -> Any:
            out = WriteOnlyCell(sheet, value=value)  # noqa: B023 (the sheet of this loop's turn)
            if isinstance(value, str):
                out.data_type = "s"  # text, never a formula ("=1+1" as written)
            for key, setting in style.items():
                setattr(out, key, setting)
            return out

        def value_of(raw: Any, width: float, number_format: str | None) -> Any:
            """A cell's value as is where openpyxl writes it right (most: 0.3 ms a row saved), else a cell."""
            value = _value(raw)
            if isinstance(value, str):
                if ILLEGAL_CHARACTERS_RE.search(value):  # control characters: no valid sheet holds them
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if 2 * len(value) > width and display_width(value) > width:
                    return cell(value, alignment=wrap)  # wider than its column: wrapped
                return cell(value) if value.startswith("=") else value
            return cell(value, number_format=number_format) if number_format and value is not None else value

        sheet.append([cell(h, font=bold) for h in headers])
        for values in rows.itertuples(index=False, name=None):
            sheet.append([value_of(v, w, f) for v, w, f in zip(values, widths, formats, strict=True)])
    book.properties.created, book.properties.creator = FIXED_TIME, "urbanrisk"
    book.save(path)
    _same_bytes(path)


#: the workbook's dates (its properties', its zip entries'): the same list gives the same file, byte for
#: byte (a run on processes writes what a synchronous one does; a rescan's unchanged outputs stay so)
FIXED_TIME = datetime.datetime(2000, 1, 1)


def _same_bytes(path: Path) -> None:
    """``path`` rewritten with :data:`FIXED_TIME` for the time openpyxl saved it at (``dcterms:modified``)
    and each zip entry's date."""
    with zipfile.ZipFile(path) as book:
        parts = [(info, book.read(info.filename)) for info in book.infolist()]
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            book.writestr(fixed, data)
