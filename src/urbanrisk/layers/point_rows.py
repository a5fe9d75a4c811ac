"""A registry's coordinate cells that say what went wrong in a few rows, told the same by the run
(:mod:`urbanrisk.layers.points`) and ``urbanrisk validate`` (:mod:`urbanrisk.preflight_points`).

Hostile input round 11 (office17): an Excel error (#N/A of a VLOOKUP, #REF!), a decimal comma (116,31), the
header pasted again mid-table and a date were all "non-numeric lon/lat (text, empty or infinite)"; 0, 0
(an empty cell exported as 0) was read as a site in the Gulf of Guinea; lon and lat swapped in a few
rows was told as "projected coordinates"; a table holding both 经度 and lon was read from lon without a
word when the two disagreed.

Examples
--------
>>> cell_problem("h.csv", "经度", "纬度", "#N/A", "row 3")
"h.csv: '#N/A' in row 3 is an Excel error, not a coordinate (a formula that failed): fix the formula, or \
type the coordinates as numbers"
>>> cell_problem("h.csv", "经度", "纬度", "116,31", "row 3")
"h.csv: '116,31' in row 3 writes its decimals after a comma: write 116.31 (a point before the decimals)"
>>> cell_problem("h.csv", "经度", "纬度", "116.3W", "row 3")[:72]
"h.csv: '116.3W' in row 3 writes its hemisphere as a letter: write -116.3"
>>> zero_rows([116.3, 0.0], [39.9, 0.0]), swapped_rows([116.3, 39.9, 116.4], [39.9, 116.3, 39.8])
([1], [1])
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence

from .lonlat_cell import a_date, date_message, dms_degrees

#: what Excel writes in a cell whose formula failed
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
_DECIMAL_COMMA = re.compile(r"-?\d{1,3},\d+")
#: a coordinate with its hemisphere as a letter before or after it (116.305E, N39.99, 116.305 W)
_HEMISPHERE = re.compile(r"(?:([NSEW])\s*(\d{1,3}(?:\.\d+)?)°?|(\d{1,3}(?:\.\d+)?)°?\s*([NSEW]))", re.I)
_FULL_STOP = re.compile(r"-?\d{1,3}。\d+")


def number(text: str) -> float | None:
    """A coordinate cell as a number (full-width digits, U+2212, 度分秒 too), or None."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    try:
        value = float(text)
    except ValueError:
        return dms_degrees(text)
    return value if math.isfinite(value) else None


def cell_problem(file: str, lon: str, lat: str, value: str, where: str) -> str | None:
    """What is wrong with a coordinate cell that is no number, when it tells (else None)."""
    text = value.strip()
    if text.upper() in EXCEL_ERRORS:
        return (
            f"{file}: '{text}' in {where} is an Excel error, not a coordinate (a formula that failed): fix "
            "the formula, or type the coordinates as numbers"
        )
    if _DECIMAL_COMMA.fullmatch(text):
        return (
            f"{file}: '{text}' in {where} writes its decimals after a comma: write {text.replace(',', '.')} "
            "(a point before the decimals)"
        )
    if a_date(text):
        return date_message(file, lon, lat, text, where)
    if found := _HEMISPHERE.fullmatch(text):
        letter, digits = (found[1], found[2]) if found[1] else (found[4], found[3])
        signed = f"-{digits}" if letter.upper() in "SW" else digits
        return (
            f"{file}: '{text}' in {where} writes its hemisphere as a letter: write {signed} (east and north "
            "positive, west and south negative)"
        )
    if _FULL_STOP.fullmatch(text):
        return (
            f"{file}: '{text}' in {where} writes its decimals after '。' (a Chinese full stop): write "
            f"{text.replace('。', '.')}"
        )
    return None


def rows_problem(
    file: str, lon: str, lat: str, rows: Sequence[Sequence[str]], bad: Sequence[int],
    columns: tuple[int, int], where: Callable[[int], str],
) -> str | None:  # fmt: skip
    """The first of ``bad`` (row positions whose lon or lat is no number) that tells what went wrong: the
    header pasted again, an Excel error, a decimal comma, a date; None when none tells."""
    i, j = columns
    for k in bad:
        row = rows[k]
        if row[i].strip() == lon and row[j].strip() == lat:
            return (
                f"{file}: {where(k)} repeats the header ('{lon}', '{lat}'): two tables pasted together? "
                "delete that row"
            )
        for value in (row[i], row[j]):
            if number(value) is None and (problem := cell_problem(file, lon, lat, value, where(k))):
                return problem
    return None


def zero_rows(lon: Sequence[float], lat: Sequence[float]) -> list[int]:
    """The positions at lon 0, lat 0: no place an office registers, an empty cell exported as 0."""
    return [k for k, (x, y) in enumerate(zip(lon, lat, strict=True)) if x == 0 and y == 0]


def swapped_rows(lon: Sequence[float], lat: Sequence[float]) -> list[int]:
    """The positions whose lat is no latitude while their lon would be one (lon and lat swapped), when
    other rows are right (a whole column swapped is told as such)."""
    rows = [k for k, (x, y) in enumerate(zip(lon, lat, strict=True)) if 90 < abs(y) <= 180 and abs(x) <= 90]
    return rows if 0 < len(rows) < len(lon) else []


