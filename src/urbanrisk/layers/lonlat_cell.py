"""A registry row whose longitude and latitude were typed into one cell (``116.35,39.96``, as a map
service's "copy coordinates" gives them): named as such, with the fix, rather than as "not a number";
coordinates in degrees, minutes and seconds (``116°21′05″``, ``东经116度21分5秒``): read.
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


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d+)?)?|\d{2}:\d{2}:\d{2}")


def a_date(text: str) -> bool:
    """Whether a cell reads as a date or time: Excel turned a typed coordinate into one (the cell was
    formatted as a date, or 39.96 was read as a day), and the number is lost.

    >>> a_date("2025-03-01 00:00:00"), a_date("116.35"), a_date("")
    (True, False, False)
    """
    return _DATE.fullmatch(text.strip()) is not None


def date_message(file: str, lon: str, lat: str, value: str, where: str) -> str:
    """The message for coordinates read as dates."""
    return (
        f"{file}: '{value}' in {where} is a date, not a coordinate (Excel formats the cell as a date): "
        f"format the columns '{lon}' and '{lat}' as numbers and type the coordinates again"
    )


_DMS = re.compile(
    r"(?P<pre>[NSEW东西南北]|东经|西经|南纬|北纬)?\s*(?P<d>\d{1,3}(?:\.\d+)?)\s*[°度]\s*"
    r"(?:(?P<m>\d{1,2}(?:\.\d+)?)\s*['′’分]\s*)?(?:(?P<s>\d{1,2}(?:\.\d+)?)\s*(?:\"|″|”|''|′′|秒)\s*)?"
    r"(?P<post>[NSEW东西南北])?",
    re.IGNORECASE,
)


def dms_degrees(text: str) -> float | None:
    """Degrees from a coordinate written in degrees, minutes and seconds (度分秒, as surveys and
    older 台账 give them), else None; the degree sign is required, so a plain number is never read here.

    >>> dms_degrees("116°20′60.0″"), dms_degrees("东经116度21分5.4秒"), dms_degrees("39°57'32.4\\"N")
    (116.35, 116.3515, 39.959)
    >>> dms_degrees("76°35′W"), dms_degrees("116.35"), dms_degrees("116°75′"), dms_degrees("abc°")
    (-76.583333333, None, None, None)
    """
    match = _DMS.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    minutes, seconds = float(match["m"] or 0), float(match["s"] or 0)
    if minutes >= 60 or seconds > 60 or (match["pre"] and match["post"]):
        return None
    side = (match["pre"] or match["post"] or "").upper()
    sign = -1.0 if side in ("S", "W", "西", "南", "西经", "南纬") else 1.0
    return round(sign * (float(match["d"]) + minutes / 60 + seconds / 3600), 9)  # 0.1 mm
