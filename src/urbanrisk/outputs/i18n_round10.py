"""Chinese for what session 16 (office16) made the office's files say: the known kinds of an unknown-kind
message by their Chinese names (the office writes 加油站, not fuel), and the problems hostile input round
10 found. Templates gathered by :mod:`.i18n_checks`.
"""

from __future__ import annotations

import csv
from functools import cache

from .. import settings


@cache
def _kind_labels() -> dict[str, str]:
    """kind -> label_zh of the package's own hazard and resource kinds (the recipe's copies add kinds of
    their own, shown as written)."""
    labels = {}
    for name in ("hazard_kinds.csv", "resource_kinds.csv"):
        with open(settings.tables_dir / name, encoding="utf-8") as file:
            rows = csv.DictReader(line for line in file if not line.startswith("#"))
            labels.update({row["kind"]: row["label_zh"] for row in rows if row.get("label_zh")})
    return labels


def zh_kind_list(known: str) -> str:
    """A message's ``known kinds: fuel, gas`` list in Chinese: each kind by its Chinese name, its key in
    brackets (what ``kind:`` in a recipe takes); a kind of the office's own stays as written.

    >>> zh_kind_list("fire_station, fuel, my_kind")
    '消防站（fire_station）、加油站（fuel）、my_kind'
    """
    labels = _kind_labels()
    kinds = [k.strip() for k in known.split(", ")]
    return "、".join(f"{labels[k]}（{k}）" if k in labels else k for k in kinds)


#: The run's own unknown-kind message (:mod:`urbanrisk.layers.point_kind_column`) in Chinese.
ZH_ROUND10_CHECKS: dict[str, str] = {
    "{file}: unknown {role} kind(s) {hints}; known kinds: {known} (or their labels in {tables}). For a kind "
    "of your own (e.g. 地质灾害隐患点), add a row to your copy of the table and name it in the recipe: "
    "tables: {{{table}: {copy}}}": (
        "{file}：未知的类别 {hints}；已知类别：{known}（或其在 {tables} 中的名称）。如需自定义类别"
        "（如 地质灾害隐患点），请在您的表格副本中加一行，并在配方中指定：tables: {{{table}: {copy}}}"
    ),
}
