"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: the map's legend, the incident page
and the command line's lines (English is the key), and the patterns that rewrite the incident's notes
and the coverage status's service-road hint. :mod:`.i18n` merges them into its own tables.
"""

from __future__ import annotations

import re

from .i18n_unknown import ZH_DROPPED_CLAUSE

#: What changed between two runs (changes.parquet's kind and direction), in the report's change list
#: (:data:`urbanrisk.outputs.report_changes.CHANGE_ZH`) and every Chinese page.
CHANGE_WORDS_ZH: dict[str, str] = {
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
    "escalation": "升级",
    "de-escalation": "降级",
    "added": "新增",
    "removed": "移除",
    # coverage and gaps (the kind says which: 应急避难场所覆盖 丧失, 消防缺口 新增); one wording on every page
    "lost": "丧失",
    "gained": "获得",
    "new": "新增",
}

ZH_PAGES: dict[str, str] = {
    # lower bounds where residents are unknown (outputs/report_parts.at_least)
    "≥ {n} ({cells} cells with residents unknown)": "≥ {n}（另有 {cells} 个单元常住人口未知）",
    "of them, residents unknown": "其中常住人口未知的单元",
    "unknown ({cells} cells with residents unknown)": "未知（{cells} 个单元常住人口未知）",
    "≥ {n} ({cells} cells with residents unknown, {share} of the uncovered area)": (
        "≥ {n}（另有 {cells} 个单元常住人口未知，占未覆盖面积 {share}）"
    ),
    (
        "Sites weigh the residents counted: up to {cells} uncovered cells whose residents are unknown are "
        "not weighed (their need is unknown, not none)"
    ): "选址只计入已统计的常住人口：至多 {cells} 个常住人口未知的未覆盖单元未计入（其需求未知，而非没有）",
    "unknown ({cells} cells with residents unknown, {share} of the uncovered area)": (
        "未知（{cells} 个单元常住人口未知，占未覆盖面积 {share}）"
    ),
    # map legend
    "urbanrisk map": "urbanrisk 风险地图",
    "Risk grade (cells)": "风险等级（网格单元）",
    "Residents per cell": "各单元常住人口",
    "{cells} cells · {residents}": "{cells} 个单元 · {residents}",
    "residents unknown": "常住人口未知",
    "{residents} residents": "常住人口 {residents}",
    "{residents} residents (unknown in {unknown} cells)": "常住人口 {residents}（{unknown} 个单元未知）",
    "H3 resolution {resolution} · {cells} cells · {residents} residents": (
        "H3 分辨率 {resolution} · {cells} 个单元 · 常住人口 {residents}"
    ),
    "Population: {source}": "人口来源：{source}",
    "Layers": "图层",
    "graded cells": "评级单元",
    "residents per cell (quintiles, light to dark)": "各单元常住人口（五分位，由浅到深）",
    "key districts 重点地区": "重点地区",
    "urban villages 城中村": "城中村",
    "resources 应急资源 lettered F fire, H hospital, C clinic, P police, S shelter": (
        "应急资源（字母：F 消防站，H 医院，C 诊所，P 派出所，S 避难场所）"
    ),
    "buildings": "建筑",
    "streets": "道路",
    "≈ {metres} m at the initial zoom · cells H3 r{resolution}, edge ≈ {edge} m": (
        "≈ {metres} 米（初始缩放）· 单元 H3 r{resolution}，边长 ≈ {edge} 米"
    ),
    # map tooltips
    "cell {id}": "单元 {id}",
    "risk {score}/10": "风险 {score}/10",
    "hazard &amp; exposure {h} · vulnerability {v} · lack of coping {c}": (
        "危险性与暴露 {h} · 脆弱性 {v} · 应对能力不足 {c}"
    ),
    "why: {factors}": "主要因素：{factors}",
    "unknown: {what}": "未知：{what}",
    "residents {residents} · buildings {buildings} (by centre; footprints cover {share}%)": (
        "常住人口 {residents} · 建筑 {buildings} 栋（按中心点计；建筑占地覆盖率 {share}%，含跨格部分）"
    ),
    "crowd places {crowd} · vulnerable sites {sites}": "人员密集场所 {crowd} 处 · 脆弱场所 {sites} 处",
    "nearest resource: {reach}": "最近资源：{reach}",
    "not reached": "无法到达",
    "min": "分钟",
    "km": "公里",
    "key district 重点地区": "重点地区",
    "urban village 城中村": "城中村",
    "hazard {label}": "危险源 {label}",
    "grade {grade} · severity {severity} · {residents} residents within {radius} m": (
        "等级 {grade} · 严重度 {severity} · {radius} 米内常住人口 {residents}"
    ),
    "no safety distance breached": "未违反安全间距",
    "unknown": "未知",
    "impact radius {radius} m": "影响半径 {radius} 米",
    "unreachable": "无法到达",
    "s": "秒",
    "{standard} gap": "{standard}覆盖缺口",
    "{residents} residents uncovered · worst {worst}": "未覆盖常住人口 {residents} · 最远 {worst}",
    "suggested {standard} site #{rank}": "{standard}建议选址 #{rank}",
    "{residents} residents newly covered": "新增覆盖常住人口 {residents}",
    # what a cell's unknown indicators say (completeness)
    "hazard sources": "危险源",
    "crowding": "人员密集",
    "urban-village form": "城中村形态",
    "building density": "建筑密度",
    "outside the OSM data": "在 OSM 数据范围外",
    "no hazard registry and no OSM layer": "无危险源台账且无 OSM 图层",
    "outside the population raster": "在人口栅格范围外",
    "no population data here": "此处无人口数据",
    "no buildings mapped and no basis to tell empty from unmapped": "未标绘建筑，无法区分空地与漏标",
    "buildings look incomplete ({share})": "建筑数据不完整（约 {share}）",
    # incident page
    "Incident: {kind} · {recipe}": "突发事件：{kind} · {recipe}",
    "at {where}": "位置：{where}",
    "given {lon}, {lat} ({coords})": "输入坐标 {lon}, {lat}（{coords}）",
    "{evacuees} residents{note} to evacuate within {radius} m · {unplaced} without a shelter place": (
        "{radius} 米内需疏散常住人口 {evacuees}{note} · 其中 {unplaced} 人无避难位置"  # evacuees: "40 人"
    ),
    "People per distance ring": "各距离圈内人数",
    "from m": "起（米）",
    "to m": "止（米）",
    "people present": "在场人数",
    "residents within": "圈内常住人口累计",
    "present within": "圈内在场人数累计",
    "Distances: {source}. Cells shared by the area of each disc over the cell.": (
        "距离依据：{source}。网格单元人口按圆与单元重叠面积分摊。"
    ),
    "Vulnerable sites": "脆弱场所",
    "m": "米",
    "ring m": "所在圈（米）",
    "Units to notify": "需通知的单元",
    "evacuate": "疏散",
    "yes": "是",
    "no": "否",
    "Nearest resources (network travel to the incident)": "最近的应急资源（沿路网到达事发点）",
    "mode": "方式",
    "ETA s": "到达时间（秒）",
    "network m": "路网距离（米）",
    "Shelters (walking, within capacity)": "避难场所（步行，按容量分配）",
    "capacity": "容量",
    "assigned": "分配人数",
    "mean walk m": "平均步行距离（米）",
    "Run {run} · answered in {seconds} s": "运行 {run} · 用时 {seconds} 秒",
    "residents {n}": "常住人口 {n}",
    "to evacuate {n}": "需疏散 {n}",
    "vulnerable site: {kind}": "脆弱场所：{kind}",
    "resource: {kind}": "应急资源：{kind}",
    "shelter: {kind}": "避难场所：{kind}",
    "incident: {kind}": "事发点：{kind}",
    "inside the evacuation radius": "位于疏散范围内",
    "capacity unknown (give capacity_column in a registry)": "容量未知（请在台账中给出容量列）",
    "usable": "可用",
    "no walk street graph in the run": "运行结果中无步行路网",
    "key district": "重点地区",
    "urban village": "城中村",
    "residential": "居住区",
    "osm_residential_landuse": "居住区（OSM 居住用地）",
    "h3_parent": "H3 上级单元",
    "polygons": "配方面图层单元",
    "school": "学校",
    "kindergarten": "幼儿园",
    "hospital": "医院",
    "elderly_home": "养老机构",
    "drive": "车行",
    "drive_service": "车行（含内部道路）",
    "walk": "步行",
    "urbanrisk incident": "urbanrisk 突发事件",
    # command line
    "urbanrisk: running {recipe}": "urbanrisk：正在运行 {recipe}",
    "  cells: {cells} at H3 resolution {resolution}": "  网格单元：{cells} 个（H3 分辨率 {resolution}）",
    "  residents: {residents} ({source})": "  常住人口：{residents}（{source}）",
    "  buildings: {buildings} · crowd places: {crowd}": "  建筑：{buildings} 栋 · 人员密集场所：{crowd} 处",
    "  grades (cells): {grades}": "  各等级单元数：{grades}",
    "  {name}: {status}": "  {name}：{status}",
    "  note: {note}": "  说明：{note}",
    "  WARNING: {warning}": "  警告：{warning}",
    "  stages (s): {stages}": "  各阶段用时（秒）：{stages}",
    "  run folder: {path}": "  运行目录：{path}",
    "  latest:     {path}": "  最新结果：{path}",
    "  map:        {path}": "  地图：    {path}",
    "  report:     {path}": "  报告：    {path}",
    "done in {seconds} s": "完成，用时 {seconds} 秒",
    "urbanrisk incident {kind} at {where} (run {run})": (
        "urbanrisk 突发事件 {kind}，位置 {where}（运行 {run}）"
    ),
    "  residents within: {rings}": "  范围内常住人口：{rings}",
    # {evacuees}: "N 人", or a bound "≥ N（…）" / "未知（…）" as it stands (cli_lines._evacuees)
    "  evacuate {radius} m: {evacuees} residents, {unplaced} without a place": (
        "  疏散 {radius} 米：常住人口 {evacuees}，其中 {unplaced} 人无避难位置"
    ),
    "  vulnerable sites: {sites} · units to notify: {units}": (
        "  脆弱场所：{sites} 处 · 需通知单元：{units} 个"
    ),
    "  nearest {kind}: {name} ({eta} s by {mode})": "  最近的{kind}：{name}（{mode} {eta} 秒）",
    "  answered in {seconds} s; files: {path}": "  用时 {seconds} 秒；文件：{path}",
    "hazard_sources": "危险源",
    "communities": "社区单元",
    "key_districts": "重点地区",
    "urban_villages": "城中村",
    "coverage {name}": "{name}覆盖",
    "preflight": "预检",
    "layers": "图层",
    "area": "研究区",
    "street_graphs": "道路网络",
    "hazard_inputs": "危险源输入",
    "screens_free": "筛查（与覆盖并行部分）",
    "coverage": "覆盖",
    "screens": "筛查",
    "registers": "清单",
    "responsibility": "责任清单",
    "write": "写出",
    # validate, history, diff, rescan
    "{recipe}: ok ({layers} layers, H3 resolution {resolution})": (
        "{recipe}：检查通过（{layers} 个图层，H3 分辨率 {resolution}）"
    ),
    "{recipe}: ok ({layers} layers, H3 resolution {resolution}, about {cells} cells)": (
        "{recipe}：检查通过（{layers} 个图层，H3 分辨率 {resolution}，约 {cells} 个单元）"
    ),
    (
        "{recipe}: ok ({layers} layers, H3 resolution {resolution}, at most about {cells} cells: "
        "the extract's box)"
    ): "{recipe}：检查通过（{layers} 个图层，H3 分辨率 {resolution}，至多约 {cells} 个单元：按数据框估算）",
    "urbanrisk: {message}": "urbanrisk：{message}",
    "urbanrisk: error: {message}": "urbanrisk：错误：{message}",
    "(the last complete run is untouched)": "（上一次完整运行的结果未受影响）",
    "urbanrisk: terminated (SIGTERM); the last complete run is untouched": (
        "urbanrisk：已终止（SIGTERM）；上一次完整运行的结果未受影响"
    ),
    "urbanrisk: interrupted; the last complete run is untouched": (
        "urbanrisk：已中断；上一次完整运行的结果未受影响"
    ),
    "urbanrisk: internal error (exit 1): please report it with the traceback above": (
        "urbanrisk：内部错误（退出码 1）：请连同上面的回溯信息一并报告"
    ),
    "urbanrisk: running {n} recipes as one Dask graph": "urbanrisk：以一个 Dask 计算图运行 {n} 个配方",
    "  {recipe}: run folder {folder}": "  {recipe}：运行目录 {folder}",
    "{folder}: no runs yet": "{folder}：尚无运行",
    "run": "运行",
    "alerts": "警报",
    "incomplete (debris)": "未完成（残留）",
    "unreadable": "无法读取",
    "complete": "完整",
    "reused": "沿用",
    " (latest)": "（最新）",
    "urbanrisk rescan {recipe}: {what} (previous run: {previous})": (
        "urbanrisk 重新扫描 {recipe}：{what}（上次运行：{previous}）"
    ),
    "nothing changed: outputs reused": "输入与设置均无变化：沿用上次的输出",
    "rerun": "已重新计算",
    "  ALERT {kind} {who}: {old} -> {new}: {explanation}": (
        "  警报 {kind} {who}：{old} → {new}：{explanation}"
    ),
    "  ALERT {kind} {id}: {old} -> {new}": "  警报 {kind} {id}：{old} → {new}",
    "  ... {n} more in alerts.json": "  ……另有 {n} 条，见 alerts.json",
    "  escalations: {n} · run folder: {path} · {seconds} s": (
        "  升级：{n} 项 · 运行目录：{path} · 用时 {seconds} 秒"
    ),
    "{old} -> {new}: {changes} changes, {alerts} escalations": (
        "{old} → {new}：{changes} 项变化，{alerts} 项升级"
    ),
    **CHANGE_WORDS_ZH,  # "new" also an alert's grade before a first one (新增 → 无)
}

#: Incident notes, population sources and the coverage status's hint: English -> Chinese (regex).
ZH_PAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    (  # nobody counted where uncovered, and residents unknown there (the tail says so: zh_status_tails)
        r"^ok: .*?; (\d+) resources?; an unknown number of ([\d,]+) residents uncovered.*$",
        r"完成：\1 处资源；\2 人中未覆盖人数未知",
    ),
    (
        r"^(\w+): (\d+) feature\(s\) of (.+) without a polygon \(no geometry, a point or a line\) left out$",
        r"\1：\3 中 \2 个要素不是面（无几何、点或线），已略去",
    ),
    (
        r"^(\w+): (\d+) polygon\(s\) of (.+) cross themselves or are otherwise invalid, repaired "
        r"\(shapely make_valid\): check unit\(s\) (.*)$",
        r"\1：\3 中 \2 个面自相交或无效，已修复（shapely make_valid）：请核对单元 \4",
    ),
    (
        r"^(\w+): (.+): ([\d,]+) of ([\d,]+) rows lie at one place \((.+)\): "
        r"a geocoder's fallback\? check their locations$",
        r"\1：\2 中 \4 行有 \3 行位于同一地点（\5）：是否为地理编码失败时的默认位置？请核对其位置",
    ),
    (
        r"^(\w+): feature\(s\) (.+) of (.+) are polygons or lines, each placed at a point inside it$",
        r"\1：\3 中第 \2 个要素为面或线，已各取其内一点作为位置",
    ),
    (r"^hazards: none of its (\d+) points? lies in the study area$", r"危险源：\1 个点均不在研究区内"),
    (r"^resources: none of its (\d+) points? lies in the study area$", r"应急资源：\1 个点均不在研究区内"),
    (
        r"^hazards: (\d+) of (\d+) points lie outside the study area: .*$",
        r"危险源：\2 个点中 \1 个位于研究区外：其影响半径伸入研究区的仍参与危险源筛查，不计入任何网格单元",
    ),
    (
        r"^resources: (\d+) of (\d+) points lie outside the study area: .*$",
        r"应急资源：\2 个点中 \1 个位于研究区外：能在标准时间内到达研究区的仍参与覆盖计算"
        r"（配方设定 coverage.search_buffer_m 时以其为限），"
        r"不计入任何网格单元",
    ),
    # what the map leaves out or simplifies at scale (display.py, map_context.py, map_compact.py, deck.py)
    (
        r"^([\d,]+) cells are too many for a smooth map: shown as ([\d,]+) H3 r(\d+) cells, each with the "
        r"grade of its riskiest r(\d+) cell \(full detail in the grid/ dataset\)$",
        r"单元过多（\1 个）：为流畅显示合并为 \2 个 H3 r\3 单元，各取其中风险最高的 r\4 单元的等级"
        r"（完整明细见 grid/ 数据集）",
    ),
    (
        r"^([\d,]+) streets are too many for a smooth map: only (.+) streets shown \(all streets in "
        r"risk\.gpkg, layer streets\)$",
        r"道路过多（\1 条）：仅显示 \2 等级道路（全部道路见 risk.gpkg 的 streets 图层）",
    ),
    (
        r"^([\d,]+) streets are too many for a smooth map: no street shown \(all streets in risk\.gpkg, "
        r"layer streets\)$",
        r"道路过多（\1 条）：未显示道路（全部道路见 risk.gpkg 的 streets 图层）",
    ),
    (
        r"^([\d,]+) buildings are too many for a smooth map: not drawn \(in risk\.gpkg, layer buildings\)$",
        r"建筑过多（\1 栋）：未绘制（见 risk.gpkg 的 buildings 图层）",
    ),
    (
        r"^([\d,]+) resources are too many for lettered markers: small dots coloured by kind \(in "
        r"risk\.gpkg, layer resources\)$",
        r"应急资源过多（\1 处）：以按类别着色的小圆点显示（见 risk.gpkg 的 resources 图层）",
    ),
    (
        r"^outlines simplified to about (\d+) m for a smooth map \(exact in risk\.gpkg\)$",
        r"为流畅显示，轮廓简化至约 \1 米（精确轮廓见 risk.gpkg）",
    ),
    (
        r"^([\d,]+) (\w+) coverage gap outlines are too many for a smooth map: not drawn \(in risk\.gpkg, "
        r"layer (\w+)\)$",
        r"{\2}覆盖缺口轮廓过多（\1 个）：未绘制（见 risk.gpkg 的 \3 图层）",
    ),
    *(
        (
            rf"^([\d,]+) {english} outlines are too many for a smooth map: not drawn \(in risk\.gpkg, "
            r"layer (\w+)\)$",
            rf"{chinese}轮廓过多（\1 个）：未绘制（见 risk.gpkg 的 \2 图层）",
        )
        for english, chinese in (
            ("key district", "重点地区"),
            ("urban village", "城中村"),
            ("community", "社区"),
            ("street", "街道"),
            ("district", "区县"),
        )
    ),
    (
        r"^ok: .*?; (\d+) resources?; ([\d,]+) of ([\d,]+) residents uncovered; ([\d,]+) of them live over "
        r"(\d+) m from a public drive street but near service roads .*?overrides: \{(\w+): .*$",
        r"完成：\1 处资源；\3 人中 \2 人未覆盖；其中 \4 人居住在距公共车行道路 \5 米以上、但靠近内部道路处"
        r"（校园、封闭小区？）：可在配方中为{\6}覆盖改用含内部道路的车行方式",
    ),
    (
        r"^buildings: residential floor area of layer '(.*)' ÷ ([\d.]+) m² per person$",
        r"按建筑估算：图层 '\1' 的居住建筑面积 ÷ 人均 \2 平方米",
    ),
    (r"^raster: (.*) \(people per pixel, shared by area\)$", r"栅格：\1（每像元人数，按面积分摊）"),
    (
        r"^no ([a-z_]+) in the run's data, so none is listed here: unknown whether there is one nearby.*$",
        r"运行数据中没有{\1}，故未列出：附近是否有{\1}未知（该覆盖标准未评估；若台账列全了所有{\1}，"
        r"请在配方中声明该台账完整）",
    ),
    (r"^no ([a-z_]+) to send: (.*) lists none \((\w+): nobody reached\)$", r"无{\1}可派：\2 中没有{\1}"),
    (
        r"^([a-z_]+) (.+): no (\w+) street within (\d+) m \((\d+) m\): not ranked$",
        r"{\1} \2：\4 米内无可用道路（\5 米），未排序",
    ),
    (
        r"^([a-z_]+): the run kept no (\w+) street graph; travel times unknown$",
        r"{\1}：运行结果未保存路网，到达时间未知",
    ),
    (
        r"^the incident is (\d+) m from the nearest (\w+) street: .*$",
        r"事发点距最近的道路 \1 米：到达时间自该道路起算",
    ),
    # "the 200 m, 800 m ring(s) reach past the run's study area": in i18n_planner (its metres in Chinese)
    (r"^no walkable street within (\d+) m$", r"\1 米内无步行道路"),
    (
        r"^no usable shelter \(a shelter with a known capacity outside the radius\): .*$",
        "无可用避难场所（疏散范围外且容量已知者）：全部疏散人员无避难位置",
    ),
)


def zh_unsnapped_tail(value: str) -> tuple[str, str]:
    """A coverage status split into its head and, in Chinese, its "resources too far" tail.

    The status's patterns end in ``.*$``, which dropped the named resources from the Chinese text.

    Examples
    --------
    >>> zh_unsnapped_tail("ok: x; 1 resource too far from a street, not used: F3 (612 m from a street)")
    ('ok: x', '；另有 1 处资源距道路过远、未计入：F3（距道路 612 米）')
    """
    found = re.search(r"; (\d+) resources? too far from a street(?:, not used: (.*))?$", value)
    if not found:
        return value, ""
    named = re.sub(r" \((\d+) m from a street\)", r"（距道路 \1 米）", found.group(2) or "")
    named = re.sub(
        r" \((\d+) m from a street, outside the OSM data\)", r"（距道路 \1 米，在 OSM 数据范围外）", named
    )
    named = re.sub(r" and (\d+) more$", r" 等（另 \1 处）", named)
    tail = f"；另有 {found.group(1)} 处资源距道路过远、未计入" + (f"：{named}" if named else "")
    return value[: found.start()], tail


def zh_status_tails(value: str) -> tuple[str, str]:
    """A coverage status split into its head and, in Chinese, its tails: the uncovered cells whose
    residents are unknown and the cells outside the street data (:mod:`urbanrisk.coverage_unknown`),
    and the resources too far from a street (:func:`zh_unsnapped_tail`).

    Examples
    --------
    >>> zh_status_tails("ok: x; 3 uncovered cells have residents unknown: the count is a lower bound")
    ('ok: x', '；另有 3 个未覆盖单元常住人口未知：未覆盖人数为下限')
    >>> zh_status_tails("ok: x; 1 uncovered cell has residents unknown: the count is unknown, not 0")[1]
    '；另有 1 个未覆盖单元常住人口未知：未覆盖人数未知（并非 0）'
    """
    value, tail = zh_unsnapped_tail(value)
    for clause, words in _ZH_COVERAGE_CLAUSES:  # from the end of the status
        found = re.search(clause, value)
        if found:
            value, tail = value[: found.start()] + value[found.end() :], words.format(found.group(1)) + tail
    return value, tail


#: The coverage status's clauses on unknown cells, last first, and their Chinese.
_ZH_COVERAGE_CLAUSES = (
    ZH_DROPPED_CLAUSE,  # after the cells outside the street data
    (
        r"; ([\d,]+) cells? outside the street data or on streets leaving it: coverage unknown there",
        "；另有 {} 个单元在道路数据范围外或其道路伸出数据边界：覆盖情况未知",
    ),
    (
        r"; ([\d,]+) uncovered cells? ha(?:s|ve) residents unknown: the count is a lower bound",
        "；另有 {} 个未覆盖单元常住人口未知：未覆盖人数为下限",
    ),
    (
        r"; ([\d,]+) uncovered cells? ha(?:s|ve) residents unknown: the count is unknown, not 0",
        "；另有 {} 个未覆盖单元常住人口未知：未覆盖人数未知（并非 0）",
    ),
)
