"""How far an office's census table (人口统计表) is from the run's other totals, per unit level, in words.

A run with a census table uses its counts (spread over the cells); a planner must see which total was
used and how far the others are: the raster's people over the same units (a recipe with a raster beside
the table, :func:`urbanrisk.population_table.spread_counts`' ``raster``), and at each register level
the residents of the cells each unit holds (a register gives each cell whole to the unit holding its
centre, so a unit's cells may hold more or fewer than its count: 9 % apart on the BUPT office recipe,
under the register's own 25 % note). One line per comparison, in English and Chinese
(``{"en": ..., "zh": ...}``), read by the status lines, the report and the map.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"id": ["a", "b"], "name": ["学苑社区", "励耘社区"], "level": "community",
...                       "level_zh": "社区", "residents": [10112.0, 2863.0], "cells": [17, 12],
...                       "census_residents": [9800.0, 3200.0]})
>>> line = level_lines({"community": table})[0]
>>> line["en"][:88]
'community level (census table): census 13,000 residents in 2 units, their cells 12,975 ('
>>> line["zh"][:60]
'社区（统计表）：统计表 2 个单元共 13,000 人，所含网格单元 12,975 人（-0.2%）；相差最大：励耘社区'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..wording import counted
from .html import escape_text

#: a unit whose two counts are this share apart (of the census count) is named, the farthest first
NAMED_GAP = 0.05
#: ... and at most this many
NAMED_UNITS = 3
_UNASSIGNED = "unassigned"


def _share(value: float, base: float) -> str:
    """``value`` against ``base`` as a signed percentage ("+9.5%", "-11%", "0%"), a ratio from twice
    ("×2.5", "×124"); "n/a" against 0.

    >>> _share(4504, 4100), _share(2863, 3200), _share(22_399.99, 22_400), _share(5, 0)
    ('+9.9%', '-11%', '0%', 'n/a')
    >>> _share(250, 100), _share(22_400, 180)
    ('×2.5', '×124')
    """
    if base <= 0:
        return "n/a"
    gap = (value - base) / base
    if abs(gap) < 0.0005:  # equal to rounding: not "-0.0%"
        return "0%"
    if gap >= 1:  # twice or more: a ratio reads, "+12378%" does not
        return f"×{value / base:.1f}" if gap < 9 else f"×{value / base:,.0f}"
    return f"{gap:+.1%}" if abs(gap) < 0.1 else f"{gap:+.0%}"


def _farthest(names: pd.Series, value: pd.Series, base: pd.Series) -> list[tuple[str, float, float]]:
    """The units (name, value, base) at least :data:`NAMED_GAP` apart, the farthest first."""
    gap = (value - base).abs() / base.where(base > 0)
    gap = gap.where(base > 0, np.where(value > 0, np.inf, 0.0))
    order = gap[gap >= NAMED_GAP].sort_values(ascending=False, kind="stable").index[:NAMED_UNITS]
    return [(str(names[i]), float(value[i]), float(base[i])) for i in order]


def _census_counts(registers: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.Series, str]]:
    """Per level: each unit's census count (NaN unknown) and, where it is the sum of its finer units'
    (a 街道 of the 社区 a table counts: only where every unit under it has a count), their level."""
    out: dict[str, tuple[pd.Series, str]] = {}
    levels = list(registers)  # coarsest first: each finer table's parent_id is the level above's id
    for at in range(len(levels) - 1, -1, -1):
        table = registers[levels[at]]
        if "census_residents" in table.columns and table["census_residents"].notna().any():
            out[levels[at]] = (table["census_residents"].astype(float), "")
            continue
        finer = levels[at + 1] if at + 1 < len(levels) else None
        if finer not in out or "parent_id" not in registers[finer].columns:
            continue
        counts = pd.Series(out[finer][0].to_numpy(), index=registers[finer]["parent_id"].astype(str))
        summed = counts.groupby(level=0).sum(min_count=1).where(~counts.isna().groupby(level=0).any())
        out[levels[at]] = (table["id"].astype(str).map(summed).astype(float), finer)
    return {level: out[level] for level in levels if level in out}


def _zh_level(table: pd.DataFrame, level: str) -> str:
    """A register's level in Chinese (its ``level_zh``: 街道, 社区), else as written."""
    return str(table["level_zh"].iloc[0]) if "level_zh" in table.columns and len(table) else level


