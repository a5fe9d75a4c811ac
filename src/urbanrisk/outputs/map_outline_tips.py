"""The map's tooltips of key districts and urban villages: id and name, where the name came from
(``name_source``) and why the outline is there (``factors``), one reason a line, in English or Chinese.

The screens write ``name_source`` and ``factors`` in English words (the tables are data, the same in
every language); the Chinese tooltip says each piece in Chinese by the patterns in :data:`PIECES_ZH`.
A piece no pattern knows is shown as written (English), never dropped. Every value from the data is
escaped (:func:`urbanrisk.outputs.html.escape_text`).
"""

from __future__ import annotations

import re

import pandas as pd

from .html import escape_text

NUMBER = r"([\d.,e+]+)"

#: a key district's crowd places and their kinds ("13 crowd places (restaurant 6, university 3)"), whose
#: kinds :func:`crowd_kinds_zh` says in Chinese
CROWD_LIST_ZH = "人员密集场所 {0} 处（{1}）"
#: the crowd-place kinds of ``tables/osm_tags.csv`` (role crowd) in Chinese: a Chinese map's tooltip and
#: 责任清单 listed them in English ("人员密集场所 8 处（university 4, cafe 1, supermarket 1…）")
CROWD_KINDS_ZH = {
    "attraction": "景点",
    "bar": "酒吧",
    "bus_station": "公交车站",
    "cafe": "咖啡馆",
    "cinema": "电影院",
    "hospital": "医院",
    "hotel": "酒店",
    "kindergarten": "幼儿园",
    "library": "图书馆",
    "mall": "商场",
    "marketplace": "集贸市场",
    "museum": "博物馆",
    "nightclub": "夜总会",
    "place_of_worship": "宗教活动场所",
    "restaurant": "餐馆",
    "retail_area": "商业区",
    "school": "学校",
    "sports_centre": "体育中心",
    "stadium": "体育场馆",
    "station": "车站",
    "subway_entrance": "地铁站出入口",
    "supermarket": "超市",
    "theatre": "剧院",
    "university": "大学",
}


def crowd_kinds_zh(kinds: str) -> str:
    """A key district's crowd-place kinds and counts in Chinese, listed with 、; a kind of the recipe's own
    tag table (not in :data:`CROWD_KINDS_ZH`), or a list in another form, stays as written.

    Examples
    --------
    >>> crowd_kinds_zh("university 4, cafe 1, my_kind 2")
    '大学 4、咖啡馆 1、my_kind 2'
    >>> crowd_kinds_zh("restaurants and more")
    'restaurants and more'
    """
    items = [item.rpartition(" ") for item in kinds.split(", ")]
    if not all(kind and count.isdigit() for kind, _, count in items):
        return kinds
    return "、".join(f"{CROWD_KINDS_ZH.get(kind, kind)} {count}" for kind, _, count in items)


#: (English piece, its Chinese words): a piece of ``factors`` or ``name_source`` written by
#: :mod:`urbanrisk.screens.key_districts`, :mod:`urbanrisk.screens.district_names` or
#: :mod:`urbanrisk.screens.urban_villages` (``cluster_factors``), matched whole.
PIECES_ZH = (
    (
        rf"{NUMBER} dense cells \(crowd places >= {NUMBER}/km² and people present >= {NUMBER}/km² "
        r"over each cell's neighbourhood\)",
        "{0} 个密集单元（各单元邻域内人员密集场所 ≥ {1} 处/km²、在场人数 ≥ {2} 人/km²）",
    ),
    (rf"{NUMBER} crowd places \(kinds unknown\)", "人员密集场所 {0} 处（类型未知）"),
    (rf"{NUMBER} crowd places \((.+)\)", CROWD_LIST_ZH),
    (rf"{NUMBER} people present per km²", "在场人数 {0} 人/km²"),
    (r"OSM place node inside", "区内的 OSM 地名点"),
    (rf"OSM place node {NUMBER} m from the edge", "距边界 {0} 米的 OSM 地名点"),
    (rf"named area \(landuse=(.+)\) covering {NUMBER}% of it", "有名称的用地（landuse={0}），覆盖本区 {1}%"),
    (r"biggest crowd venue \((.+)\)", "最大的人员密集场所（{0}）"),
    (r"food or drink venue \((.+)\)", "餐饮场所（{0}）"),
    (rf"street \({NUMBER} m of its ways inside\)", "道路（区内长 {0} 米）"),
    (r"no named place, area, venue or street inside", "区内无有名称的地名点、用地、场所或道路"),
    (rf"coverage {NUMBER}%", "建筑覆盖率 {0}%"),
    (rf"mean footprint {NUMBER} m²", "平均基底面积 {0} m²"),
    (rf"{NUMBER} buildings/ha", "建筑密度 {0} 栋/公顷"),
    (rf"{NUMBER}% without street access", "{0}% 的建筑不临街"),
    (rf"alleys {NUMBER} m/ha", "窄巷 {0} 米/公顷"),
    (rf"form score {NUMBER}", "形态得分 {0}"),
    (r"irregularity not measured \(form score stands\)", "未测建筑不规则度（形态得分不变）"),
    (
        rf"irregularity {NUMBER} \(neighbour misalignment {NUMBER}, size variation {NUMBER}, "
        rf"shape {NUMBER}; keeps {NUMBER}% of the form score\)",
        "建筑不规则度 {0}（相邻错位 {1}、大小差异 {2}、形状 {3}；保留形态得分的 {4}%）",
    ),
    (rf"village name or place in OSM \(\+{NUMBER}\)", "OSM 中有村名或村落地名（+{0}）"),
    (rf"confidence {NUMBER}", "置信度 {0}"),
)
_PATTERNS = tuple((re.compile(pattern), words) for pattern, words in PIECES_ZH)

