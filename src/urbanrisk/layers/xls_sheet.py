"""An Excel 97-2003 workbook (.xls, BIFF) read with xlrd as rows of text, with its merges over rows
(:func:`urbanrisk.layers.tabular.rows_from_file` fills them down as it does an .xlsx's).

A 街道 cell merged over the rows of its sites keeps its value in the merge's first cell only: without the
merges every row after the first read an empty 街道. xlrd gives a sheet's merges only when it reads the
workbook's formatting (``formatting_info=True``); a workbook whose formatting records xlrd cannot read is
read again without them (its rows as before, no merge filled: said in the run's notes).

Examples
--------
>>> xls_merges([(2, 5, 1, 2), (0, 1, 0, 4), (7, 9, 0, 1)])
[(2, 3, 5, 2), (1, 8, 9, 1)]
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import LayerError
from .sheets import ROWS_LOOKED_AT, pick_sheet
from .xlsx_sheet import Merge


@dataclass
class XlsSheet:
    """What :func:`read_xls_sheet` read: the sheet's name, the workbook's sheets, the sheet's rows as text,
    the other visible sheets' first rows (without ``sheet:``), its merges over rows and the notes."""

    name: str
    names: list[str]
    raw: list[list[str]]
    others: dict[str, list[list[str]]]
    merges: list[Merge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def xls_merges(merged_cells: list[tuple[int, int, int, int]]) -> list[Merge]:
    """xlrd's ``merged_cells`` (first row, row after the last, first column, column after the last;
    0-based) as :mod:`.xlsx_sheet`'s merges (first column, first row, last row, last column; 1-based),
    those over several rows only."""
    return [(clo + 1, rlo + 1, rhi, chi) for rlo, rhi, clo, chi in merged_cells if rhi - rlo > 1]


def _xls_value(cell: Any, datemode: int) -> Any:
    """An xlrd cell as openpyxl would give it (dates as datetimes, booleans as bools, errors as Excel
    writes them: #REF!)."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


def _xls_rows(book: Any, name: str, text: Callable[[Any], str], most: int | None = None) -> list[list[str]]:
    table = book.sheet_by_name(name)
    count = table.nrows if most is None else min(most, table.nrows)
    return [[text(_xls_value(c, book.datemode)) for c in table.row(i)] for i in range(count)]


def _open(path: Path, formatting: bool) -> Any:
    import xlrd

    # xlrd logs to stdout: kept in a buffer
    return xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO(), formatting_info=formatting)


def read_xls_sheet(path: Path, sheet: str | int | None, layer: str, text: Callable[[Any], str]) -> XlsSheet:
    """Read the sheet ``sheet:`` names (else the first visible one) of the .xls at ``path``, its cells as
    ``text`` gives them.

    Raises
    ------
    LayerError
        A file xlrd cannot read (cut short, damaged) or a sheet the workbook does not have.
    """

    def unreadable(exc: Exception) -> LayerError:
        reason = str(exc) or type(exc).__name__
        return LayerError(
            f"layer '{layer}': cannot read {path} as an Excel 97-2003 workbook ({reason}); is it complete "
            "(not cut short)? open it in Excel and save it as .xlsx, or export it again"
        )

    notes = []
    try:  # xlrd raises its own, IndexError, struct.error... on a truncated file
        book = _open(path, formatting=True)
    except Exception:  # formatting records xlrd cannot read: the cells without them
        try:
            book = _open(path, formatting=False)
        except Exception as exc:
            raise unreadable(exc) from exc
        notes.append(
            f"{layer}: the formatting of {path.name} could not be read: cells merged over several rows "
            "were not filled down (each row after a merge's first reads empty); unmerge them in Excel and "
            "fill the cells"
        )
    try:
        names = book.sheet_names()
        shown = getattr(book, "_sheet_visibility", [])  # xlrd: 0 visible, 1 hidden, 2 very hidden
        hidden = frozenset(n for n, v in zip(names, shown, strict=False) if v)
        name = pick_sheet(names, sheet, path, layer, hidden=hidden)
        seen = [n for n in ([] if sheet is not None else names) if n != name and n not in hidden]
        try:
            raw = _xls_rows(book, name, text)
            merges = xls_merges(list(getattr(book.sheet_by_name(name), "merged_cells", [])))
            others = {n: _xls_rows(book, n, text, ROWS_LOOKED_AT) for n in seen}
        except Exception as exc:
            raise unreadable(exc) from exc
    finally:
        book.release_resources()
    return XlsSheet(name, names, raw, others, merges, notes)