def _level_line(
    level: str, zh: tuple[str, str], summed: str, count: pd.Series, cells: pd.Series, names: pd.Series
) -> dict[str, str]:
    """One level's line: census total, its units' cells' residents, the farthest apart (``zh``: the
    level's and the summed level's Chinese words)."""
    total, held = float(count.sum()), float(cells.sum())
    far = _farthest(names, cells, count)
    en_far = ", ".join(f"{u} (cells {c:,.0f}, census {k:,.0f}: {_share(c, k)})" for u, c, k in far)
    zh_far = "、".join(f"{u}（网格单元 {c:,.0f}，统计表 {k:,.0f}：{_share(c, k)}）" for u, c, k in far)
    gap = _share(held, total)
    en = (
        f"{level} level (census table{f', its {summed} units summed' if summed else ''}): census "
        f"{total:,.0f} residents in {counted(len(count), 'unit')}, their cells {held:,.0f} ({gap})"
        + (f"; farthest apart: {en_far}" if far else f"; no unit {NAMED_GAP:.0%} apart or more")
        + "; a register gives each cell whole to the unit holding its centre; grades and totals use the "
        "census counts spread over the cells"
    )
    zh_text = (
        f"{zh[0]}（统计表{f'，按所辖{zh[1]}合计' if summed else ''}）：统计表 {len(count)} 个单元共 "
        f"{total:,.0f} 人，所含网格单元 {held:,.0f} 人（{gap}）"
        + (f"；相差最大：{zh_far}" if far else f"；各单元相差均不到 {NAMED_GAP:.0%}")
        + "；清单中网格单元整体归入其中心所在单元；分级与合计采用分配到网格的统计表人数"
    )
    top = f" ({far[0][0]}: {_share(far[0][1], far[0][2])})" if far else f" under {NAMED_GAP:.0%}"
    top_zh = f"（{far[0][0]}：{_share(far[0][1], far[0][2])}）" if far else f"不到 {NAMED_GAP:.0%}"
    return {
        "level": level,
        "en": en,
        "zh": zh_text,
        "short_en": f"{level}{f' ({summed} summed)' if summed else ''}: census {total:,.0f}, cells "
        f"{held:,.0f}; units apart at most{top}",
        "short_zh": f"{zh[0]}{f'（按{zh[1]}合计）' if summed else ''}：统计表 {total:,.0f} 人，网格单元 "
        f"{held:,.0f} 人；单元最多相差{top_zh}",
    }


def level_lines(registers: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    """Per register level with census counts (its own, or its finer units' summed): the census total,
    the residents of the units' cells, their gap and the units farthest apart, and which the run used."""
    lines = []
    for level, (counts, summed) in _census_counts(registers).items():
        table = registers[level]
        rows = ~table["id"].astype(str).str.startswith(_UNASSIGNED) & counts.notna().to_numpy()
        if not rows.any():
            continue
        zh = (_zh_level(table, level), _zh_level(registers[summed], summed) if summed else "")
        cells = table.loc[rows, "residents"].astype(float)
        lines.append(_level_line(level, zh, summed, counts[rows], cells, table.loc[rows, "name"]))
    return lines


def raster_line(census: Any) -> dict[str, str] | None:
    """The census table's residents placed in the study area beside the raster's over the same units,
    where the recipe has a raster beside the table (the units' ``census_placed``, ``census_raster``)."""
    if census is None or "census_raster" not in getattr(census, "columns", ()):
        return None
    known = census[census["census_placed"].notna() & (census["census_placed"] > 0)]
    if not len(known):
        return None
    placed, raster = known["census_placed"].astype(float), known["census_raster"].astype(float)
    total, other = float(placed.sum()), float(raster.sum())
    far = _farthest(known["name"], placed, raster)
    en_far = ", ".join(f"{u} (census {c:,.0f}, raster {r:,.0f}: {_share(c, r)})" for u, c, r in far)
    zh_far = "、".join(f"{u}（统计表 {c:,.0f}，栅格 {r:,.0f}：{_share(c, r)}）" for u, c, r in far)
    return {
        "level": "",
        "en": f"census table {total:,.0f} residents in {len(known)} units, the raster {other:,.0f} over "
        f"the same units (census {_share(total, other)}); the run uses the census table"
        + (f"; farthest apart: {en_far}" if far else ""),
        "zh": f"人口统计表 {len(known)} 个单元共 {total:,.0f} 人，人口栅格在相同单元内 {other:,.0f} 人"
        f"（统计表 {_share(total, other)}）；采用人口统计表" + (f"；相差最大：{zh_far}" if far else ""),
        "short_en": f"census table {total:,.0f}, raster {other:,.0f} over its units "
        f"({_share(total, other)}): the census used",
        "short_zh": f"人口统计表 {total:,.0f} 人，栅格在相同单元内 {other:,.0f} 人"
        f"（{_share(total, other)}）：采用统计表",
    }


def census_lines(registers: dict[str, pd.DataFrame] | None, census: Any) -> list[dict[str, str]]:
    """The raster's line (:func:`raster_line`), then one per register level (:func:`level_lines`)."""
    if census is None:
        return []
    first = raster_line(census)
    return ([first] if first else []) + level_lines(registers or {})


#: the status line's lead-in, per language
_STATUS = {"en": "  census: ", "zh": "  人口对照："}


def census_texts(lines: list[dict[str, str]], language: str, *, short: bool = False) -> list[str]:
    """The lines in the report's language (Chinese, else English); ``short``: the map's, a line each."""
    key = ("short_" if short else "") + ("zh" if language == "zh" else "en")
    return [line[key] for line in lines]


def status_lines(lines: list[dict[str, str]], language: str) -> list[str]:
    """What ``urbanrisk run`` prints of them, one line each, under the residents' line."""
    lead = _STATUS["zh" if language == "zh" else "en"]
    return [lead + text for text in census_texts(lines, language)]


def census_html(
    lines: list[dict[str, str]], language: str, *, style: str = 'class="note census"', short: bool = False
) -> str:
    """The lines as HTML paragraphs (escaped: units' names are the office's text)."""
    texts = census_texts(lines, language, short=short)
    return "".join(f"<p {style}>{escape_text(text)}</p>" for text in texts)
