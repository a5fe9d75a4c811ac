"""Registries (台账) as they come: CSV in UTF-8 or GBK/GB18030, Excel .xlsx / .xls, read as rows of text.

Every cell is text (numbers as Excel shows them: ``3``, ``2.5``, ``116.3096253``), so that a value is
never reinterpreted on the way in (a grade ``一级`` stays a label, ``2.5`` stays 2.5). A title row above
the header (a merged cell such as "XX区重大危险源台账") is skipped: the header is the first row with two
or more filled cells; a header spanning two rows (cells merged across columns over names of their own:
人口 over 户籍人口 / 常住人口) is refused with the fix. An Excel file is read as what its first bytes
say (an .xlsx renamed .xls is read); an HTML page or text saved as .xls (web systems' "Excel"
exports) is refused with the fix. Light on purpose (no pandas): ``urbanrisk validate`` reads headers
with it.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "台账.csv"
>>> _ = path.write_bytes("某区台账\\n名称,类型,经度,纬度\\n中国石化,加油站,116.31,39.99\\n".encode("gbk"))
>>> table = rows_from_file(path, layer="h")
>>> table.columns, table.rows, table.encoding, table.row_number(0)
(['名称', '类型', '经度', '纬度'], [['中国石化', '加油站', '116.31', '39.99']], 'gb18030', 3)
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import LayerError
from .encoding import file_encoding, wrong_encoding_hint
from .excel_format import excel_format
from .point_wkt import wkt_column
from .sheets import ROWS_LOOKED_AT, pick_sheet, several_sheets, sheet_hint, sheets_alike
from .table_columns import LAT_NAMES, LON_NAMES, guess_column
from .table_rows import data_rows
from .xls_sheet import read_xls_sheet
from .xlsx_sheet import filled_down, scan_sheet, sheet_rows, stray_header_cell
from .xlsx_tokens import giant_token

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TABULAR_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES


@dataclass
class Rows:
    """A table read as text: its header, its data rows, and where they stand in the file."""

    columns: list[str]
    rows: list[list[str]]
    header_line: int  # 1-based line / spreadsheet row of the header
    encoding: str | None = None  # text files only
    sheet: str | None = None  # spreadsheets only
    numbers: list[int] | None = None  # each row's line / spreadsheet row (blank rows left out)
    totals: list[int] = field(default_factory=list)  # rows of totals left out (合计, no lon / lat)
    notes: list[str] = field(default_factory=list)  # what the reading changed (merged cells filled down)

    def row_number(self, i: int) -> int:
        """The line (CSV) or spreadsheet row holding data row ``i`` (0-based), as the user sees it."""
        return self.numbers[i] if self.numbers is not None else self.header_line + 1 + i

    def where(self, i: int) -> str:
        """'row 5' or 'sheet 台账 row 5', for messages."""
        return (f"sheet '{self.sheet}' " if self.sheet else "") + f"row {self.row_number(i)}"


#: characters no one sees that break a number or a column name (a BOM mid-file, zero-width spaces)
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u2060"))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:  # 1e308: not 309 digits
        return str(int(value))
    return str(value).strip().translate(INVISIBLE)


def header_text(cell: str) -> str:
    """A header cell as Excel shows it, its line breaks (Alt+Enter: 最大存量 over （吨）) taken out: none
    between Chinese, a space between words.

    >>> header_text(" 最大存量\\n（吨） "), header_text("Maximum\\r\\nquantity")
    ('最大存量（吨）', 'Maximum quantity')
    """
    parts = [p.strip() for p in cell.splitlines() if p.strip()]
    text = parts[0] if parts else ""
    for part in parts[1:]:
        text += ("" if not (text[-1] + part[0]).isascii() else " ") + part
    return text


def shown_columns(columns: list[str], most: int = 30) -> str:
    """A file's columns for a message: the first ``most`` and how many more (a header of 5 M columns
    made a 40 MB message).

    >>> shown_columns(["a", "b"]), shown_columns([f"c{i}" for i in range(40)], most=2)
    ("['a', 'b']", "['c0', 'c1', ... and 38 more]")
    """
    if len(columns) <= most:
        return str(columns)
    return str(columns[:most])[:-1] + f", ... and {len(columns) - most:,} more]"


def _sub_header(header: list[str], below: list[str]) -> bool:
    """Whether ``below`` continues ``header``: it names columns under cells merged across columns (a
    blank header cell, or the named one before it), nothing else, and holds no number.

    >>> _sub_header(["街道", "社区", "人口（人）", ""], ["", "", "户籍人口", "常住人口"])
    True
    >>> _sub_header(["名称", "类型", "", "备注"], ["中国石化", "加油站", "x", ""])  # a data row
    False
    """
    width = min(len(header), len(below))
    cells = [c.strip() for c in below[:width]]
    grouped = [not header[j] or (j + 1 < width and not header[j + 1]) for j in range(width)]
    if not any(c and not header[j] for j, c in enumerate(cells)):  # names no column the header leaves blank
        return False
    numbers = any(c.replace(".", "", 1).replace(",", "").lstrip("-").isdigit() for c in cells if c)
    beyond = any(c.strip() for c in below[width:])  # a cell past the header's last column: data
    return not numbers and not beyond and all(grouped[j] for j, c in enumerate(cells) if c)


def _split_header(raw: list[list[str]], path: Path, layer: str, hint: str = "", **where: str) -> Rows:
    """The header (the first row with >= 2 filled cells) and the rows of data below it (blank rows and,
    with lon / lat columns, rows of totals left out: :mod:`.table_rows`); ``where``: encoding or sheet."""
    start = next((i for i, row in enumerate(raw) if sum(bool(c.strip()) for c in row) >= 2), None)
    if start is None:
        msg = f"layer '{layer}': {path} has no header row (a row naming two or more columns){hint}"
        raise LayerError(msg)
    header = [header_text(c) for c in raw[start]]
    below = [c.strip().lower() for c in raw[start + 1]] if start + 1 < len(raw) else []
    named = any(c.lower() in LON_NAMES + LAT_NAMES for c in header)
    if (not named and any(c in LON_NAMES for c in below) and any(c in LAT_NAMES for c in below)) or (
        _sub_header(header, raw[start + 1] if start + 1 < len(raw) else [])
    ):  # 坐标 merged over 经度 / 纬度; 人口 over 户籍人口 / 常住人口
        example = " / ".join(c.strip() for c in raw[start + 1] if c.strip())
        msg = (
            f"layer '{layer}': {path}: its header spans two rows ({', '.join(c for c in header if c)} over "
            f"{', '.join(c for c in raw[start + 1] if c.strip())}: merged cells?){hint}; make the header one "
            f"row that names every column (unmerge the cells, e.g. {example} in the first row)"
        )
        raise LayerError(msg)
    while header and not header[-1]:
        header.pop()
    if problem := stray_header_cell(header):
        raise LayerError(f"layer '{layer}': {path}: {problem}")
    header = [c or f"column_{j + 1}" for j, c in enumerate(header)]
    twice = sorted(c for c, n in Counter(header).items() if n > 1)  # list.count: 5 M columns hung for hours
    if twice:
        msg = (
            f"layer '{layer}': {path}: the header names {twice} more than once; give each column its own name"
        )
        raise LayerError(msg)
    width = len(header)
    rows = [row if len(row) == width else (row + [""] * width)[:width] for row in raw[start + 1 :]]
    lon, lat = guess_column(header, LON_NAMES), guess_column(header, LAT_NAMES)
    lonlat = (header.index(lon), header.index(lat)) if lon and lat else None
    if not (lon or lat) and (wkt := wkt_column(header)):  # a WKT registry: its place is that column's
        lonlat = (header.index(wkt), header.index(wkt))
    rows, numbers, totals = data_rows(rows, first=start + 2, lonlat=lonlat)
    return Rows(header, rows, start + 1, numbers=numbers, totals=totals, **where)


#: The most bytes of a CSV / TSV registry (read whole, each cell a Python string: ~10x in memory).
TEXT_MAX_BYTES = 500_000_000


def _read_text(path: Path, encoding: str | None, layer: str) -> Rows:
    size = path.stat().st_size
    if size > TEXT_MAX_BYTES:  # a 2 GB dump given as a registry ran the machine out of memory
        msg = (
            f"layer '{layer}': {path} holds {size / 1e6:,.0f} MB, more than the {TEXT_MAX_BYTES / 1e6:,g} MB "
            "a CSV registry may hold (it is read whole): is it the right file? keep one row per site, or "
            "give it as a GeoPackage"
        )
        raise LayerError(msg)
    codec = file_encoding(path, declared=encoding, layer=layer)
    try:
        text = path.read_bytes().decode(codec)
    except UnicodeDecodeError as exc:
        msg = (
            f"layer '{layer}': {path} is not {codec} text (byte {exc.start} cannot be read); "
            "set `encoding:` to the file's encoding (e.g. gbk, gb18030, utf-8)"
            + wrong_encoding_hint(path, layer)
        )
        raise LayerError(msg) from exc
    text = text.translate(INVISIBLE)  # a BOM mid-file too (two files pasted together), zero-width spaces
    first = next((line for line in text.splitlines() if line.strip()), "")
    tabs = path.suffix.lower() == ".tsv" or first.count("\t") > max(first.count(","), first.count("，"))
    delimiter = "\t" if tabs else ","  # Excel's "Unicode Text" saved as .csv is tab-separated
    for sign, why in ((";", "European settings, often with decimal commas too"), ("，", "full-width commas")):
        if delimiter == "," and first.count(sign) > first.count(","):  # read with ",", its rows fell apart
            and_dot = " and '.' in numbers" if sign == ";" else ""
            msg = (
                f"layer '{layer}': {path} separates its columns with '{sign}' (a CSV saved with {why}): "
                f"save it with ',' between columns{and_dot}"
            )
            raise LayerError(msg)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        raw = list(reader)  # each row a new list
    except csv.Error as exc:  # a cell past 131,072 characters (a stray quote, or a text pasted in)
        line = reader.line_num
        msg = f"layer '{layer}': cannot read {path} as CSV (line {line}: {exc}); save it as CSV with a header"
        msg += " row"
        if "field limit" in str(exc):
            msg = (
                f"layer '{layer}': {path}: line {line} holds a cell of more than {csv.field_size_limit():,} "
            )
            msg += "characters (a text pasted into one cell?): shorten it"
        raise LayerError(msg) from exc
    _unclosed_quote(raw, delimiter, path, layer)
    return _split_header(raw, path, layer, encoding=codec)


def _unclosed_quote(raw: list[list[str]], delimiter: str, path: Path, layer: str) -> None:
    """Refuse a quote (") opened in a row's cell and never closed: the rest of the file was read as that
    one cell (the rows after it gone, the row itself told as empty coordinates or an unknown kind)."""
    if not raw or not raw[-1] or len(raw) < 2:
        return
    last = raw[-1][-1]
    if last.count("\n") >= 1 and last.count(delimiter) >= max(1, len(raw[0]) - 1):  # whole rows in a cell
        msg = (
            f"layer '{layer}': {path}: line {len(raw)} opens a quote (\") that is never closed, so the rest "
            "of the file was read as one cell: remove the stray quote or close it (a quote inside a cell is "
            'written twice: "")'
        )
        raise LayerError(msg)


#: The most bytes an .xlsx may unpack to (its XML): ~5 M cells, far beyond any registry; a zip bomb
#: (a sheet of 1.5 GB of blanks packed into 1.5 MB) ran openpyxl out of memory (a traceback).
XLSX_MAX_UNPACKED = 500_000_000


def _unpacked_problem(handle: Any, path: Path, layer: str) -> str | None:
    """What to say of an .xlsx that unpacks to more than ``XLSX_MAX_UNPACKED`` bytes, or None."""
    import zipfile

    try:
        members = zipfile.ZipFile(handle).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # openpyxl names the damage
    finally:
        handle.seek(0)
    unpacked = sum(m.file_size for m in members)
    if unpacked <= XLSX_MAX_UNPACKED:
        return None
    ratio = unpacked / max(1, path.stat().st_size)
    return (
        f"layer '{layer}': {path} unpacks to {unpacked / 1e6:,.1f} MB, {ratio:,.0f} "
        f"times its size (at most {XLSX_MAX_UNPACKED / 1e6:,g} MB: a damaged workbook or a zip bomb?): "
        "save the registry as CSV, or export it again"
    )


def _unpadded(sheet: Any) -> Any:
    """``sheet`` (read-only) reading each row as long as its cells: a stray cell in column XFD padded
    every row to 16,384 cells."""
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    return sheet


def _unsaved_formula(book: Any, name: str, raw: list[list[str]], most_rows: int = 1_000) -> str | None:
    """A formula cell with no saved value among the first rows (the workbook was written by a program,
    not saved by Excel: it read as empty cells, "holds no points"), or None."""
    try:
        _unpadded(book[name])
        for i, row in enumerate(book[name].iter_rows(max_row=most_rows)):
            for j, cell in enumerate(row):
                value = getattr(cell, "value", None)
                saved = raw[i][j] if i < len(raw) and j < len(raw[i]) else ""
                if isinstance(value, str) and value.startswith("=") and not saved:
                    return (
                        f"cell {cell.coordinate} of sheet '{name}' holds a formula ({value[:40]}) without a "
                        "saved value (written by a program, not saved by Excel): open the file in Excel and "
                        "save it, or write the values"
                    )
    finally:
        book.close()
    return None


def _read_xlsx(path: Path, sheet: str | int | None, layer: str) -> Rows:
    import openpyxl

    # from an open file, not the name: openpyxl refuses a name ending .xls (an .xlsx renamed)
    with open(path, "rb") as handle:
        if problem := _unpacked_problem(handle, path, layer):
            raise LayerError(problem)
        if part := giant_token(handle):  # expat 2.5 took hours over a 200 MB comment
            msg = (
                f"layer '{layer}': {path} holds XML no spreadsheet program writes (a comment, a DTD or "
                f"megabytes of text in {part}), which would take hours to read: open it in Excel and save it "
                "again, or save the registry as CSV"
            )
            raise LayerError(msg)
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on a bad file
            msg = f"layer '{layer}': cannot read {path} as an Excel workbook ({exc}); save it as .xlsx or CSV"
            raise LayerError(msg) from exc
        try:
            names = book.sheetnames
            hidden = frozenset(w.title for w in book.worksheets if getattr(w, "sheet_state", "") != "visible")
            name = pick_sheet(names, sheet, path, layer, hidden=hidden)
            scan = scan_sheet(path, getattr(book[name], "_worksheet_path", ""))  # merges, last row, order
            raw = sheet_rows(book[name], scan, path, layer, text=_cell_text)
            others = {
                n: [
                    [_cell_text(v) for v in row]
                    for row in _unpadded(book[n]).iter_rows(max_row=ROWS_LOOKED_AT, values_only=True)
                ]
                for n in ([] if sheet is not None else names)
                if n != name and n not in hidden
            }
        finally:
            book.close()
        handle.seek(0)
        if problem := _unsaved_formula(openpyxl.load_workbook(handle, read_only=True), name, raw):
            raise LayerError(f"layer '{layer}': {path}: {problem}")
    merged = filled_down(raw, scan.merges, layer=layer, file=path.name, sheet=name)  # 街道 over rows
    if alike := sheets_alike(raw, others):
        raise several_sheets(path, layer, name, alike)
    table = _split_header(raw, path, layer, sheet_hint(name, names), sheet=name)
    table.notes = merged
    return table


def _read_xls(path: Path, sheet: str | int | None, layer: str) -> Rows:
    read = read_xls_sheet(path, sheet, layer, _cell_text)
    merged = filled_down(read.raw, read.merges, layer=layer, file=path.name, sheet=read.name)  # 街道
    if alike := sheets_alike(read.raw, read.others):
        raise several_sheets(path, layer, read.name, alike)
    table = _split_header(read.raw, path, layer, sheet_hint(read.name, read.names), sheet=read.name)
    table.notes = read.notes + merged
    return table


#: The registries read within :func:`read_once` (the file as read, sheet, encoding, layer -> its rows);
#: None outside (every read parses the file). Per context: another thread reads for itself.
_KEPT: ContextVar[dict[tuple[Any, ...], Rows] | None] = ContextVar("kept_registry_rows", default=None)


_EVERY_READ: ContextVar[bool] = ContextVar("kept_for_every_read", default=False)


@contextmanager
def read_once(*, every_read: bool = False) -> Iterator[None]:
    """Within: a registry read again unchanged (same path, size and modification time, sheet,
    encoding and layer) gives the rows read before instead of a second parse. A run's preflight and
    its load both read each CSV / Excel registry whole, one after the other (~0.4 s CPU a read at
    100,000 rows); the rows are read-only text, so both may share them. Kept for that one second
    read (then a third parses again) or until the block ends: not held while the load goes on.
    ``every_read``: kept for every read until the block ends (``validate``: its checks of the layers,
    of the datum and of the units each read a registry whole, three parses of one file)."""
    token, every = _KEPT.set({}), _EVERY_READ.set(every_read)
    try:
        yield
    finally:
        _KEPT.reset(token)
        _EVERY_READ.reset(every)


def rows_from_file(
    path: str | Path, *, layer: str, sheet: str | int | None = None, encoding: str | None = None
) -> Rows:
    """Read a CSV / TSV (any encoding) or Excel registry as text rows under its header.

    Parameters
    ----------
    sheet
        Excel only: a sheet's name, or its number counting from 1 (default: the first sheet).
    encoding
        Text files only: the encoding (default: detected, see :mod:`urbanrisk.layers.encoding`).

    Raises
    ------
    LayerError
        A file that cannot be read (an Excel name on an HTML page or on text is named as such), a
        missing sheet, an undecodable text, or no header row.
    """
    path = Path(path)
    kept = _KEPT.get()
    if kept is None:
        return _read_rows(path, layer, sheet, encoding)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, sheet, encoding, layer)
    if key in kept:
        return kept[key] if _EVERY_READ.get() else kept.pop(key)
    kept[key] = rows = _read_rows(path, layer, sheet, encoding)
    return rows


def _read_rows(path: Path, layer: str, sheet: str | int | None, encoding: str | None) -> Rows:
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if excel_format(path, layer) == "xls":
            return _read_xls(path, sheet, layer)
        return _read_xlsx(path, sheet, layer)
    return _read_text(path, encoding, layer)
