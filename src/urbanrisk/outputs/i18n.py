"""The report's words in each language: a message catalogue (English is the key and the default).

``recipe: report: {language: zh}`` writes the report in Chinese. Every heading, label and
explanation of the report passes through :func:`translator`; texts the stages write in English
(statuses, warnings, hazard and site descriptions, generated unit names) pass through
:func:`data_text`, which rewrites the known patterns. Names from the data stay as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from ..coarse_grid import ZH_COARSE_PATTERNS
from ..wording import singular_for_one
from .i18n_checks import ZH_CHECKS
from .i18n_english import EN_PAGES, english_citation
from .i18n_exposure import EN_EXPOSURE, ZH_EXPOSURE, ZH_EXPOSURE_PATTERNS
from .i18n_more import ZH_MORE, ZH_MORE_PATTERNS
from .i18n_pages import CHANGE_WORDS_ZH, ZH_PAGE_PATTERNS, ZH_PAGES, zh_status_tails
from .i18n_sites import CODE, sites_text  # noqa: F401 (sites_text: said from here too)
from .i18n_status import ZH_STATUS_PATTERNS
from .kind_words import MODE_ZH, RESOURCE_ZH, STANDARD_EN, STANDARD_ZH

LANGUAGES = ("en", "zh")

#: the grades' words, each language's alone: the English report read "I 重大 major" (the map until look14)
GRADE_WORDS = {
    "en": {"I": "major", "II": "considerable", "III": "moderate", "IV": "low", "no data": "no data"},
    "zh": {"I": "重大", "II": "较大", "III": "一般", "IV": "低", "no data": "无数据"},
}
MAP_GRADE_WORDS = GRADE_WORDS  # the map's (legend and tips): the same words

ZH: dict[str, str] = {
    # N-1 resilience
    "What one loss costs (N-1): residents who fall outside the standard if it closes": (
        "单点失效分析：某一资源停用后不再满足标准的常住人口"
    ),
    "no resource of any standard to lose": "无可评估的应急资源",
    "the city can least afford to lose {name} ({id}); residents who would fall outside the standard: {n}": (
        "最不可缺少的资源为 {name}（{id}）：停用后不再满足标准的常住人口 {n}"  # n: ≥ N or 未知（…）
    ),
    "no resource whose loss leaves any resident outside the standard": "停用任一资源均不会使常住人口失去覆盖",
    "resource": "资源",
    "residents served": "服务常住人口",
    "residents lost if closed": "停用后失去覆盖的常住人口",
    "cells lost": "失去覆盖的单元",
    "Each resource removed in turn, coverage solved again from the others (resilience.parquet).": (
        "逐一停用每个资源，由其余资源重新计算覆盖（明细见运行目录中的单点失效表）。"
    ),
    # page and cards
    "urbanrisk risk screening": "urbanrisk 城市风险普查",
    "generated": "生成于",
    "population": "人口来源",
    "residents": "常住人口",
    "cells": "网格单元",
    "grade I cells": "I 级（重大）单元",
    "hazard sources": "危险源",
    "key districts": "重点地区",
    "urban villages": "城中村",
    "Residents per grade": "各风险等级常住人口",
    "Residents in total": "常住人口合计",
    "cells with residents unknown": "常住人口未知的单元",
    "grade": "等级",
    "level": "级别",
    "none": "无",
    "no data": "无数据",
    "… and {n} more in the run folder": "……另有 {n} 条，见运行目录中的数据文件",
    # hazard sources
    "Top hazard sources (危险源点)": "危险源点",
    "kind": "类别",
    "name": "名称",
    "severity": "严重度",
    "residents in reach": "影响范围内人口",
    "vulnerable sites": "脆弱场所",
    "standards breached": "违反的间距标准",
    "Major hazard sources per GB 18218-2018 (重大危险源辨识)": "重大危险源辨识（GB 18218-2018）",
    "risk-matrix grade": "风险矩阵等级",
    "GB 18218 grade": "GB 18218 分级",
    "not computed": "未计算",
    "not a major hazard source": "非重大危险源",
    "people within 500 m": "500 米内人口",
    "how R was computed": "R 值计算",
    "gb18218 note": (
        "R = α Σ β q/Q（GB 18218-2018 第 4.2.3 条）：Q 取表 1 临界量，β 取表 3/表 4 校正系数，α 取表 5"
        "（500 米内人数）；分级：一级 R≥100，二级 50≤R<100，三级 10≤R<50，四级 R<10；"
        "仅 Σq/Q ≥ 1 的重大危险源（第 4.2 条式（1））分级。"
        "人数以网格常住人口估算，须以现场核查为准；物质参数表仅为标准的部分摘录。"
    ),
    "no registry source lists substances and quantities": "危险源台账未列明物质及存量，未计算 R 值",
    # communities and registers
    "Community register (街道社区), worst first": "社区风险清单（按风险由高到低）",
    "worst": "最高等级",
    "unit": "单元",
    "in I": "I级人口",  # no space: the header is not broken before 级 (the report keeps words whole)
    "in II": "II级人口",
    "red cells": "红色单元",
    "orange cells": "橙色单元",
    "hazards reaching it": "影响到的危险源",
    "census count": "统计表人数",
    "residents against the census": "常住人口与统计表对照",
    "Risk registers by level (风险清单)": "分级风险清单（区—街道—社区—网格）",
    "parent unit": "上级单元",
    "uncovered ({standard})": "未覆盖人口（{standard}）",
    "level {level}: {units} units, {residents} residents (totals equal the grid's)": (
        "{level}级：{units} 个单元，常住人口 {residents}（与全网格合计一致）"
    ),
    "district": "区",
    "street": "街道",
    "community": "社区",
    "grid": "网格",
    # key districts, urban villages
    "Key districts (重点地区)": "重点地区",
    "crowd places": "人员密集场所",
    "people present": "在场人数估计",
    "Urban villages (城中村)": "城中村",
    "confidence": "置信度",
    "buildings": "建筑数",
    # responsibility
    "Responsibility list (责任清单)": "责任清单（属地与行业责任）",
    "item": "风险事项",
    "department": "行业主管部门",
    "response level": "响应级别",
    "responsibility note": (
        "属地单元按事项位置所在的各级单元确定（派生社区单元由整个网格单元组成：位置不在其轮廓内时取其所在网格单元的社区），"
        "跨多个单元的片区同时列出另涉及的单元，无属地单元时注明原因；行业主管部门取自可编辑的 departments.csv"
        "（注明法规依据，无依据者标为可编辑的默认值）；响应级别按等级取自 response_levels.csv（可编辑）。"
        "完整清单见 responsibility.csv 与 responsibility.xlsx（Excel 可直接打开，每个等级一页）。"
    ),
    # coverage
    "Emergency-resource coverage: residents not reached within the standard": (
        "应急资源覆盖：标准时间或距离内无法到达的常住人口"
    ),
    "standard": "标准",
    "standard applied": "采用的标准",
    "residents uncovered": "未覆盖人口",
    "status": "状态",
    "source": "依据",
    "uncovered": "未覆盖",
    "Suggested sites for new resources (greedy maximal covering)": "新增应急资源建议选址（贪心最大覆盖）",
    "rank": "序号",
    "where (lon, lat)": "位置（经度, 纬度 WGS84）",
    "street node (OSM id)": "道路节点（OSM 编号）",
    "residents newly covered": "新增覆盖人口",
    "cumulative": "累计",
    # completeness, inputs, notes
    "Data completeness: what could not be measured": "数据完整性：未能测量的指标",
    "indicator unknown": "未知指标",
    "every indicator was measured in every cell": "所有单元的全部指标均已测量",
    "completeness text": (
        "OSM 建筑完整度：{estimate}。未知指标不计入所在维度（不按 0 计）；"
        "可测量内容过少的单元不评级（灰色）。"
    ),
    "about {share}": "约 {share}",
    "no basis for an estimate": "无法估计",
    "Inputs": "输入数据",
    "layer": "图层",
    "type": "类型",
    "file": "文件",
    "data date": "数据日期",
    "(newest OSM edit)": "（OSM 最新编辑日期）",
    "(file)": "（文件日期）",
    "Grading": "分级方法",
    "thresholds": "阈值法",
    "quantiles": "分位数法",
    "natural_breaks": "自然断点法",
    "method and sources: docs/risk-model.md": "方法与依据见 docs/risk-model.md",
    "{n} technical notes: see manifest.json": "另有 {n} 条技术说明，见 manifest.json",
    "Population rasters: WorldPop (www.worldpop.org), CC BY 4.0.": (
        "人口栅格：WorldPop (www.worldpop.org)，CC BY 4.0。"
    ),
    "Population raster: {source}.": "人口栅格：{source}。",
    "Map data © OpenStreetMap contributors (ODbL)": "地图数据 © OpenStreetMap 贡献者（ODbL）",
    # changes
    "Changes since the last run": "与上次运行相比的变化",
    "change": "变化",
    "before": "之前",
    "after": "之后",
    "explanation": "说明",
    "no changes since the last run": "与上次运行相比没有变化",
    "{n} changes; escalations and losses first": (  # the words of the list below it (丧失, not 失去)
        f"共 {{n}} 项变化；{CHANGE_WORDS_ZH['escalation']}与覆盖{CHANGE_WORDS_ZH['lost']}者在前"
    ),
}

for _key, _text in (ZH_PAGES | ZH_CHECKS | ZH_EXPOSURE | ZH_MORE).items():  # the map's, incident page's,
    ZH.setdefault(_key, _text)  # command line's words, checks' messages, exposure, supply and sites bounds

#: Every English -> Chinese pattern of :func:`data_text`, in the order tried.
_PATTERNS = (
    ZH_PAGE_PATTERNS + ZH_EXPOSURE_PATTERNS + ZH_MORE_PATTERNS + ZH_STATUS_PATTERNS + ZH_COARSE_PATTERNS
)

#: English texts of the keys that are not themselves the English text.
EN: dict[str, str] = (
    EN_EXPOSURE
    | EN_PAGES
    | {
        "responsibility note": (
            "Units: the unit at each level that contains the item's point (derived community units are "
            "made of whole grid cells: a point outside their outlines takes its cell's unit); an area "
            "spanning several units also names the others; an item with no unit says why. Department: "
            "tables/departments.csv (its regulation where one names the department, else an editable "
            "default). Response level: tables/response_levels.csv by grade (editable). The whole list is "
            "responsibility.csv and responsibility.xlsx (open in Excel; a sheet per grade)."
        ),
    }
)


_KIND_WORDS = {**RESOURCE_ZH, **STANDARD_ZH}  # {kind} and {standard} in a pattern's Chinese text


def translator(language: str) -> Callable[..., str]:
    """``t(text, **values)``: the text in ``language`` (English when missing), formatted with ``values``.

    Examples
    --------
    >>> translator("zh")("Residents per grade"), translator("en")("none")
    ('各风险等级常住人口', 'none')
    """
    table = ZH if language == "zh" else EN
    english = language != "zh"

    def t(text: str, **values: object) -> str:
        out = table.get(text, text)
        if english and values:  # "1 cell", not "1 cells"
            out = singular_for_one(out, values)
        return out.format(**values) if values else out

    return t


#: the name of the registers' row of cells that no unit of a level covers (both languages: it is data)
UNASSIGNED_ROW = "未划入 unassigned"


def data_text(text: object, language: str) -> str:
    """A status, warning or generated name written by a stage, in ``language``.

    Examples
    --------
    >>> data_text("ok: 3 sources", "zh"), data_text("H3 cell 8831aa", "zh")
    ('完成：3 个危险源', 'H3 单元 8831aa')
    >>> data_text("未划入 unassigned", "en"), data_text("未划入 unassigned", "zh")
    ('unassigned', '未划入')
    """
    value = "" if text is None else str(text)
    if language != "zh" or not value:  # the registers' bilingual unassigned row, in English alone
        return value.replace(UNASSIGNED_ROW, "unassigned") if UNASSIGNED_ROW in value else value
    value, tail = zh_status_tails(value)
    for pattern, replacement in _PATTERNS:
        if re.match(pattern, value):
            out = re.sub(pattern, replacement, value) + tail
            return re.sub(r"\{([a-z_]+)\}", lambda m: _KIND_WORDS.get(m.group(1), m.group(1)), out)
    gap = re.match(r"^(\w+) gap$", value)
    if gap:
        return f"{standard_name(gap.group(1), language)}覆盖缺口"
    value = re.sub(r"\bH3 cell\b", "H3 单元", value)
    value = re.sub(r"\bresidential area\b", "居住区", value)
    value = re.sub(r"\bkey district\b", "重点地区", value)
    value = value.replace(UNASSIGNED_ROW, "未划入")
    return value


def standard_name(name: str, language: str) -> str:
    """A coverage standard's name (its id in outputs) in ``language``: a recipe's own id read as words
    (``fire_5min`` as ``fire 5 min``; the map showed the keys).

    Examples
    --------
    >>> standard_name("fire", "zh"), standard_name("fire", "en"), standard_name("fire_first_engine", "en")
    ('消防', 'fire', 'fire (first engine)')
    >>> standard_name("fire_5min", "en"), standard_name("fire_5min", "zh")
    ('fire 5 min', 'fire 5 min')
    """
    if language == "zh" and name in STANDARD_ZH:
        return STANDARD_ZH[name]
    return STANDARD_EN.get(name) or re.sub(r"(\d)([^\W\d])", r"\1 \2", str(name).replace("_", " ")).strip()


def standard_source(source: str, language: str) -> str:
    """A standard's source: in Chinese, the cited document (its number and title) without the English gloss.

    Examples
    --------
    >>> standard_source("GB 21734-2008 地震应急避难场所: shelter radius 500 m", "zh")
    'GB 21734-2008 地震应急避难场所'
    >>> standard_source("急救中心建设标准 (建标177-2016): radius 5 km", "zh")
    '急救中心建设标准（建标177-2016）'
    """
    if language != "zh":
        return english_citation(source)
    head = source.split(":")[0].strip()
    if re.search(r"[A-Za-z]{3,}", CODE.sub("", head)):  # an English citation: keep the numbers only
        return "、".join(m.group(0) for m in CODE.finditer(head)) or head
    return re.sub(r"\s*\(([^()]*)\)", r"（\1）", head)  # full-width brackets in Chinese


def standard_words(entry: dict, language: str) -> str:
    """A coverage standard in words (from the summary's entry)."""
    if language != "zh" or "resource_kind" not in entry:
        return str(entry.get("standard", ""))
    kind = RESOURCE_ZH.get(entry["resource_kind"], entry["resource_kind"])
    unit = {"min": "分钟", "s": "秒", "m": "米"}.get(entry["unit"], entry["unit"])
    turnout = (
        f"（含出动准备 {entry['turnout_s']:.0f} 秒）"
        if entry["unit"] in ("min", "s") and entry["turnout_s"]
        else ""
    )
    return f"{kind}：{MODE_ZH.get(entry['mode'], entry['mode'])} {entry['limit']:g} {unit}内到达{turnout}"


def toggle_text(label: str, language: str) -> str:
    """A map layer toggle (its swatch, then its words) in ``language``.

    Examples
    --------
    >>> toggle_text('<span></span>units 街道 street', "zh"), toggle_text('<span></span>streets', "zh")
    ('<span></span>街道', '<span></span>道路')
    """
    swatch, _, words = label.rpartition("</span>")
    swatch += "</span>" if swatch else ""
    if language != "zh":
        return swatch + _english_toggle(words)
    bilingual = re.match(r"^(?:units )?([^\x00-\x7f]+) [a-z]+$", words)  # "units 街道 street"
    if bilingual:
        return swatch + bilingual.group(1)
    gaps = re.match(r"^coverage gaps (\w+) 覆盖盲区$", words)
    if gaps:
        return swatch + f"{standard_name(gaps.group(1), language)}覆盖缺口"  # as the report and tips
    chinese = re.match(r"^[a-z ]+ ([^\x00-\x7f]+)( \(\+\))?$", words)  # "hazard impact radius 影响半径"
    if words not in ZH and chinese:
        return swatch + chinese.group(1) + ("（+）" if chinese.group(2) else "")
    return swatch + ZH.get(words, words)


def unknown_text(text: object, language: str) -> str:
    """A cell's unknown indicators ("residents: buildings look incomplete (31%); fire coverage: ...")
    in ``language``.

    Examples
    --------
    >>> unknown_text("residents: buildings look incomplete (31%); crowding: outside the OSM data", "zh")
    '常住人口：建筑数据不完整（约 31%）；人员密集：在 OSM 数据范围外'
    """
    value = "" if text is None else str(text)
    if language != "zh" or not value:  # the registers' bilingual unassigned row, in English alone
        return value.replace(UNASSIGNED_ROW, "unassigned") if UNASSIGNED_ROW in value else value
    t = translator("zh")
    parts = []
    for part in value.split("; "):
        what, _, why = part.partition(": ")
        incomplete = re.match(r"^buildings look incomplete \((\d+%)\)$", why)
        if what in ZH and (why in ZH or incomplete):
            why = (
                t("buildings look incomplete ({share})", share=incomplete.group(1)) if incomplete else t(why)
            )
            parts.append(f"{t(what)}：{why}")
        else:
            parts.append(data_text(part, "zh"))
    return "；".join(parts)


def _english_toggle(words: str) -> str:
    """A toggle's words in English alone: ``units 社区 community`` as ``community boundaries``, a gap
    layer's standard by its name (``coverage gaps fire (first engine)``), the Chinese terms left out
    (the English map's legend read 影响半径, 覆盖盲区, 建议选址...).

    Examples
    --------
    >>> _english_toggle("units 社区 community"), _english_toggle("coverage gaps fire_5min 覆盖盲区")
    ('community boundaries', 'coverage gaps fire 5 min')
    >>> _english_toggle("suggested sites 建议选址 (+)")
    'suggested sites (+)'
    """
    units = re.match(r"^units [^\x00-\x7f]+ ([a-z]+)$", words)
    if units:
        return f"{units.group(1)} boundaries"
    gaps = re.match(r"^coverage gaps (.+) 覆盖盲区$", words)  # the standard's id is escaped already
    if gaps:
        return "coverage gaps " + html.escape(standard_name(html.unescape(gaps.group(1)), "en"))
    return re.sub(r" ?[\u3000-\u9fff\uff00-\uffef]+", "", words)
