"""A resource's capacity as a Chinese registry writes it: 3000, ３０００, 3,000, 0.3万 (30万 is 300,000
people; text with a word, 500人 or 很多, is refused: say the number alone); and a column whose name
says its numbers are in 万 (容纳人数(万人)) but holds plain numbers (0.3: read as 0.3 places, every
supply per person 10,000 times too small, without a word). Light (no pandas): ``urbanrisk validate``
and the run read capacities through it alike.
"""

from __future__ import annotations

import math
import re
import unicodedata

#: What a clerk writes for a number nobody knows: read as unknown, like an empty cell (casefolded)
UNKNOWN_WORDS = frozenset(
    {"不详", "未知", "不明", "待定", "待核实", "待查", "暂无", "无数据", "-", "--", "—", "/", "?", "？"}
    | {"n/a", "na", "unknown", "tbd", "not known"}
)

_VALUE = re.compile(r"(?P<number>[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<wan>万)?")


def capacity_number(text: object) -> float | None:
    """The capacity a cell states, or None (empty, text, NaN, inf).

    >>> [capacity_number(v) for v in ("3000", "３０００", "3,000", "0.3万", "1.2 万", 12, "多", "500人")]
    [3000.0, 3000.0, 3000.0, 3000.0, 12000.0, 12.0, None, None]
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip()
    found = _VALUE.fullmatch(value)
    if found is None:
        return None
    number = float(found["number"].replace(",", "")) * (10_000 if found["wan"] else 1)
    return number if math.isfinite(number) else None


def said_unknown(text: object) -> bool:
    """True when a cell says its number is not known (不详, 待定, n/a...: :data:`UNKNOWN_WORDS`).

    >>> [said_unknown(v) for v in ("不详", " N/A ", "－", "很多", "", None)]
    [True, True, True, False, False, False]
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return False
    return unicodedata.normalize("NFKC", str(text)).strip().casefold() in UNKNOWN_WORDS


def wan_column_problem(column: str, values: list[str], path: str) -> str | None:
    """A column named in 万 (容纳人数(万人)) holding plain numbers (their unit unsure); None if fine.

    >>> "in 万 (10,000s) but '0.3' is a plain" in wan_column_problem("容纳人数(万人)", ["0.3", ""], "s.csv")
    True
    >>> wan_column_problem("容纳人数(万人)", ["0.3万"], "s.csv") is None
    True
    """
    if "万" not in column:
        return None
    plain = [v for v in values if v.strip() and "万" not in v]
    if not plain:
        return None
    return (
        f"{path}, column '{column}': its name counts in 万 (10,000s) but '{plain[0]}' is a plain number, "
        "read as that many people: write each capacity in people (0.3 万人 -> 3000) and rename the column, "
        "or write the unit in each cell (0.3万)"
    )


_UNIT_WORD = re.compile(r"(?P<number>[\d.,]+\s*万?)\s*(?:人|人次|床|张|张床|个|名|位|座|辆)")


def unit_word_fixes(values: list[str]) -> str | None:
    """How to write capacities that carry a unit word (1.2万人, 3000人, 500床), when every one of
    ``values`` does; None when any is something else (很多, -5), which the general message covers.

    >>> unit_word_fixes(["1.2万人", "３０００人"])
    "'1.2万人' -> 1.2万, '３０００人' -> 3000"
    >>> unit_word_fixes(["1.2万人", "很多"]) is None
    True
    """
    fixes = []
    for value in values:
        found = _UNIT_WORD.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if found is None or capacity_number(found["number"]) is None:
            return None
        fixes.append(f"'{value}' -> {found['number'].replace(' ', '')}")
    return ", ".join(fixes[:3]) if fixes else None
