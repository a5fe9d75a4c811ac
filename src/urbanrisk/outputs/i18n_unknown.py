"""The map's words for cells whose coverage is unknown, by why (:mod:`.map_unknown`), in Chinese."""

from __future__ import annotations

#: English -> Chinese (exact keys; ``{cells}`` and ``{standards}`` filled in after)
ZH_UNKNOWN: dict[str, str] = {
    "Coverage unknown (not counted as uncovered)": "覆盖情况未知（不计为未覆盖）",
    # a large grid's display cell (an H3 parent): how many of its cells' travel is unknown, and why
    "unknown in {n} of its r{res} cells: outside the street data": (
        "其中 {n} 个 r{res} 单元未知：超出道路数据范围"
    ),
    "unknown in {n} of its r{res} cells: their streets leave the data": (
        "其中 {n} 个 r{res} 单元未知：道路延伸出数据范围"
    ),
    "unknown in {n} of its r{res} cells: {outside} outside the street data, {leaves} on streets leaving it": (
        "其中 {n} 个 r{res} 单元未知：{outside} 个超出道路数据范围，{leaves} 个道路延伸出数据范围"
    ),
    "outside the street data: {cells} cells ({standards})": "超出道路数据范围：{cells} 个单元（{standards}）",
    "streets leave the data at its edge: {cells} cells ({standards})": (
        "道路在数据边缘延伸出数据范围：{cells} 个单元（{standards}）"
    ),
    "unknown (outside the street data)": "未知（超出道路数据范围）",
    "unknown (its streets leave the data)": "未知（道路延伸出数据范围）",
    # the report's sums over cells some of whose coverage is unknown (report_parts.OUTSIDE_WORDS)
    "; {cells} cells outside the street data, on streets leaving it or in reach of a resource not used: "
    "coverage unknown": (
        "；另有 {cells} 个单元在道路数据范围外、其道路伸出数据边界或在未用资源可能可达范围内：覆盖情况未知"
    ),
    # a resource not used (past the street data, or too far from a street) may reach the cell
    "unknown (a resource not used may reach it)": "未知（未用资源可能可达）",
    "in reach of a resource not used: {cells} cells ({standards})": (
        "未用资源可能可达：{cells} 个单元（{standards}）"
    ),
    "unknown in {n} of its r{res} cells: a resource not used may reach them": (
        "其中 {n} 个 r{res} 单元未知：未用资源可能可达"
    ),
    "unknown in {n} of its r{res} cells: {outside} outside the street data, {leaves} on streets leaving it, "
    "{dropped} in reach of a resource not used": (
        "其中 {n} 个 r{res} 单元未知：{outside} 个超出道路数据范围，{leaves} 个道路延伸出数据范围，"
        "{dropped} 个未用资源可能可达"
    ),
}

#: The coverage status's clause on cells a resource not used might reach (:mod:`urbanrisk.coverage_dropped`)
#: and its Chinese (read by :func:`urbanrisk.outputs.i18n_pages.zh_status_tails`).
ZH_DROPPED_CLAUSE = (
    r"; ([\d,]+) cells? in reach of a resource not used: coverage unknown there",
    "；另有 {} 个单元可能在未用资源的可达范围内：覆盖情况未知",
)
