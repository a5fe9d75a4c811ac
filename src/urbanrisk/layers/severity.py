"""Severity grades on a declared scale, so that a Chinese grade is never inverted by accident.

urbanrisk's internal scale is 1-4 with **4 the most severe**. Chinese registries grade the other way:
重大危险源 一级 is the most severe, 四级 the least (GB 18218-2018 practice). A registry therefore
declares its scale in the recipe, ``severity: {column: 等级, order: 1_is_most_severe}`` (or
``4_is_most_severe``), and each value is read as one of 1-4 or a label 一级…四级 / 1级…4级 / Ⅰ级…Ⅳ级.
A label (with 级, or a numeral 一…四 / Ⅰ…Ⅳ) is a Chinese grade: it is refused on the
``4_is_most_severe`` scale, where it would flip. China's risk grading words 重大 / 较大 / 一般 / 低
(with or without 风险: 重大风险 … 低风险; 红 / 橙 / 黄 / 蓝 on the maps) name the level itself, so they
read the same on either scale: 重大 the most severe (一级), 低 the least (四级). Anything else (2.5,
5, 较高) is an error naming the row and column and the words it takes (the nearest one when a value is
starts with one of its words or colours, e.g. 较大危险 → 较大风险, 红色 → 重大风险), never rounded.

Light on purpose (pure Python): ``urbanrisk validate`` checks the values with it.

Examples
--------
>>> to_internal("一级", "1_is_most_severe"), to_internal("4", "1_is_most_severe")
(4, 1)
>>> to_internal("3", "4_is_most_severe"), to_internal("3.0", "4_is_most_severe")
(3, 3)
>>> to_internal("2.5", "4_is_most_severe") is None, to_internal("一级", "4_is_most_severe") is None
(True, True)
>>> to_internal("较大", "1_is_most_severe"), to_internal("重大风险", "4_is_most_severe")
(3, 4)
"""

from __future__ import annotations

from functools import lru_cache

ORDERS = ("1_is_most_severe", "4_is_most_severe")
ORDER_HINT = (
    "order: 1_is_most_severe (一级 / 1 the most severe, as 重大危险源 grades) or "
    "order: 4_is_most_severe (urbanrisk's scale, 4 the most severe)"
)
_NUMERALS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
    "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "I": 1, "II": 2, "III": 3, "IV": 4,
}  # fmt: skip
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
#: China's risk grading words (重大 红 / 较大 橙 / 一般 黄 / 低 蓝): the grade as 一级…四级 counts it
GRADE_WORDS = {"重大": 1, "较大": 2, "一般": 3, "低": 4}
_COLOURS = "红橙黄蓝"  # the colours of 重大 … 低 on China's risk maps
_WORDS = "a grading word 重大 / 较大 / 一般 / 低 (风险) for 一级…四级"


@lru_cache(maxsize=4096)  # a registry repeats a few values over 100,000 rows
def grade_of(text: str) -> tuple[int, bool] | None:
    """A value's grade 1-4 as written and whether it was a 级 label; None if it is not one.

    Examples
    --------
    >>> grade_of("三级"), grade_of(" 2 "), grade_of("Ⅳ级"), grade_of("4.0"), grade_of("二"), grade_of("2.5")
    ((3, True), (2, False), (4, True), (4, False), (2, True), None)
    """
    value = str(text).strip().translate(_FULLWIDTH)
    label = value.endswith("级")
    value = value.removesuffix("级").strip()
    if value.upper() in _NUMERALS:
        # 一…四 and Ⅰ…Ⅳ count down from the most severe (as do urbanrisk's grades I-IV): labels too
        return _NUMERALS[value.upper()], label or not value.isdigit()
    if not label:
        try:
            number = float(value)
        except ValueError:
            return None
        if number.is_integer() and 1 <= number <= 4:
            return int(number), False
    return None


def word_grade(text: str) -> int | None:
    """A grading word's grade 1-4 (1 重大, the most severe), with or without 风险; None if not one.

    Examples
    --------
    >>> word_grade("较大"), word_grade(" 较大风险 "), word_grade("低风险"), word_grade("较高")
    (2, 2, 4, None)
    """
    value = str(text).strip()
    return GRADE_WORDS.get(value.removesuffix("风险").strip()) if value else None


def to_internal(text: str, order: str) -> int | None:
    """A value on the declared scale as urbanrisk's severity (4 the most severe), or None if invalid.

    A grading word (:data:`GRADE_WORDS`) names its level on either scale: 重大 is 4."""
    word = word_grade(text)
    if word is not None:
        return 5 - word
    found = grade_of(text)
    if found is None:
        return None
    grade, label = found
    if order == "1_is_most_severe":
        return 5 - grade
    return None if label else grade


def severity_problem(text: str, order: str) -> str:
    """Why a value is not a grade on the declared scale, and how to fix it."""
    found = grade_of(text)
    if found is not None and found[1] and order == "4_is_most_severe":
        return (
            f"{text!r} is a Chinese grade (一级 the most severe) but the recipe declares "
            "order: 4_is_most_severe; declare order: 1_is_most_severe"
        )
    if str(text).strip() == "":
        return "the severity is empty; fill it in (1-4 or 一级…四级)"
    fix = f"use a whole number 1-4, a label 一级…四级 or {_WORDS}"
    return f"{text!r} is not a grade: {_nearest(str(text))}{fix}"


def _nearest(text: str) -> str:
    """'did you mean …? ' when a value starts with a grade's word or colour, else '' (never a guess by
    spelling alone: 高风险 is one character from 低风险).

    Examples
    --------
    >>> _nearest("较大危险"), _nearest("红色"), _nearest("高风险")
    ("did you mean '较大风险' (二级)? Or ", "did you mean '重大风险' (一级)? Or ", '')
    """
    value = "".join(text.split())
    for word, grade in GRADE_WORDS.items():
        colour = _COLOURS[grade - 1]
        if value.startswith(word) or value.startswith(colour):
            return f"did you mean '{word}风险' ({'一二三四'[grade - 1]}级)? Or "
    return ""
