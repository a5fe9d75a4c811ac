"""A sheet of an .xlsx registry, read as :mod:`urbanrisk.layers.tabular` reads it: its XML scanned first
(rows out of order, the last row holding a value, merges), then its rows, cells merged down filled down.

街道 / 社区 tables are typed in Excel with one 街道 cell merged over the rows of its sites: Excel keeps
the value in the merge's first cell only, and openpyxl's read-only mode (the one that reads 100,000 rows
in bounded memory) does not see merges, so every row after the first read an empty name (a site in no
街道, "missing" where the sheet shows a name). The sheet's ``<mergeCell ref="A3:A5"/>`` elements are read
from its XML (after the cells: searched in chunks of 1 MB, nothing parsed) and each data row of a merge
over several rows is given the merge's value, the run's notes saying which rows. A merge across columns
on one row (a title over the table) is left as it is, and so is a merge beginning at or above the header
row (a header over two rows is refused with its own fix).

Examples
--------
>>> raw = [["名称", "街道"], ["甲", "学院路"], ["乙", ""], ["丙", ""]]
>>> fill_merged_down(raw, [(2, 2, 4, 2)], header=0)
[(2, 2, 4)]
>>> [row[1] for row in raw]
['街道', '学院路', '学院路', '学院路']
>>> merge_ranges(b'<mergeCells count="1"><mergeCell ref="B2:B4"/></mergeCells>')
[(2, 2, 4, 2)]
"""

from __future__ import annotations

import bisect
import itertools
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import LayerError

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]+[0-9]+)"')
_CHUNK = 1 << 20
#: the most empty rows read between a sheet's last value and the value before it: a stray cell typed at row
#: 1,048,576 (Ctrl+Down, then a key) held openpyxl 2 CPU s and 300 MB, and past 90 s in column XFD
STRAY_GAP = 10_000
#: the most empty cells of a header row between two of its names (a registry names a few hundred columns)
STRAY_COLUMNS = 1_000
#: a merge read from a sheet: (first column, first row, last row, last column), 1-based as Excel counts
Merge = tuple[int, int, int, int]


def merge_ranges(xml: bytes) -> list[Merge]:
    """The merges over several rows that ``xml`` (a part of a sheet's XML) names."""
    # openpyxl imported only where a sheet is read: tabular imports this module, validate stays light
    from openpyxl.utils.cell import range_boundaries

    merges = []
    for ref in _MERGE.findall(xml):
        try:
            first_col, first_row, last_col, last_row = range_boundaries(ref.decode("ascii"))
        except ValueError:  # B0:ZZZZ9, no range Excel writes: left out
            continue
        if last_row > first_row:
            merges.append((first_col, first_row, last_row, last_col))
    return merges


@dataclass
class SheetScan:
    """What a sheet's XML says before openpyxl reads it: its merges over several rows, the last row
    holding a value (None: not told), and two rows out of order (a row after a later one), if any."""

    merges: list[Merge] = field(default_factory=list)
    last_row: int | None = None
    disorder: tuple[int, int] | None = None
    before_last: int = 0  # the row of the value before the last row's (0: none)
    last_cell: str = ""  # the reference of the last value's cell (XFD1048576), if found


def scan_sheet(path: Path, part: str) -> SheetScan:
    """Read the sheet stored at ``part`` of the workbook at ``path`` in chunks of 1 MB (C-speed searches,
    nothing parsed): a sheet formatted down to row 1,048,576 without a value below row 3 held openpyxl
    past 60 s (it yields every empty row); rows written out of order (3 before 2) lost the later one
    without a word. An unreadable part gives an empty scan (openpyxl names the damage)."""
    scan = SheetScan()
    current = 0  # the last row begun so far
    values = False
    try:
        with zipfile.ZipFile(path) as book, book.open(part.lstrip("/")) as xml:
            tail = b""
            while chunk := xml.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # an element cut at the chunk's end is read with the next one
                cut = len(data) if cut < 0 else cut
                current, found = _scan(data[:cut], scan, current)
                values = values or found
                tail = data[cut:]
            current, found = _scan(tail, scan, current)
            values = values or found
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return SheetScan()
    if not values:
        scan.last_row = None  # values written otherwise (a prefix: x:v): every row is read
    return scan


def _scan(segment: bytes, scan: SheetScan, current: int) -> tuple[int, bool]:
    """Scan one segment of a sheet's XML into ``scan``; the last row begun, and whether a value was seen."""
    if b"mergeCell" in segment:  # most sheets have none: one C search a chunk
        scan.merges += merge_ranges(segment)
    starts, numbers = [], []
    for match in _ROW.finditer(segment):
        starts.append(match.start())
        numbers.append(int(match.group(1)))
    if scan.disorder is None:
        for before, after in zip([current, *numbers], numbers, strict=False):
            if after <= before:
                scan.disorder = (before, after)
                break
    value = max(segment.rfind(b"</v>"), segment.rfind(b"</is>"))
    if value >= 0:
        at = bisect.bisect_left(starts, value)
        row = numbers[at - 1] if at else current
        if row != scan.last_row:  # a new last row: the value before it is in this segment, or the last seen
            start = starts[at - 1] if at else 0
            prior = max(segment.rfind(b"</v>", 0, start), segment.rfind(b"</is>", 0, start))
            k = bisect.bisect_left(starts, prior) if prior >= 0 else -1
            scan.before_last = (numbers[k - 1] if k > 0 else current) if prior >= 0 else (scan.last_row or 0)
            scan.last_row = row
        cells = _CELL.findall(segment, starts[at - 1] if at else 0, value)
        scan.last_cell = cells[-1].decode("ascii") if cells else scan.last_cell
    return (numbers[-1] if numbers else current), value >= 0