#: the tooltip's line titles
TITLES = {
    "en": {"name_source": "name from", "factors": "why"},
    "zh": {"name_source": "名称来源", "factors": "成因"},
}


def pieces(text: str, separator: str = "; ") -> list[str]:
    """``text`` cut at ``separator`` outside brackets (a piece's own list in brackets stays whole).

    Examples
    --------
    >>> pieces("form score 0.70; irregularity 0.50 (a 0.1, b 0.2; keeps 80%); confidence 0.6")
    ['form score 0.70', 'irregularity 0.50 (a 0.1, b 0.2; keeps 80%)', 'confidence 0.6']
    >>> pieces("OSM place node inside; then street (120 m of its ways inside)", "; then ")
    ['OSM place node inside', 'street (120 m of its ways inside)']
    """
    out, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith(separator, i):
            out.append(text[start:i])
            i = start = i + len(separator)
            continue
        i += 1
    out.append(text[start:])
    return [piece for piece in out if piece]


def piece_zh(piece: str) -> str:
    """One English piece of ``factors`` / ``name_source`` in Chinese (as written when no pattern knows it).

    Examples
    --------
    >>> piece_zh("OSM place node 9 m from the edge")
    '距边界 9 米的 OSM 地名点'
    >>> piece_zh("something new")
    'something new'
    """
    for pattern, words in _PATTERNS:
        found = pattern.fullmatch(piece)
        if found:
            groups = found.groups()
            if words == CROWD_LIST_ZH:
                groups = (groups[0], crowd_kinds_zh(groups[1]))
            return words.format(*groups)
    return piece


def outline_lines(text: object, separator: str, language: str) -> list[str]:
    """The pieces of a ``factors`` / ``name_source`` text in ``language``, escaped ([] when empty)."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return []
    said = pieces(str(text), separator)
    if language == "zh":
        said = [piece_zh(piece) for piece in said]
    return [escape_text(piece) for piece in said]


def outline_tip(row: object, title: str, language: str, *, name: str | None = None) -> str:
    """The tooltip of one key district or urban village (a row of its table): ``title`` and id in bold,
    its name (``name``, else the row's), where the name came from (key districts) and its factors,
    one a line.

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> row = Row(id="KD-01", name="<b>", name_source="OSM place node inside",
    ...           factors="3 people present per km²")
    >>> outline_tip(row, "重点地区", "zh")
    '<b>重点地区 KD-01</b><br/>&lt;b&gt;<br/>名称来源：区内的 OSM 地名点<br/>成因：<br/>· 在场人数 3 人/km²'
    """
    titles = TITLES["zh" if language == "zh" else "en"]
    colon = "：" if language == "zh" else ": "
    lines = [
        f"<b>{escape_text(title)} {escape_text(row.id)}</b>",
        escape_text(row.name if name is None else name),
    ]
    source = outline_lines(getattr(row, "name_source", None), "; then ", language)
    if source:
        then = "；其次 " if language == "zh" else "; then "
        lines.append(f"{escape_text(titles['name_source'])}{colon}{then.join(source)}")
    factors = outline_lines(getattr(row, "factors", None), "; ", language)
    if factors:
        lines.append(f"{escape_text(titles['factors'])}{colon}")
        lines.extend(f"· {piece}" for piece in factors)
    return "<br/>".join(lines)
