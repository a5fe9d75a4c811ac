"""A registry row whose longitude and latitude were typed into one cell (``116.35,39.96``, as a map
service's "copy coordinates" gives them): named as such, with the fix, rather than as "not a number".
Light (no pandas): ``urbanrisk validate`` reads it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_TWO = re.compile(r"\s*[-+]?\d+(?:\.\d+)?\s*[,;，；、\s]\s*[-+]?\d+(?:\.\d+)?\s*")


def two_numbers(text: str) -> bool:
    """Whether a cell holds two numbers, a lon/lat pair.

    >>> two_numbers("116.35,39.96"), two_numbers("１１６.３５，３９.９６"), two_numbers("116.35")
    (True, True, False)
    """
    return _TWO.fullmatch(unicodedata.normalize("NFKC", text)) is not None


def both_in_one_cell(
    file: str, lon: str, lat: str, table: Any, rows: list[int], columns: tuple[int, int]
) -> str:
    """The message for ``rows`` of ``table`` holding both coordinates in one cell (of ``columns``)."""
    i, j = columns
    first = rows[0]
    value = table.rows[first][i] if two_numbers(table.rows[first][i]) else table.rows[first][j]
    where = ", ".join(table.where(k) for k in rows[:5])
    return (
        f"{file}: '{value}' in {where} holds both coordinates in one cell: put the longitude in '{lon}' "
        f"and the latitude in '{lat}' (split the cell at the comma)"
    )
