"""A hazard source's severity and its bounded grade, as a reader of the report's language expects them.

Severity is urbanrisk's 1-4 with **4 the most severe**, whatever scale the registry declared
(``severity: {order: ...}``, :mod:`urbanrisk.layers.severity` turns 一级 on ``1_is_most_severe`` and 4
on ``4_is_most_severe`` into the same 4). A Chinese reader expects the level's name, 一级 the most
severe (重大危险源 practice): severity 4 is shown 一级, 1 四级, in the report's tables, the map's
tooltips and the alerts alike; English shows the number. A source whose grade rests on a lower bound
and is not graded (``no data``: :mod:`urbanrisk.screens.unknown_exposure`) shows the floor its counted
residents already give: "no data (at least III)", 无数据（至少III级）. A severity urbanrisk assumed (an
OSM kind the hazard kind table does not list) says so: "2 (assumed)", 三级（假定）.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..result import MATRIX_GRADES, NO_DATA

#: urbanrisk's severity -> the Chinese level name (一级 the most severe).
LEVELS_ZH = {4: "一级", 3: "二级", 2: "三级", 1: "四级"}

#: What a severity assumed (its kind not in hazard_kinds.csv: urbanrisk.hazard_defaults) is shown with.
ASSUMED_WORDS = {"en": " (assumed)", "zh": "（假定）"}

#: The words the floor of a grade is shown with, per language.
ZH_SEVERITY = {
    "no data (at least {grade})": "无数据（至少{grade}级）",
}


def severity_words(severity: Any, language: str) -> str:
    """A severity (1-4, 4 the most severe) in ``language``: its level name in Chinese.

    Examples
    --------
    >>> severity_words(4, "zh"), severity_words(1, "zh"), severity_words(3, "en"), severity_words(None, "zh")
    ('一级', '四级', '3', '')
    """
    if severity is None or pd.isna(severity):
        return ""
    value = int(severity)
    return LEVELS_ZH.get(value, str(value)) if language == "zh" else str(value)


def assumed_mark(row: Any, language: str) -> str:
    """What follows the severity of a source (a row of the hazard table, as ``itertuples`` gives it)
    whose kind the hazard kind table does not list: its severity is urbanrisk's assumption.

    >>> from types import SimpleNamespace as Row
    >>> assumed_mark(Row(defaults_assumed=True), "zh"), assumed_mark(Row(defaults_assumed=False), "en")
    ('（假定）', '')
    """
    return (
        ASSUMED_WORDS["zh" if language == "zh" else "en"] if getattr(row, "defaults_assumed", False) else ""
    )


def floor_grade(score: Any) -> str:
    """The grade a risk-matrix score gives (a lower bound's score: the least grade the source can have).

    >>> floor_grade(12), floor_grade(6), floor_grade(1)
    ('I', 'III', 'IV')
    """
    return next(grade for threshold, grade in MATRIX_GRADES if int(score) >= threshold)


def grade_floors(table: pd.DataFrame) -> pd.Series:
    """Per source, the floor of a grade not given (``no data`` over residents partly unknown): the grade
    its counted residents give; empty where the grade stands or there is no score."""
    if "matrix_score" not in table.columns or "grade" not in table.columns:
        return pd.Series("", index=table.index, dtype="str")
    share = table.get("residents_unknown_share", pd.Series(0.0, index=table.index)).fillna(0.0)
    bounded = ((table["grade"] == NO_DATA) & (share > 0) & table["matrix_score"].notna()).to_numpy(dtype=bool)
    floors = np.full(len(table), "", dtype=object)
    scores = np.trunc(table["matrix_score"].to_numpy(dtype=float)[bounded])  # as int(score): scores >= 0
    grades = np.full(len(scores), MATRIX_GRADES[-1][1], dtype=object)
    for threshold, grade in reversed(MATRIX_GRADES[:-1]):  # floor_grade of each: the highest reached
        grades[scores >= threshold] = grade
    floors[bounded] = grades
    return pd.Series(floors.tolist(), index=table.index, dtype="str")


def hazard_display(table: pd.DataFrame, t: Any, language: str) -> pd.DataFrame:
    """The hazard-source table as the report shows it: ``severity`` in words (:func:`severity_words`),
    ``grade_label`` beside the grade (:func:`grade_label`: a grade not given names its floor)."""
    if not len(table):
        return table
    floors = grade_floors(table)
    words: dict[Any, str] = {}  # each distinct severity and (grade, floor) put in words once
    labels: dict[tuple[str, str], str] = {}
    severity = []
    for value in table["severity"].tolist():
        if value not in words:
            words[value] = severity_words(value, language)
        severity.append(words[value])
    if "defaults_assumed" in table.columns:  # a kind not in hazard_kinds.csv: urbanrisk's severity
        mark = ASSUMED_WORDS["zh" if language == "zh" else "en"]
        assumed = table["defaults_assumed"].fillna(False).astype(bool).tolist()
        severity = [f"{w}{mark}" if a else w for w, a in zip(severity, assumed, strict=True)]
    graded = []
    for key in zip(table["grade"].tolist(), floors.tolist(), strict=True):
        if key not in labels:
            labels[key] = grade_label(*key, t, language)
        graded.append(labels[key])
    return table.assign(severity=severity, grade_label=graded)


def grade_label(grade: str, floor: str, t: Any, language: str) -> str:
    """A grade in words (``t``: the translator of ``language``), with its floor when it is not given.

    >>> from urbanrisk.outputs.i18n import translator
    >>> zh, en = translator("zh"), translator("en")
    >>> grade_label("no data", "III", zh, "zh"), grade_label("no data", "II", en, "en")
    ('无数据（至少III级）', 'no data (at least II)')
    >>> grade_label("II", "", translator("zh"), "zh"), grade_label("no data", "", translator("zh"), "zh")
    ('II', '无数据')
    """
    if grade == NO_DATA and floor:
        template = "no data (at least {grade})"
        return (ZH_SEVERITY[template] if language == "zh" else template).format(grade=floor)
    return t(grade)


def row_floor(row: Any) -> str:
    """:func:`grade_floors` of one source (a row of the hazard-source table, as ``itertuples`` gives it)."""
    share = getattr(row, "residents_unknown_share", 0.0)
    score = getattr(row, "matrix_score", None)
    if row.grade != NO_DATA or not share > 0 or score is None or pd.isna(score):
        return ""
    return floor_grade(score)


_TIMES = re.compile(r"严重度 ([1-4]) ×")
_BESIDE = re.compile(r"（严重度 ([1-4])）")


def zh_severity_text(text: str) -> str:
    """A Chinese explanation with each severity by its level name: "严重度 3 × 后果 2" -> "严重度二级（3）×
    后果 2" (the number kept where it is multiplied), "（严重度 4）" -> "（严重度一级）".

    >>> zh_severity_text("新增加油站：严重度 3 × 后果 2 = 6；附近危险源：加油站 某站（严重度 4）")
    '新增加油站：严重度二级（3）× 后果 2 = 6；附近危险源：加油站 某站（严重度一级）'
    """
    text = _TIMES.sub(lambda m: f"严重度{LEVELS_ZH[int(m.group(1))]}（{m.group(1)}）×", text)
    return _BESIDE.sub(lambda m: f"（严重度{LEVELS_ZH[int(m.group(1))]}）", text)


def item_grade_labels(
    items: pd.DataFrame, sources: pd.DataFrame | None, t: Any, language: str
) -> pd.DataFrame:
    """The responsibility list with ``grade_label`` beside each grade: a hazard source's grade not
    given names its floor, as in the hazard-source table (its row there, by id)."""
    if not len(items):
        return items
    floors: dict[str, str] = {}
    if sources is not None and len(sources):
        given = grade_floors(sources)
        named = (given != "").to_numpy(dtype=bool)  # only grades not given have a floor
        floors = dict(zip(sources["id"].astype(str)[named].tolist(), given[named].tolist(), strict=True))
    source = (items["item_type"] == "hazard_source").to_numpy()
    labels: dict[tuple[str, str], str] = {}  # each distinct (grade, floor) put in words once
    graded = []
    for g, i, s in zip(items["grade"].tolist(), items["item_id"].tolist(), source, strict=True):
        key = (str(g), floors.get(str(i), "") if s else "")
        if key not in labels:
            labels[key] = grade_label(*key, t, language)
        graded.append(labels[key])
    return items.assign(grade_label=graded)
