"""Hostile input, round 14 (session 20, hostile21): a generator of what nobody had tried: an .xlsx with a
stray cell typed at row 1,048,576 (in column A, in column XFD), right of its header in column XFD, far
right of a data row, a few thousand rows down.
Every case: ``urbanrisk validate`` refuses it naming the file, the cell and the fix (in Chinese too), or
says ok and the run's reader reads it right (checked by hand); within seconds, never a traceback, a hang
or a silent wrong number. Small files made in the test; validate and the readers only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from test_hostile import city, cli  # noqa: F401  (city: the module's fixture)
from test_hostile_round12 import ROWS, Case, _near, read_right_or_refused_clearly
from test_hostile_round13 import _xlsx
from urbanrisk.outputs.i18n_checks import check_text

XY = [(x, y) for _, x, y in ROWS]
GOOD = [[n, "加油站", x, y] for n, x, y in ROWS]


# --- Excel: a stray cell --------------------------------------------------------------------------------


def _stray(row: int, column: int) -> Callable[[object], None]:
    return lambda sheet: sheet.cell(row, column, "x")  # type: ignore[attr-defined]


def _stray_value_at_the_last_row(folder: Path, tif: Path) -> Case:
    """'x' typed in A1048576 (Ctrl+Down, then a key): 2 CPU s and 300 MB to read 1,048,571 empty rows."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1_048_576, 1))
    case.said = ("h.xlsx", "A1048576", "Ctrl+End")
    return case


def _stray_value_in_the_last_cell(folder: Path, tif: Path) -> Case:
    """'x' in XFD1048576: every empty row padded to 16,384 cells, past 90 s."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1_048_576, 16_384))
    case.said = ("h.xlsx", "XFD1048576", "Ctrl+End")
    return case


def _stray_header_cell(folder: Path, tif: Path) -> Case:
    """'x' in XFD1, the header's row: a column named x 16,379 columns right of 纬度 (2.5 GB for 20,000
    rows): refused, naming the column."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1, 16_384))
    case.said = ("h.xlsx", "column XFD", "Ctrl+End")
    return case


def _stray_cell_right_of_a_row(folder: Path, tif: Path) -> Case:
    """'x' in XFD3, in no named column: the rows read as the sheet shows them."""
    case = _xlsx(folder, tif, GOOD, style=_stray(3, 16_384))
    case.check = lambda f: _near(f, XY)
    return case


def _stray_cell_thousands_of_rows_down(folder: Path, tif: Path) -> Case:
    """'x' in XFD9000 (a row of no site, under the gap refused): read, each empty row empty (7.8 CPU s and
    1.2 GB when each was 16,384 cells)."""
    case = _xlsx(folder, tif, GOOD, style=_stray(9_000, 16_384))
    case.check = lambda f: _near(f, XY)
    return case


GENERATOR: dict[str, Callable[[Path, Path], Case]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _stray_value_at_the_last_row, _stray_value_in_the_last_cell, _stray_header_cell,
        _stray_cell_right_of_a_row, _stray_cell_thousands_of_rows_down,
    )
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GENERATOR))
def test_each_generated_input_is_read_right_or_refused_clearly(tmp_path, city, name: str) -> None:  # noqa: F811
    read_right_or_refused_clearly(GENERATOR[name](tmp_path, city[0]), name)


SAID = [
    "r.yaml:9: layers.h.path: /a/h.xlsx: sheet 'Sheet' holds a value at row 1,048,576 (cell XFD1048576), "
    "1,048,571 empty rows below the value before it: a stray cell? delete row 1,048,576 (in Excel, Ctrl+End "
    "goes to it) and save, or save the registry as CSV",
    "r.yaml:9: layers.h.path: /a/h.xlsx: its header names 'x' in column XFD, 16,379 empty columns right of "
    "the name before it ('纬度'): a stray cell? delete column XFD (in Excel, Ctrl+End goes to the last cell "
    "used) and save",
]


@pytest.mark.parametrize("text", SAID)
def test_the_new_refusals_are_said_in_chinese(text: str) -> None:
    chinese = check_text(text, "zh")
    for english in ("a stray cell", "delete ", "empty rows", "empty columns", " and save"):
        assert english not in chinese, chinese
