"""The report's section on what changed since the last run (a rescan's ``changes.parquet``), in the
report's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .html import escape_text
from .i18n import data_text, standard_name
from .report_parts import table_html
from .report_sections import section


def changes_section(folder: Path | None, t: Callable[..., str], language: str) -> str:
    """What changed since the last run, when the run folder holds ``changes.parquet`` (a rescan)."""
    path = folder / "changes.parquet" if folder is not None else None
    if path is None or not path.is_file():
        return ""
    table = pd.read_parquet(path)
    if not len(table):
        return section(
            t("Changes since the last run"),
            f'<p class="note">{escape_text(t("no changes since the last run"))}</p>',
        )
    order = {"escalation": 0, "lost": 1, "added": 2, "new": 3, "newly graded": 4}
    table = table.assign(_o=table["direction"].map(order).fillna(9)).sort_values(
        ["_o", "residents"], ascending=[True, False]
    )
    words = CHANGE_ZH if language == "zh" else {}
    body = table_html(
        table,
        {
            "kind": t("item"),
            "id": "ID",
            "name": t("name"),
            "direction": t("change"),
            "old": t("before"),
            "new": t("after"),
            "residents": t("residents"),
        },
        t=t,
        numeric={"residents"},
        text=lambda key, value: _change_word(value, words),
        limit=25,
        bounds={"residents": "residents_unknown_share"},
    )
    lead = t("{n} changes; escalations and losses first", n=len(table))
    return section(t("Changes since the last run"), f"<p>{escape_text(lead)}</p>{body}")


CHANGE_ZH = {
    "cell": "网格单元",
    "hazard_source": "危险源",
    "major_hazard_source": "重大危险源（GB 18218）",
    "hazard_quantity": "危险源存量",
    "hazard_severity": "危险源严重度",
    "newly graded": "新获评级（原无数据）",
    "no longer graded": "转为无数据",
    "raised": "增加",
    "lowered": "减少",
    "changed": "变更",
    "community": "社区",
    "escalation": "升级",
    "de-escalation": "降级",
    "added": "新增",
    "removed": "移除",
    "lost": "失去覆盖",
    "gained": "新增覆盖",
    "new": "新出现",
    "covered": "已覆盖",
    "uncovered": "未覆盖",
    "gap": "缺口",
}


def _change_word(value: object, words: dict[str, str]) -> str:
    """A change's kind or direction in Chinese (``words``), a generated name too ("H3 cell …": H3 单元)."""
    text = "" if value is None else str(value)
    if not words:
        return text
    for prefix, zh in (("coverage ", "覆盖"), ("gap ", "缺口")):
        if text.startswith(prefix):
            return standard_name(text[len(prefix) :], "zh") + zh
    return words.get(text) or data_text(text, "zh")
