"""The Chinese of words the pages gained when a planner read them (a register's hazards cut short, ...).

Kept apart from ``i18n.py`` (at its size limit) and merged by :mod:`.i18n_more`.
"""

from __future__ import annotations

#: English -> Chinese (exact keys; the values' ``{...}`` filled in after)
ZH_PLANNER: dict[str, str] = {
    "… and {n} more (all in {file})": "……另有 {n} 个（全部见 {file}）",
}

#: Regex patterns -> Chinese (texts a stage writes, read by :func:`.i18n.data_text`)
ZH_PLANNER_PATTERNS: tuple[tuple[str, str], ...] = (
    # GB 18218's basis of a source whose substances and quantities do not pair up (the zh report printed it
    # in English)
    (r"^no substance list or quantities do not match substances$", "无物质清单，或存量与物质数目不符"),
)
