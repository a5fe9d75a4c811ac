"""The stages' statuses and warnings (English, as they write them) -> Chinese: regex patterns, in order,
tried by :func:`.i18n.data_text` after the pages', the exposure's and the feature modules' patterns."""

from __future__ import annotations

#: Statuses, warnings and other texts the stages write in English -> Chinese (regex, in order).
ZH_STATUS_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^ok: (\d+) sources?$", r"完成：\1 个危险源"),
    (r"^ok: (\d+) units? from recipe polygons layer$", r"完成：\1 个单元（来自配方的面图层）"),
    (
        r"^ok: (\d+) units? from recipe polygons layer \((\d+) units?\), other cells by H3 parent cell "
        r"\((\d+) units?\)$",
        r"完成：\1 个单元（来自配方的面图层 \2 个，面外网格单元按 H3 上级单元 \3 个）",
    ),
    (
        r"^ok: (\d+) units? from OSM residential land use, other cells by H3 parent cell$",
        r"完成：\1 个单元（OSM 居住用地，其余按 H3 上级单元）",
    ),
    (r"^ok: (\d+) units? from H3 parent cells$", r"完成：\1 个单元（H3 上级单元）"),
    (r"^ok: (\d+) districts?$", r"完成：\1 个重点地区"),
    (r"^ok: (\d+) clusters?$", r"完成：\1 个片区"),
    (r"^skipped: no hazards.*$", "跳过：无危险源数据（无危险源台账图层，OSM 中也无危险源要素）"),
    (
        r"^resources: ([a-z_]+) \(registry '(.+?)'\) serves no coverage standard of preset '(.+?)'.*$",
        r"应急资源：台账“\2”中的{\1}不属于覆盖标准预设“\3”的任何标准：已列入地图和 resources.parquet，"
        r"未计入覆盖（如需评估，请在配方 tables 的 standards 副本中为其增加一行标准）",
    ),
    (
        r"^skipped: none of the ([\d,]+) hazard sources? reaches the study area$",
        r"跳过：\1 个危险源均不在研究区内，影响范围也未达研究区（研究区或坐标系有误？）",
    ),
    (r"^skipped: no osm layer \(no crowd-gathering places\)$", "跳过：无 OSM 图层（无人员密集场所数据）"),
    (r"^skipped: no osm layer \(no street graph\)$", "跳过：无 OSM 图层（无道路网络）"),
    (r"^skipped: no buildings$", "跳过：无建筑数据"),
    (
        r"^skipped: no ([a-z_]+) in the data within (\d+) m of the.*$",
        r"跳过：研究区及其 \2 米范围内的数据中没有{\1}",
    ),
    (
        r"^ok: .*?; no ([a-z_]+) in (a registry|data) declared complete.*?; (\d+) resources?; ([\d,]+) of "
        r"([\d,]+) residents uncovered.*$",
        r"完成：配方声明{\1}数据完整而其中没有{\1}：全部居民未覆盖（\5 人中 \4 人未覆盖）",
    ),
    (
        r"^ok: .*?; (\d+) resources?; ([\d,]+) of ([\d,]+) residents uncovered.*$",
        r"完成：\1 处资源；\3 人中 \2 人未覆盖",
    ),
    (
        r"^\w+ coverage: no ([a-z_]+) in the data \(unknown, not none.*$",
        r"数据中没有{\1}：该覆盖标准未知（缺失不等于没有），应对能力不足维度不计入，等级可能因此偏低；"
        r"若台账列全了所有{\1}，请在配方中声明该台账完整",
    ),
    (r"^ok: (.*)$", r"完成"),
    (
        r"^OSM buildings look incomplete: about (\d+%).*$",
        r"OSM 建筑数据不完整：约 \1；缺失之处的建筑指标与按建筑估算的人口记为未知，并如实标出",
    ),
    (
        r"^no OSM layer: building density, urban-village form, crowding, vulnerable sites and travel to "
        r"resources are unknown everywhere$",
        r"无 OSM 图层：建筑密度、城中村形态、人员密集、脆弱场所及到应急资源的通行时间处处未知",
    ),
    (
        r"^([\d,]+) cells? ha(?:s|ve) no grade \(no data\).*$",
        r"\1 个单元无等级（无数据）：可测量内容过少，地图上为灰色，并非低风险",
    ),
)
