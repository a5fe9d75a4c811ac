"""Chinese for a hazard source's vulnerable sites ("school X (80 m); ...") and its safety-distance
breaches ("school X at 40 m < 50 m (source)"), an unnamed target included ("an unnamed dwelling (OSM
relation/3227098)": 未命名住宅（OSM relation/3227098）); moved out of :mod:`.i18n`, which re-exports
:func:`sites_text`.

Examples
--------
>>> sites_text("an unnamed dwelling (OSM relation/3227098) at 12 m < 16 m (GB 50156-2021)", "zh")
'未命名住宅（OSM relation/3227098） 距离 12 米 < 16 米（GB 50156-2021）'
>>> sites_text("school 清华附中 (80 m); an unnamed elderly home (R-07) (95 m)", "zh")
'学校 清华附中（80 米）；未命名养老机构（R-07）（95 米）'
"""

from __future__ import annotations

import re

from .i18n_english import english_citation
from .kind_words import TARGET_ZH

CODE = re.compile(r"(GB/T|GB|建标|NFPA|CJJ|JGJ)\s?[\d.]+(?:-\d{4})?")


def source_zh(source: str) -> str:
    """A safety distance's source as its codes (and articles), and whether it is a screening value.

    Examples
    --------
    >>> source_zh("危险化学品安全管理条例 art. 19; screening value")
    '《危险化学品安全管理条例》第19条；筛查值'
    >>> source_zh("建标152-2017 (城市消防站建设标准) art. 15(3): a fire station's boundary should ...")
    '建标152-2017 第15条第3项'
    """
    codes = [_with_article(m, source) for m in CODE.finditer(source)]
    codes += [
        f"《危险化学品安全管理条例》第{m.group(1)}条"
        for m in re.finditer(r"危险化学品安全管理条例 art\. (\d+)", source)
    ]
    words = "、".join(codes) + ("；筛查值" if "screening value" in source else "")
    return words.lstrip("；") or source


def _with_article(code: re.Match, source: str) -> str:
    """A code and the article (and item) cited right after it ("建标152-2017 (title) art. 15(3)"
    reads "建标152-2017 第15条第3项")."""
    after = re.match(r"\s*(?:\([^()]*\))?\s*art\. (\d+)(?:\((\d+)\))?", source[code.end() :])
    if not after:
        return code.group(0)
    item = f"第{after.group(2)}项" if after.group(2) else ""
    return f"{code.group(0)} 第{after.group(1)}条{item}"


def target_zh(target: str) -> str:
    """A target ("school 清华附中", or unnamed: "an unnamed elderly home (OSM way/5)") in Chinese."""
    unnamed = re.fullmatch(r"an unnamed ([a-z ]+) \(((?:OSM )?.*)\)", target)
    if unnamed:
        kind = unnamed.group(1).replace(" ", "_")
        return f"未命名{TARGET_ZH.get(kind, kind)}（{unnamed.group(2)}）"
    kind, _, name = target.partition(" ")
    return f"{TARGET_ZH.get(kind, kind)} {name}"


def sites_text(text: object, language: str) -> str:
    """Vulnerable sites ("school X (80 m); ...") or breaches ("school X at 40 m < 50 m (source)")."""
    value = "" if text is None else str(text)
    if language != "zh" or not value:
        return english_citation(value)  # the tables' Chinese titles by their English ones
    parts = []
    for chunk in value.split(" | "):  # breaches are joined by " | "; a breach's source may hold "; "
        breach = re.match(r"^(\w+ .*) at (\d+) m < (\d+) m \((.*)\)$", chunk)
        if breach:
            target, d, least, source = breach.groups()
            parts.append(f"{target_zh(target)} 距离 {d} 米 < {least} 米（{source_zh(source)}）")
            continue
        for part in chunk.split("; "):  # vulnerable sites are joined by "; "
            site = re.match(r"^(\w+ .*) \((\d+) m(?:, (\d+) OSM features)?\)$", part)
            if site:
                target, d, merged = site.groups()
                tail = f"，合并 {merged} 个 OSM 要素" if merged else ""
                parts.append(f"{target_zh(target)}（{d} 米{tail}）")
            else:
                parts.append(part)
    return "；".join(parts)
