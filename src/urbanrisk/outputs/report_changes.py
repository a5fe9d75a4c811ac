"""The report's section on what changed since the last run (a rescan's ``changes.parquet``), in the
report's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .html import escape_text
from .i18n import data_text, standard_name
from .i18n_pages import CHANGE_WORDS_ZH
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


CHANGE_ZH = {  # the pages' change words (one wording: 丧失 / 获得 / 新增), and the list's values
    **CHANGE_WORDS_ZH,
    "community": "社区",
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
