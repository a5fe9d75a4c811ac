"""Chinese for the notes an office's own registries and unit files raise (a row pasted twice,
overlapping units): English stage text -> Chinese by pattern, gathered by :mod:`.i18n_more`.
Names, file names and ids stay as written. (A census table's notes: :mod:`.i18n_census`.)
"""

from __future__ import annotations

#: (pattern, replacement) pairs.
ZH_OFFICE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^(\w+): units of (.+) overlap \(share of the smaller unit\): (.*); each cell goes to one of them "
        r"\(the one holding its centre\): check their boundaries$",
        r"\1：\2 中有单元相互重叠（括号内为重叠部分占较小单元的比例）：\3；"
        r"每个网格单元只归入其中一个（中心所在者）：请核对边界",
    ),
    (
        r"^(\w+): (.+) repeats (\d+) rows? word for word( \(.*\))?: counted once; delete the copies, or "
        r"give each row its own id \(id_column\)$",
        r"\1：\2 中有 \3 行与前面的行完全相同\4：只计一次；请删除重复行，或为每行给出各自的编号（id_column）",
    ),
)
