"""How an exposure that is a lower bound reads (missing is not zero): "≥ N" with the share of the reach
whose residents are unknown, never a plain N; the zh words of it (merged into
:data:`urbanrisk.outputs.i18n.ZH`) and the notes the report puts under the hazard tables.

A hazard source's ``residents_unknown_share`` (``gb18218_unknown_share`` for the 500 m of GB 18218) is
the share of the cells in its reach with residents unknown (:mod:`urbanrisk.screens.unknown_exposure`):
above 0, the residents counted there are a lower bound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..result import NO_DATA
from ..wording import percent
from .html import escape_text

if TYPE_CHECKING:
    import pandas as pd

ZH_EXPOSURE: dict[str, str] = {
    "≥ {n} ({share} of the reach unknown)": "≥ {n}（影响范围 {share} 人口未知）",
    "unknown (no population data in reach)": "未知（影响范围内无人口数据）",
    "unknown (at least {n})": "未知（至少 {n}）",
    "exposure bound note": (
        "“≥ N”为下限：危险源影响范围内部分网格无人口数据（在研究区外、人口数据覆盖范围外，"
        "或建筑数据不完整），实际人口可能更多；这些人口可能改变的等级不予评定（无数据），并非低风险。"
    ),
    "exposure unknown note": (
        "各危险源影响范围内均无人口数据：暴露人口未知，凡取决于暴露人口的等级均为“无数据”"
        "（仅凭严重度即可确定的等级照常评定）。请在配方中加入人口图层（人口栅格或按建筑估算人口）。"
    ),
}

#: English texts of the keys that are not themselves the English text.
EN_EXPOSURE: dict[str, str] = {
    "exposure bound note": (
        "≥ N is a lower bound: part of the source's reach has no population data (outside the study "
        "area or the population data, or where buildings look incomplete), so more people may live "
        "there; a grade those people could change is not given (no data), which is not low risk."
    ),
    "exposure unknown note": (
        "No population data in any hazard source's reach: the residents exposed are unknown, and every "
        "grade that depends on them is no data (a grade the severity alone fixes stands). Add a "
        "population layer (a raster, or population_from_buildings) to the recipe to grade them."
    ),
}


REACH_WORDS = ("≥ {n} ({share} of the reach unknown)", "unknown (no population data in reach)")
#: A count wholly unknown (every cell unknown) of which some residents were counted: unknown, with the
#: count as its floor (never "≥ N (100% ... unknown)", which reads as a measured share of a known count).
WHOLLY_UNKNOWN = "unknown (at least {n})"


def lower_bound(
    value: object, share: object, t: Callable[..., str], digits: int = 0, words: tuple[str, str] = REACH_WORDS
) -> str:
    """A count as shown: ``N``, or ``≥ N (x% of the reach unknown)`` when ``share`` is above 0 and
    below 1; when nothing in reach was measured (``share`` 1), unknown: "unknown (no population data in
    reach)" when nothing was counted, else "unknown (at least N)" (:data:`WHOLLY_UNKNOWN`).

    Examples
    --------
    >>> t = lambda text, **v: text.format(**v)
    >>> lower_bound(1234.4, 0.0, t), lower_bound(600.0, 0.1187, t), lower_bound(0.3, 1.0, t)
    ('1,234', '≥ 600 (12% of the reach unknown)', 'unknown (no population data in reach)')
    >>> lower_bound(7.0, 1.0, t)
    'unknown (at least 7)'
    >>> lower_bound(float("nan"), 0.5, t), lower_bound(3.9, float("nan"), t, 1)
    ('–', '3.9')
    """
    import pandas as pd  # lazy: `urbanrisk validate` imports the words, not pandas

    if value is None or pd.isna(value):
        return "–"
    shown = f"{float(value):,.{digits}f}"
    if share is None or pd.isna(share) or not float(share) > 0:
        return shown
    if float(share) >= 1.0:  # nothing measured: the count is unknown (with what was counted as its floor)
        return t(words[1]) if round(float(value), digits) <= 0 else t(WHOLLY_UNKNOWN, n=shown)
    return t(words[0], n=shown, share=percent(float(share)))


def exposure_note(shares: pd.Series, t: Callable[..., str]) -> str:
    """The note under a hazard table whose exposures include lower bounds (escaped HTML; "" if none)."""
    import pandas as pd

    shares = pd.to_numeric(shares, errors="coerce").fillna(0.0)
    if not len(shares) or not (shares > 0).any():
        return ""
    key = "exposure unknown note" if (shares >= 1.0).all() else "exposure bound note"
    return f'<p class="note">{escape_text(t(key))}</p>'


#: A hazard source's factors with a lower bound (screens.unknown_exposure.factors_text) in Chinese,
#: for the alerts' explanations (:mod:`urbanrisk.outputs.i18n_alerts`).
ZH_FACTOR_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"severity (\d) x consequence ≥ (\d) = ≥ (\d+): ≥ ([\d,]+) residents within ([\d,]+) m",
        r"严重度 \1 × 后果 ≥ \2 = ≥ \3：\5 米内常住人口 ≥ \4 人",
    ),
    (
        r"severity (\d) x consequence ≥ (\d) = ≥ (\d+): residents within ([\d,]+) m unknown "
        r"\(at least ([\d,]+)\)",
        r"严重度 \1 × 后果 ≥ \2 = ≥ \3：\4 米内常住人口未知（至少 \5 人）",
    ),
    (
        r"severity (\d) x consequence ≥ (\d) = ≥ (\d+): residents within ([\d,]+) m unknown "
        r"\(no population data in reach\)",
        r"严重度 \1 × 后果 ≥ \2 = ≥ \3：\4 米内常住人口未知（影响范围内均无人口数据）",
    ),
    (r" \(all the area in reach has residents unknown\)", "（影响范围内均无人口数据）"),  # runs of old
    (r" \(([<>\d]+%) of the area in reach has residents unknown\)", r"（影响范围 \1 人口未知）"),
    (r": not graded, (I|II|III|IV) or worse", r"：不予评级（至少 \1 级）"),
    (r": the grade holds whatever they are", "：无论其人口多少，等级不变"),
)

#: How a GB 18218 grade's quantities were read (``gb18218_quantity``) -> what the grade cell adds, en / zh.
QUANTITY_GRADE_WORDS = {
    "approximate": ("quantity approximate", "存量为近似值"),
    "upper bound": ("quantity's upper bound", "存量取上限"),
    "lower bound": ("quantity a lower bound", "存量为下限"),
    "both ways": ("quantities bounded both ways", "存量含上限与下限"),
}


def quantity_grade(grade: str, reading: object, language: str) -> str:
    """A GB 18218 grade with how its quantities were read, when not exactly.

    >>> quantity_grade("三级", "approximate", "zh"), quantity_grade("IV", "", "en")
    ('三级（存量为近似值）', 'IV')
    >>> quantity_grade("no data", "lower bound", "en")
    'no data (quantity a lower bound)'
    """
    words = QUANTITY_GRADE_WORDS.get(str(reading))
    if words is None:
        return grade
    return f"{grade}（{words[1]}）" if language == "zh" else f"{grade} ({words[0]})"


#: The basis of a source with a substance of no quantity, or quantities that do not pair up with its
#: substances (:mod:`urbanrisk.screens.major_hazard`), in Chinese: for the report and the planner pages.
ZH_QUANTITY_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^no quantity for (.*): unknown, no R \(not 0\); give the most that may be present, in tonnes$",
        r"\1 未填写存量：存量未知，不计算 R（不作 0 计）；请填写最大存在量（吨）",
    ),
    (
        r"^(\d+) substances but (\d+) quantities: which is whose is unknown, no R \(not 0\); "
        r"give one quantity per substance, separated by ;$",
        r"\1 种物质、\2 个存量：无法对应，存量未知，不计算 R（不作 0 计）；请每种物质填写一个存量，以 ; 分隔",
    ),
)

_ZH_BOUNDS = (
    (r"'([^']*)' read as ([\d.e+]+) t \(approximate\)", r"'\1' 按 \2 吨计（近似值）"),
    (r"'([^']*)' read as ([\d.e+]+) t \(the upper bound\)", r"'\1' 按 \2 吨计（取上限）"),
    (r"'([^']*)' read as ([\d.e+]+) t \(at least: a lower bound\)", r"'\1' 按 \2 吨计（至少，为下限）"),
    (r"^R approximate \(a quantity approximate\): ", "R 为近似值（存量为近似值）："),
    (r"^R at most \(a quantity's upper bound\): ", "R 为上限（存量取上限）："),
    (r"^R at least \(a quantity's lower bound\): ", "R 为下限（存量为下限）："),
    (
        r"^R neither bound \(upper and lower bounds of quantities\): ",
        "R 既非上限也非下限（存量含上限与下限）：",
    ),
    *ZH_QUANTITY_PATTERNS,
    (
        r"^quantity '(.*)' is unknown: no R \(not 0\); give the most that may be present, in tonnes$",
        r"存量 '\1' 未知：不计算 R（不作 0 计）；请填写最大存在量（吨）",
    ),
    (
        r"^not a major hazard source \(Σq/Q = (\S+) < 1, GB 18218-2018 4\.2 formula \(1\)\): no grade; "
        r"R for reference: ",
        r"非重大危险源（Σq/Q = \1 < 1，GB 18218-2018 第 4.2 条式（1））：不分级；R 仅供参考：",
    ),
    (
        r"Σq/Q ≥ (\S+), a floor below 1: a major hazard source or not, the registry cannot tell; "
        r"R for reference: ",
        r"Σq/Q ≥ \1，为下限且小于 1：是否构成重大危险源无法判定；R 仅供参考：",
    ),
    (
        r"^quantity '(.*)' is a volume, not a mass: give tonnes \(volume × density\)$",
        r"存量 '\1' 是体积而非质量：请填写吨数（体积 × 密度）",
    ),
    (
        r"^quantity '(.*)' is a volume, not a mass: give tonnes "
        r"\(volume × density; a US gallon is 3\.785 L\)$",
        r"存量 '\1' 是体积而非质量：请填写吨数（体积 × 密度；1 美制加仑 = 3.785 升）",
    ),
    (
        r", tons taken as metric tonnes \(a US short ton is 0\.907 t: write short tons or t\)",
        "，tons 按公吨计（美制短吨为 0.907 吨：请写 short tons 或 t）",
    ),
    (r"; no unit written \((.*?)\): taken as tonnes$", r"；未写单位（\1）：按吨计"),  # office16
    (r"^quantity '(.*)' is not a number of tonnes$", r"存量 '\1' 不是吨数：请填写如 30吨、2.5 t、500 kg"),
    (
        r"^not in the GB 18218 table: (.*) \(add to your copy\)",
        r"不在 GB 18218 物质表中：\1（请加入您的副本）",
    ),
    (r"; the others give Σβq/Q = (.*), a lower bound$", r"；其余物质 Σβq/Q = \1，为下限"),
    (r"people within 500 m unknown \(at least ([\d,.]+)\)", r"500 米内人口未知（至少 \1 人）"),
    (r"people within 500 m unknown \(no population data in reach\)", "500 米内人口未知（范围内无人口数据）"),
    (
        r"≥ ([\d,.]+) people within 500 m \(([<>\d]+%) of the area in reach has residents unknown\)",
        r"500 米内 ≥ \1 人（\2 范围人口未知）",
    ),
)


def zh_bounds(text: str) -> str:
    """The lower-bound words of a GB 18218 basis in Chinese.

    >>> zh_bounds("α ≥ 1.5: ≥ 60 people within 500 m (9% of the area in reach has residents unknown) × (x)")
    'α ≥ 1.5: 500 米内 ≥ 60 人（9% 范围人口未知） × (x)'
    >>> zh_bounds("α ≥ 1: people within 500 m unknown (at least 7) × (x)")
    'α ≥ 1: 500 米内人口未知（至少 7 人） × (x)'
    """
    for pattern, replacement in _ZH_BOUNDS:
        text = re.sub(pattern, replacement, text)
    return text


#: The warnings of :func:`exposure_warning` in Chinese (regex -> replacement, for ``data_text``).
ZH_EXPOSURE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^no population data in any hazard source's reach: .*?; ([\d,]+) of ([\d,]+) hazard sources? .*$",
        r"各危险源影响范围内均无人口数据：暴露人口未知，\2 个危险源中 \1 个不予评级（无数据），并非低风险",
    ),
    (
        r"^([\d,]+) of ([\d,]+) hazard sources? ha(?:s|ve) residents unknown in some or all of their "
        r"reach: .*?; "
        r"([\d,]+) of them .*$",
        r"\2 个危险源中 \1 个的影响范围内部分或全部人口未知：暴露人口为下限（≥ N），"
        r"其中 \3 个因此不予评级（无数据）",
    ),
)


def exposure_counts(hazards: pd.DataFrame | None) -> dict[str, int]:
    """Hazard sources in all, with exposure a lower bound, with nothing in reach measured, and not graded
    for it ({} without a hazard table)."""
    if hazards is None or not len(hazards) or "residents_unknown_share" not in hazards.columns:
        return {}
    import pandas as pd

    share = pd.to_numeric(hazards["residents_unknown_share"], errors="coerce").fillna(0.0)
    return {
        "sources": len(hazards),
        "bounded": int((share > 0).sum()),
        "unknown": int((share >= 1).sum()),
        "not_graded": int(((share > 0) & (hazards["grade"] == NO_DATA)).sum()),
    }


def exposure_warning(counts: dict[str, int]) -> str:
    """The run's warning when hazard sources have residents unknown in reach ("" when none has).

    >>> exposure_warning({"sources": 3, "bounded": 3, "unknown": 3, "not_graded": 3})[:60]
    "no population data in any hazard source's reach: the residen"
    >>> exposure_warning({"sources": 7, "bounded": 6, "unknown": 5, "not_graded": 5})[:46]
    '6 of 7 hazard sources have residents unknown i'
    >>> text = exposure_warning({"sources": 2, "bounded": 1, "unknown": 0, "not_graded": 1})
    >>> text[:30], "1 of them is not graded" in text
    ('1 of 2 hazard sources has resi', True)
    """
    if not counts.get("bounded"):
        return ""
    n, bounded, not_graded = counts["sources"], counts["bounded"], counts["not_graded"]
    if counts["unknown"] == n:
        return (
            "no population data in any hazard source's reach: the residents exposed are unknown; "
            f"{not_graded:,} of {n:,} hazard sources are not graded (no data), which is not low risk"
        )
    have = "has" if bounded == 1 else "have"  # "1 of 2 hazard sources has", "6 of 7 ... have"
    are = "is" if not_graded == 1 else "are"
    return (
        f"{bounded:,} of {n:,} hazard sources {have} residents unknown in some or all of their reach: "
        f"the residents exposed are lower bounds (≥ N); {not_graded:,} of them {are} not graded (no data): "
        "those residents could change their grade"
    )