def sheet_rows(
    sheet: Any, scan: SheetScan, path: Path, layer: str, *, text: Callable[[Any], str]
) -> list[list[str]]:
    """A read-only sheet's rows (each value as ``text`` gives it), up to the last row holding a value
    (``scan``); a sheet with rows out of order, or damaged, refused with the fix."""
    if scan.disorder is not None:  # openpyxl drops a row written after a later one
        before, after = scan.disorder
        msg = (
            f"layer '{layer}': {path}: sheet '{sheet.title}' writes row {after} after row {before} (rows "
            "out of order: written by a program, not saved by Excel), so rows would be lost: open it in "
            "Excel and save it, or save the registry as CSV"
        )
        raise LayerError(msg)
    if scan.last_row is not None and scan.last_row - scan.before_last > STRAY_GAP:
        raise LayerError(stray_cell(scan, path, layer, sheet.title))
    if hasattr(sheet, "reset_dimensions"):  # each row as long as its cells: one stray cell in column XFD
        sheet.reset_dimensions()  # gave every row 16,384 cells
    try:
        raw = [[text(v) for v in row] for row in sheet.iter_rows(max_row=scan.last_row, values_only=True)]
    except Exception as exc:  # a damaged sheet: openpyxl raises IndexError (a shared string past the list)...
        msg = (
            f"layer '{layer}': cannot read sheet '{sheet.title}' of {path} ({type(exc).__name__}: {exc}): "
            "the workbook is damaged; open it in Excel and save it, or save the registry as CSV"
        )
        raise LayerError(msg) from exc
    # rows as wide as the sheet's widest (a header's blank merged cell kept), a row wider than a registry's
    # columns (a stray cell in column XFD) left as it is: 20,000 rows of 16,384 cells took 2.5 GB
    width = max((len(row) for row in raw if len(row) <= STRAY_COLUMNS), default=0)
    return [row + [""] * (width - len(row)) if len(row) < width else row for row in raw]


def stray_cell(scan: SheetScan, path: Path, layer: str, sheet: str) -> str:
    """The refusal of a sheet whose last value lies more than ``STRAY_GAP`` empty rows below the others."""
    row, cell = scan.last_row or 0, scan.last_cell or "?"
    gap = row - scan.before_last - 1
    return (
        f"layer '{layer}': {path}: sheet '{sheet}' holds a value at row {row:,} (cell {cell}), {gap:,} empty "
        f"rows below the value before it: a stray cell? delete row {row:,} (in Excel, Ctrl+End goes to it) "
        "and save, or save the registry as CSV"
    )


def stray_header_cell(header: list[str]) -> str | None:
    """What to say of a header naming a column more than ``STRAY_COLUMNS`` empty cells right of the
    names before it (a stray cell in column XFD made every row 16,384 cells: 2.5 GB for 20,000 rows),
    or None."""
    named = [j for j, c in enumerate(header) if c]
    gap, before, after = max(((b - a - 1, a, b) for a, b in itertools.pairwise(named)), default=(0, 0, 0))
    if gap <= STRAY_COLUMNS:
        return None
    from openpyxl.utils.cell import get_column_letter

    column, name, before_name = get_column_letter(after + 1), header[after][:40], header[before][:40]
    return (
        f"its header names '{name}' in column {column}, {gap:,} empty columns right of the name before it "
        f"('{before_name}'): a stray cell? delete column {column} (in Excel, Ctrl+End goes to the last cell "
        "used) and save"
    )


def fill_merged_down(
    raw: list[list[str]], merges: list[Merge], header: int | None
) -> list[tuple[int, int, int]]:
    """Give each row of a merge below ``header`` (the header row's index in ``raw``, or None when there is
    none) the merge's value, in the merge's first column (changed in place); the merges filled, as
    (column, first row, last row), 1-based."""
    filled = []
    for col, first, last, _ in sorted(merges, key=lambda m: (m[1], m[0])):
        if header is None or first - 1 <= header or first > len(raw):
            continue
        top = raw[first - 1]
        value = top[col - 1] if col - 1 < len(top) else ""
        if not value.strip():
            continue
        changed = False
        for i in range(first, min(last, len(raw))):
            row = raw[i]
            if len(row) < col:
                row.extend([""] * (col - len(row)))
            if not row[col - 1].strip():
                row[col - 1] = value
                changed = True
        if changed:
            filled.append((col, first, min(last, len(raw))))
    return filled


def filled_down(raw: list[list[str]], merges: list[Merge], *, layer: str, file: str, sheet: str) -> list[str]:
    """Fill ``merges`` (:func:`scan_sheet`'s) down in ``raw`` (the sheet's rows as text, changed in place)
    below its header (the first row naming two or more columns); the run's note, or none."""
    if not merges:
        return []
    header = next((i for i, row in enumerate(raw) if sum(bool(c.strip()) for c in row) >= 2), None)
    filled = fill_merged_down(raw, merges, header)
    if not filled or header is None:
        return []
    return [merged_note(layer, file, sheet, [c.strip() for c in raw[header]], filled)]


def merged_note(
    layer: str, file: str, sheet: str, columns: list[str], filled: list[tuple[int, int, int]]
) -> str:
    """The run's note on the merges filled down (``columns``: the header's names, for each merge's)."""
    shown = [f"'{columns[c - 1] if c - 1 < len(columns) else c}' rows {a}-{b}" for c, a, b in filled[:5]]
    more = f" and {len(filled) - 5} more" if len(filled) > 5 else ""
    return (
        f"{layer}: filled {len(filled)} merged cell(s) of sheet '{sheet}' of {file} down ({', '.join(shown)}"
        f"{more}): each row of a merge reads the merge's value"
    )
