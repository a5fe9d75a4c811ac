"""The responsibility list's 职责依据 (a department's basis, :file:`tables/departments.csv`) in the
list's language: Chinese throughout in a zh run (the shipped table cites Chinese regulations with a few
English words: "editable default", "(now 应急管理)", ASCII brackets and colons); as written otherwise.

An office's own table in Chinese passes through unchanged; only the shipped English words and the
ASCII punctuation between Chinese words are rewritten.
"""

from __future__ import annotations

import re

#: "editable default" with or without its reason in brackets: a common practice, not a regulation
_DEFAULT = re.compile(r"^editable default(?:\s*\((?P<reason>.*)\))?$")
#: English words of the shipped table, in Chinese
_WORDS = {"(now 应急管理)": "（现为应急管理部门）"}
#: ASCII punctuation after or before a Chinese word or bracket, full width (a citation's "第五条: ")
_PUNCTUATION = (
    (re.compile(r"\s*:\s*"), "："),
    (re.compile(r"\s*;\s*"), "；"),
    (re.compile(r"\s*,\s*"), "，"),
)
#: the unassigned department (no row of departments.csv for an item), in each language
UNASSIGNED_DEPARTMENT = {
    "zh": "（未指定：请在 departments.csv 中补充）",
    "en": "（未指定 unassigned: add to departments.csv）",
}


def basis_words(text: str, language: str) -> str:
    """A department's basis in ``language``: in Chinese for ``zh`` (as written for any other).

    Examples
    --------
    >>> basis_words("editable default (成品油经营: 商务; 危险化学品经营许可: 应急管理)", "zh")
    '默认分工，请按本地“三定”核实（成品油经营：商务；危险化学品经营许可：应急管理）'
    >>> basis_words("editable default", "zh"), basis_words("editable default", "en")
    ('默认分工，请按本地“三定”核实', 'editable default')
    >>> basis_words("《危险化学品安全管理条例》第六条: 监督管理部门 (now 应急管理) 负责", "zh")
    '《危险化学品安全管理条例》第六条：监督管理部门（现为应急管理部门）负责'
    >>> basis_words("《烟花爆竹安全管理条例》第三条: 安全生产监督管理 (生产), 公安 (公共安全)", "zh")
    '《烟花爆竹安全管理条例》第三条：安全生产监督管理（生产），公安（公共安全）'
    """
    if language != "zh" or not text:
        return text
    default = _DEFAULT.match(text.strip())
    head = "默认分工，请按本地“三定”核实" if default else ""
    body = (default.group("reason") or "") if default else text
    for english, chinese in _WORDS.items():
        body = body.replace(english, chinese)
    for pattern, mark in _PUNCTUATION:
        body = pattern.sub(mark, body)
    body = re.sub(r"\s*[(（]\s*", "（", re.sub(r"\s*[)）]\s*", "）", body)).strip()
    return f"{head}（{body}）" if head and body else head or body
