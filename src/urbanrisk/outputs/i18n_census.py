"""A census table's words in Chinese (``population_table``: :mod:`urbanrisk.layers.census`,
:mod:`urbanrisk.population_table`, :mod:`urbanrisk.preflight_census`).

:data:`ZH_CENSUS`: its checks' and errors' templates (English -> Chinese, as
:mod:`.i18n_checks`, which merges them); :data:`ZH_CENSUS_PATTERNS`: its run notes and population
source (regex -> Chinese, gathered by :mod:`.i18n_more` for :func:`urbanrisk.outputs.i18n.data_text`).
Names, paths, columns and numbers stay as written. Light (``urbanrisk validate`` imports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

ZH_CENSUS: dict[str, str] = {
    "{path} has no column '{column}' (its columns: {columns}): set `{key}:` to one of them": (
        "{path} 中没有 '{column}' 列（现有列：{columns}）：请把 `{key}:` 改为其中之一"
    ),
    "its name counts in 万 (10,000s) but '{value}' is a plain number, read as that many people: write each "
    "count in people (3.2 万人 -> 32000) and rename the column, or write the unit in each cell (3.2万)": (
        "列名以“万”计，但 '{value}' 是不带单位的数字，会被读作这么多人：请把每个人数写成人数"
        "（3.2 万人 -> 32000）并改列名，或在每格写明单位（3.2万）"
    ),
    "{path}: unit '{label}' has two rows ({where} and {what}): give each unit one row (add the rows' "
    "counts up)": "{path}：单元 '{label}' 有两行（{where}、{what}）：每个单元只写一行（把这些行的人数相加）",
    "{path}: rows naming no unit of {units} by name ({n}): {names} (its names are e.g. {examples}): correct "
    "the names, or join by the other key (join: id / name)": (
        "{path}：{n} 行的名称对不上 {units} 中的任何单元：{names}（其单元名称例如 {examples}）：请改正名称，"
        "或改用另一种键关联（join: id / name）"
    ),
    "{path}: rows naming no unit of {units} by id ({n}): {names} (its ids are e.g. {examples}): correct "
    "the names, or join by the other key (join: id / name)": (
        "{path}：{n} 行的代码对不上 {units} 中的任何单元：{names}（其单元代码例如 {examples}）：请改正代码，"
        "或改用另一种键关联（join: id / name）"
    ),
    "{path}: the names {names} name several units of {units}: join by id (join: id, key_column: the "
    "table's unit code column)": (
        "{path}：名称 {names} 对应 {units} 中的多个单元："
        "请按代码关联（join: id，key_column 填表中的单元代码列）"
    ),
}

_ROW = (re.compile(r"\bsheet '([^']*)' row (\d+)"), r"工作表 '\1' 第 \2 行")
_PLAIN_ROW = (re.compile(r"\brow (\d+)"), r"第 \1 行")
_INSIDE = (
    _ROW,
    _PLAIN_ROW,
    (re.compile(r" and (\d+) more$"), r"等，另有 \1 个"),
    (
        re.compile(r" \(([\d,]+) residents for ([\d,]+) m² of residential floor: ([\d,]+) m² each\)"),
        r"（\1 人，居住建筑面积 \2 平方米：人均 \3 平方米）",
    ),
    (re.compile(r" \(by raster\)"), "（按人口栅格分配）"),
    (re.compile(r" \(by area\)"), "（按面积分配）"),
    (re.compile(r" \((\d+%)\)"), r"（\1）"),
    (re.compile(r" \((第 \d+ 行|工作表 '[^']*' 第 \d+ 行): ([^)]*)\)"), r"（\1：\2）"),
    (re.compile(r"; "), "；"),
    (re.compile(r", "), "、"),
    (re.compile(r"^layer '([^']*)'$"), r"图层 '\1'"),
)


def _inside(text: str) -> str:
    """A listed value in Chinese: its rows, "and 3 more", how a unit was spread, separators.

    >>> _inside("燕园街道 (row 5: ''); 东升镇 (sheet '表1' row 9: '不详') and 2 more")
    "燕园街道（第 5 行：''）；东升镇（工作表 '表1' 第 9 行：'不详'）等，另有 2 个"
    """
    for pattern, replacement in _INSIDE:
        text = pattern.sub(replacement, text)
    return text


def _note(template: str) -> Callable[[re.Match[str]], str]:
    """A replacement filling ``template`` ({1}, {2}...: the groups, each rewritten by :func:`_inside`)."""
    return lambda m: template.format(None, *(_inside(g or "") for g in m.groups()))


ZH_CENSUS_PATTERNS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (
        r"^(.+?): units without a readable count \((\d+)\), their residents unknown \(not 0\): (.*)$",
        _note("{1}：{2} 个单元的人数无法读取，其常住人口未知（并非 0）：{3}"),
    ),
    (r"^(.+?): skipped the total rows \((.*)\) of (.+)$", _note("{1}：已跳过 {3} 中的合计行（{2}）")),
    (
        r"^(.+?): units of (.+?) without a row in the table \((\d+)\), their residents unknown \(not 0\): "
        r"(.*)$",
        _note("{1}：{2} 中有 {3} 个单元在表中没有对应行，其常住人口未知（并非 0）：{4}"),
    ),
    (
        r"^population table: units outside the study area \((\d+)\), their ([\d,]+) residents not "
        r"counted: (.*)$",
        _note("人口统计表：{1} 个单元在研究区外，其 {2} 名常住人口未计入：{3}"),
    ),
    (
        r"^population table: units reaching outside the study area \((\d+)\): each counts its residents "
        r"times the share of its area inside \((.*)\)$",
        _note("人口统计表：{1} 个单元部分在研究区外，各按其在研究区内的面积比例计入常住人口：{2}"),
    ),
    (
        r"^population table: counts far from the mapped housing, check them \(a typo, a count in 万\?\): "
        r"(.*)$",
        _note("人口统计表：以下单元的人数与已测绘的居住建筑面积相差悬殊，请核对（笔误？以万为单位？）：{1}"),
    ),
    (
        r"^population table: no mapped residential floor area in (.*)$",
        _note("人口统计表：以下单元没有已测绘的居住建筑面积：{1}"),
    ),
    (
        r"^census table: (.+?) \(([\d,]+) residents in ([\d,]+) units? of (.+)\), spread by residential "
        r"floor area$",
        _note("人口统计表：{1}（{4} 中 {3} 个单元共 {2} 人），按居住建筑面积分配到网格"),
    ),
)
