"""Alerts (``alerts.json``) in the report's language: their explanations rewritten from the English the
stages and :mod:`urbanrisk.changes` write (the patterns of :mod:`urbanrisk.outputs.i18n`'s kind).

Names, ids, grades (I–IV), numbers and standard codes stay as written; hazard kinds' English labels
become the kind table's Chinese labels (``labels``: the recipe's own table, so a user's kinds too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .i18n import sites_text, standard_name, translator
from .i18n_english import english_citation
from .i18n_exposure import ZH_FACTOR_PHRASES
from .i18n_severity import zh_severity_text

#: (English pattern, Chinese replacement), applied in order anywhere in an explanation
_ZH_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^resource\(s\) (.+?) removed; ", r"资源 \1 已移除; "),
    (r"^hazard source (.+?) now in reach; ", r"危险源 \1 进入影响范围; "),
    (
        r"residents unknown in the last run, counted now; ",
        "上次运行时常住人口未知、本次已统计（等级随数据变化，并非实地变化）; ",
    ),
    (
        r"severity (\d) x consequence (\d) = (\d+): ([\d,]+) residents within ([\d,]+) m",
        r"严重度 \1 × 后果 \2 = \3：\5 米内常住人口 \4 人",
    ),
    (r"; (\d+) vulnerable site\(s\)", r"；脆弱场所 \1 处"),
    (r"; (\d+) standard\(s\) breached", r"；违反间距标准 \1 项"),
    (r"hazard source nearby: ", "附近危险源："),
    (r" \(severity (\d)\)", r"（严重度 \1）"),
    (r"([\d,]+) crowd-gathering places within ~100 m", r"约 100 米内人员密集场所 \1 处"),
    (r"([\d,]+) residents? \(([\d,]+)/km²\)", r"常住人口 \1 人（每平方公里 \2 人）"),
    (r"urban-village form \(score ([\d.]+)\)", r"城中村形态（得分 \1）"),
    (r"building coverage (\d+%)", r"建筑覆盖率 \1"),
    (
        r"([\d,]+) vulnerable sites \(schools, hospitals\.\.\.\) within ~100 m",
        r"约 100 米内脆弱场所（学校、医院等）\1 处",
    ),
    (
        r"emergency response beyond the coverage standards \(lack of coping ([\d.]+)/10\)",
        r"应急资源到达超出覆盖标准（应对能力不足 \1/10）",
    ),
    (r"nothing notable", "无突出因素"),
    (r"^no data: too little measured here to grade \((.*)\)$", r"无数据：可测量内容过少，无法评级（\1）"),
)
_NO_LONGER_REACHED = re.compile(
    r"([\d,]+) residents? in ([\d,]+) cells? no longer reached within the (\w+) standard"
)
_BREACHES = re.compile(r"; breaches: (.*)$")
_COVERAGE_LOST = re.compile(r"(^|; )([a-z0-9_, ]+) coverage lost(?=; |$)")
_NEW = re.compile(r"^new (.+?): (?=severity )")
_BY_UNIT = re.compile(r"; by (\w+): (.*?)(?: and (\d+) more \((\d+) in all\))?$")


def _by_unit(match: re.Match[str]) -> str:
    """The units a loss falls in, in Chinese: "; by street: 西街道 1,204, 东街道 300 and 2 more (4 in all)"
    -> "; 按街道：西街道 1,204 人、东街道 300 人等 4 个街道"."""
    level = translator("zh")(match.group(1))
    items = [re.sub(r" ([\d,]+)$", r" \1 人", item) for item in match.group(2).split(", ")]
    more = f"等 {match.group(4)} 个{level}" if match.group(4) else ""
    return f"; 按{level}：{'、'.join(items)}{more}"


def _label(text: str, labels: Mapping[str, str]) -> str:
    return labels.get(text, text)


def alert_explanation(text: str, language: str, labels: Mapping[str, str] | None = None) -> str:
    """An alert's explanation in ``language`` (English as written, Chinese rewritten).

    ``labels``: English hazard-kind label -> Chinese label (the kind table's ``label_en`` / ``label_zh``).

    Examples
    --------
    >>> alert_explanation("resource(s) SH2 removed; 1,204 residents in 3 cells no longer reached "
    ...                   "within the shelter standard", "zh")
    '资源 SH2 已移除；1,204 名常住人口（3 个网格单元）不再能在应急避难场所标准内到达'
    >>> alert_explanation("new chemical site: severity 3 x consequence 2 = 6: 1,512 residents within 500 m",
    ...                   "zh", {"chemical site": "危险化学品场所"})
    '新增危险化学品场所：严重度二级（3）× 后果 2 = 6：500 米内常住人口 1,512 人'
    >>> alert_explanation("resource(s) F1 removed; 1,504 residents in 4 cells no longer reached within the "
    ...                   "fire standard; by street: 西街道 1,204, 东街道 300", "zh")[-33:]
    '消防标准内到达；按街道：西街道 1,204 人、东街道 300 人'
    >>> alert_explanation("fire, shelter coverage lost; building coverage 39%", "zh")
    '消防、应急避难场所覆盖丧失；建筑覆盖率 39%'
    >>> alert_explanation("severity 3 x consequence ≥ 2 = ≥ 6: ≥ 150 residents within 100 m (12% of the "
    ...                   "area in reach has residents unknown): not graded, III or worse", "zh")
    ... # doctest: +NORMALIZE_WHITESPACE
    '严重度二级（3）× 后果 ≥ 2 = ≥ 6：100 米内常住人口 ≥ 150 人（影响范围 12% 人口未知）：不予评级（至少
    III 级）'
    """
    if language != "zh" or not text:
        return english_citation(text)  # a breach's Chinese title (危险化学品安全管理条例) in English
    labels = labels or {}
    out = _NEW.sub(lambda m: f"新增{_label(m.group(1), labels)}：", text)
    breaches = _BREACHES.search(out)
    if breaches:
        out = out[: breaches.start()] + "；违反间距：" + sites_text(breaches.group(1), "zh")
    out = _NO_LONGER_REACHED.sub(
        lambda m: (
            f"{m.group(1)} 名常住人口（{m.group(2)} 个网格单元）不再能在"
            f"{standard_name(m.group(3), 'zh')}标准内到达"
        ),
        out,
    )
    out = _BY_UNIT.sub(_by_unit, out)
    out = _COVERAGE_LOST.sub(
        lambda m: m.group(1) + "、".join(standard_name(x, "zh") for x in m.group(2).split(", ")) + "覆盖丧失",
        out,
    )
    for pattern, replacement in ZH_FACTOR_PHRASES + _ZH_PHRASES:
        out = re.sub(pattern, replacement, out)
    parts = [_hazard_reaching(part, labels) for part in out.split("; ")]
    return zh_severity_text("；".join(parts))  # each severity by its level name (一级 the most severe)


#: A community's source ends with its grade: "(II)", "(no data)".
_GRADE_TAIL = re.compile(r" \((I|II|III|IV|no data)\)$")


def _hazard_reaching(part: str, labels: Mapping[str, str]) -> str:
    """A source as "<kind label> 某仓库 (II)" (a community's: its grade as the registers' hazards_zh
    write it, （II级）, （无数据）) or "附近危险源：<kind label> 某仓库（严重度一级）" (a cell's): the kind's
    label in Chinese.

    Examples
    --------
    >>> _hazard_reaching("fuel station 中国石化 (no data)", {"fuel station": "加油站"})
    '加油站 中国石化（无数据）'
    """
    head = "附近危险源：" if part.startswith("附近危险源：") else ""
    rest = part[len(head) :]
    for english in sorted(labels, key=len, reverse=True):
        if english and rest.startswith(english + " "):
            tail = _GRADE_TAIL.sub(
                lambda m: "（无数据）" if m.group(1) == "no data" else f"（{m.group(1)}级）",
                rest[len(english) :],
            )
            return head + labels[english] + tail
    return part


def localised_alerts(
    alerts: list[dict[str, Any]], language: str, labels: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The alerts with their explanations in ``language`` (the same list for English)."""
    if language != "zh":
        return alerts
    return [
        {**a, "explanation": alert_explanation(str(a.get("explanation") or ""), language, labels)}
        for a in alerts
    ]
