"""The rows of an office's table that hold no data: blank rows between the data (a spreadsheet's spacer
rows, left out and the other rows keeping their numbers as the file shows them), and in a registry that
places its rows by lon / lat, rows of totals (合计, 总计, 小计 in a cell, no place: what an office adds at
the bottom of its 台账), left out and said in the run's notes. A census table keeps its total rows for
its own reader (:mod:`urbanrisk.layers.census`), which says which it skipped.

Examples
--------
>>> rows = [["中国石化", "116.31", "39.99"], ["", " ", ""], ["中国石油", "116.32", "39.98"], ["合计", "", ""]]
>>> data_rows(rows, first=3, lonlat=(1, 2))
([['中国石化', '116.31', '39.99'], ['中国石油', '116.32', '39.98']], [3, 5], [6])
"""

from __future__ import annotations

import re
import unicodedata

#: Words of a row that sums the others (a cell reading one, or ending in one of the Chinese ones)
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "汇总", "total", "sum")
_SPACE = re.compile(r"\s+")
#: set aside before the words are compared: a colon after them, a unit in brackets (合计：, 总计（人）)
_AFTER = re.compile(r"(\(.*?\)|\[.*?\]|【.*?】|[:.。])+$")


def total_row(row: list[str]) -> bool:
    """Whether a row is a total or subtotal: a cell reads 合计 / 总计 / 小计 / 共计 / 汇总 / total / sum
    (spaces, full-width forms, a colon or a unit in brackets after it aside: 合　计, 合计：, 总计（人）,
    TOTAL:), or ends with one of the Chinese words (北太平庄街道小计).

    >>> total_row(["合　计", "", "9423"]), total_row(["北太平庄街道小计"]), total_row(["Sumter", "12"])
    (True, True, False)
    >>> total_row(["合计："]), total_row(["总计（人）"]), total_row(["TOTAL:"]), total_row(["共计"])
    (True, True, True, True)
    """
    keys = [_AFTER.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", c)).casefold()) for c in row]
    return any(k in TOTAL_WORDS or k.endswith(TOTAL_WORDS[:5]) for k in keys if k)


def data_rows(
    rows: list[list[str]], *, first: int, lonlat: tuple[int, int] | None = None
) -> tuple[list[list[str]], list[int], list[int]]:
    """``rows`` (the first at line / row ``first``) less blank ones and, with ``lonlat`` (the columns of
    lon and lat), less total rows without a place: the rows kept, their numbers, the total rows' numbers."""
    kept, numbers, totals = [], [], []
    for i, row in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        placed = lonlat is not None and any(row[j].strip() for j in lonlat if j < len(row))
        if lonlat is not None and not placed and total_row(row):
            totals.append(first + i)
            continue
        kept.append(row)
        numbers.append(first + i)
    return kept, numbers, totals