def lonlat_rows_problem(
    file: str, lon: str, lat: str, xs: Sequence[float], ys: Sequence[float], where: Callable[[int], str]
) -> str | None:
    """The message on rows at 0, 0 or with lon and lat swapped, else None."""
    if zero := zero_rows(xs, ys):
        listed = ", ".join(where(k) for k in zero[:5]) + (
            f" and {len(zero) - 5} more" if len(zero) > 5 else ""
        )
        return (
            f"{file}: '{lon}' / '{lat}' are 0, 0 in {listed} (no place: empty coordinates written as 0?): "
            "fix or remove those rows"
        )
    if swapped := swapped_rows(xs, ys):
        k = swapped[0]
        listed = ", ".join(where(r) for r in swapped[:5])
        more = f" and {len(swapped) - 5} more" if len(swapped) > 5 else ""
        return (
            f"{file}: '{lon}' and '{lat}' look swapped in {listed}{more} ('{lat}' {ys[k]:g} is no latitude, "
            f"'{lon}' {xs[k]:g} would be one): swap the two cells in those rows"
        )
    return None


def twin_column_problem(
    file: str, columns: Sequence[str], chosen: str, names: tuple[str, ...], key: str,
    rows: Sequence[Sequence[str]], where: Callable[[int], str],
) -> str | None:  # fmt: skip
    """The message when the table holds another column of ``names`` (经度 beside lon) whose numbers differ
    from ``chosen``'s (the one read without ``key:``), else None."""
    c = list(columns).index(chosen)
    for other in [name for name in columns if name != chosen and name.lower() in names]:
        o = list(columns).index(other)
        for k, row in enumerate(rows):
            a, b = number(row[c]), number(row[o])
            if a is not None and b is not None and abs(a - b) > 1e-9:
                return (
                    f"{file}: the columns '{chosen}' and '{other}' both name the {key} and differ "
                    f"({where(k)}: {row[c]} / {row[o]}); '{chosen}' would be read: set `{key}:` to the right "
                    "one, or delete the other column"
                )
    return None


def cut_names_note(
    values: Sequence[object], most: int, *, layer: str, file: str, where: Callable[[int], str]
) -> list[str]:
    """The run's note on names longer than ``most`` characters, which are cut to it (a text pasted into the
    name cell: 32,767 characters were cut without a word), or none."""
    long = [k for k, v in enumerate(values) if isinstance(v, str) and len(v.strip()) > most]
    if not long:
        return []
    listed = ", ".join(where(k) for k in long[:5]) + (f" and {len(long) - 5} more" if len(long) > 5 else "")
    return [
        f"{layer}: {len(long)} name(s) of {file} longer than {most} characters cut to {most} ({listed}): "
        "shorten them"
    ]


def error_names(
    values: Sequence[str], *, layer: str, file: str, where: Callable[[int], str]
) -> tuple[list[int], list[str]]:
    """The positions of name cells holding an Excel error (#REF! of a deleted sheet, #N/A of a VLOOKUP),
    which are read as no name (a site named '#REF!' in the 责任清单), and the run's note naming them.

    >>> row = lambda k: f"row {k + 2}"
    >>> error_names(["加油站", "#REF!", " #n/a "], layer="h", file="台账.xlsx", where=row)
    ([1, 2], ["h: 2 name(s) of 台账.xlsx are Excel errors, not names (row 3: '#REF!', row 4: '#n/a'): read \
as no name; fix the formulas in those cells, or type the names"])
    """
    wrong = [k for k, v in enumerate(values) if isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS]
    if not wrong:
        return [], []
    listed = ", ".join(f"{where(k)}: '{values[k].strip()}'" for k in wrong[:5])
    more = f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""
    return wrong, [
        f"{layer}: {len(wrong)} name(s) of {file} are Excel errors, not names ({listed}{more}): read as no "
        "name; fix the formulas in those cells, or type the names"
    ]


#: words in a coordinate column's name telling a map service's datum (compared lower-case)
DATUM_WORDS = {"gcj02": ("高德", "腾讯", "火星", "gcj"), "bd09": ("百度", "baidu", "bd09", "bd-09")}


def datum_named_note(lon: str, lat: str, coords: str, *, layer: str, file: str) -> list[str]:
    """The run's (and validate's) note when the lon / lat columns' names tell GCJ-02 or BD-09 (高德经度,
    百度纬度) while the layer reads them as WGS84: points some 300-700 m off, without a word.

    >>> datum_named_note("高德经度", "高德纬度", "wgs84", layer="h", file="h.csv")[0][:70]
    "h: the columns '高德经度' / '高德纬度' of h.csv name GCJ-02 coordinates (a map"
    >>> datum_named_note("高德经度", "高德纬度", "gcj02", layer="h", file="h.csv")
    []
    """
    if coords != "wgs84":
        return []
    names = f"{lon} {lat}".lower()
    for datum, words in DATUM_WORDS.items():
        if any(w in names for w in words):
            shown = {"gcj02": "GCJ-02", "bd09": "BD-09"}[datum]
            return [
                f"{layer}: the columns '{lon}' / '{lat}' of {file} name {shown} coordinates (a map "
                f"service's) but are read as WGS84 (coords: wgs84, the default), some 300-700 m off in "
                f"China: add coords: {datum} to the layer, or rename the columns if they hold WGS84"
            ]
    return []
