"""Cells merged down over several rows in an .xlsx registry, filled down (:mod:`urbanrisk.layers.tabular`).

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

import re
import zipfile
from typing import Any

from openpyxl.utils.cell import range_boundaries

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_CHUNK = 1 << 20
#: a merge read from a sheet: (first column, first row, last row, last column), 1-based as Excel counts
Merge = tuple[int, int, int, int]


def merge_ranges(xml: bytes) -> list[Merge]:
    """The merges over several rows that ``xml`` (a part of a sheet's XML) names."""
    merges = []
    for ref in _MERGE.findall(xml):
        first_col, first_row, last_col, last_row = range_boundaries(ref.decode("ascii"))
        if last_row > first_row:
            merges.append((first_col, first_row, last_row, last_col))
    return merges


def sheet_merges(handle: Any, part: str) -> list[Merge]:
    """The merges over several rows of the sheet stored at ``part`` of the workbook ``handle`` (an open
    file), read in chunks of 1 MB; [] when the part cannot be read (openpyxl has named the damage)."""
    merges: list[Merge] = []
    try:
        with zipfile.ZipFile(handle).open(part.lstrip("/")) as xml:
            tail = b""
            while chunk := xml.read(_CHUNK):
                data = tail + chunk
                if b"mergeCell" in data:  # most sheets have none: one C search a chunk
                    cut = data.rfind(b"<")  # an element cut at the chunk's end is read with the next one
                    merges += merge_ranges(data[:cut])
                    tail = data[cut:]
                else:
                    tail = data[-64:]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []
    finally:
        handle.seek(0)
    return merges + merge_ranges(tail)


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


def filled_down(
    raw: list[list[str]], handle: Any, part: str, *, layer: str, file: str, sheet: str
) -> list[str]:
    """Fill the merges over several rows of the sheet at ``part`` down in ``raw`` (its rows as text, changed
    in place) below its header (the first row naming two or more columns); the run's note, or none."""
    merges = sheet_merges(handle, part)
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
