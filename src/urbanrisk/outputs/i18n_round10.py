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
    "{file}: feature(s) {shown} are MultiPoints of several places; a registry holds one point per site: give "
    "each site its own row, point and id (QGIS: Vector > Geometry Tools > Multipart to Singleparts, then the "
    "ids and quantities per site), or keep the site's one point": (
        "{file}：要素 {shown} 是含多个地点的多点（MultiPoint）；台账每个场所只应有一个点："
        "请为每个场所单列一行、一个点和编号（QGIS：矢量 > 几何工具 > 多部件转单部件，"
        "再逐一填写编号与存量），或只保留该场所的一个点"
    ),
    "{file}: band {band}, the window of columns {cols}, rows {rows} holds {found}, which count no people: if "
    "they mark no data, declare it (gdal_edit.py -a_nodata <value> {name}), else fix those pixels (NaN stays "
    "no data)": (
        "{file}：波段 {band} 第 {cols} 列、第 {rows} 行的窗口中有 {found}，不是人口数：若这些值表示无数据，"
        "请声明（gdal_edit.py -a_nodata <值> {name}），否则请修正这些像元（NaN 仍按无数据处理）"
    ),
    '{file}: line {line} opens a quote (") that is never closed, so the rest of the file was read as one '
    'cell: remove the stray quote or close it (a quote inside a cell is written twice: "")': (
        '{file}：第 {line} 行有一个未闭合的引号（"），文件其余部分被读成了一个单元格：'
        "请删除多余的引号或将其闭合"
        '（单元格内的引号要写两次：""）'
    ),
    "{file} separates its columns with '，' (a CSV saved with full-width commas): save it with ',' between "
    "columns": "{file} 用全角逗号“，”分隔各列：请用半角逗号“,”分隔",
}
