"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what ``urbanrisk validate`` (and any
command that checks a recipe) says about a recipe and its layers' files, and the matcher that rewrites
those messages (English is the key, a template whose ``{placeholders}`` match the message's values).

A problem line keeps its place as written (``file:line: key.path:``) and its message is rewritten; a
placeholder named ``message``, ``hint``, ``fix``, ``what``, ``listed`` or ``where`` is itself rewritten
(a fix inside a message). Paths, key names, values, numbers and the messages of other programs (a YAML
parser's, GDAL's) stay as written. Light on purpose: ``urbanrisk validate`` imports it (no geopandas).
"""

from __future__ import annotations

import re
import string
from functools import cache

from .i18n_census import ZH_CENSUS
from .i18n_datum import ZH_DATUM_CHECKS
from .i18n_files import ZH_FILES
from .i18n_hostile import ZH_HOSTILE_CHECKS
from .i18n_hostile15 import ZH_HOSTILE15_CHECKS
from .i18n_office_checks import ZH_OFFICE_CHECKS
from .i18n_round7 import ZH_ROUND7_CHECKS
from .i18n_round9 import ZH_ROUND9_CHECKS
from .i18n_round10 import ZH_ROUND10_CHECKS, zh_kind_list
from .i18n_store import ZH_STORE_CHECKS

ZH_CHECKS: dict[str, str] = {
    # where a problem stands (tried first and last: see _FIRST), and the heads of a list of problems
    "{source}:{line}: {key}: {message}": "{source}:{line}: {key}: {message}",
    "{source}:{line}: {message}": "{source}:{line}: {message}",
    "{source}: {n} problems in the recipe": "{source}：配方中有 {n} 处问题",
    "{source}: {n} problem in the recipe": "{source}：配方中有 {n} 处问题",
    "{source}: {n} problem(s) in the recipe and its layers' files": (
        "{source}：配方及其图层文件中有 {n} 处问题"
    ),
    "{source}: {n} problem(s) in the layers' files": "{source}：图层文件中有 {n} 处问题",
    "layer '{layer}': {message}": "图层 '{layer}'：{message}",
    "area: {message}": "研究区：{message}",
    "row {row}: {message}": "第 {row} 行：{message}",
    "sheet '{sheet}' row {row}: {message}": "工作表 '{sheet}' 第 {row} 行：{message}",
    # the recipe itself
    "recipe not found: {path} — give the path of a .yaml recipe (see recipes/)": (
        "找不到配方：{path} — 请给出 .yaml 配方文件的路径（示例见 recipes/）"
    ),
    "{source}: the recipe is {size} bytes; a recipe is a small YAML file (< 100 KB)": (
        "{source}：配方文件有 {size} 字节；配方应是一个小的 YAML 文件（小于 100 KB）"
    ),
    "{source}: the recipe is not UTF-8 (byte {byte} cannot be read): save it as UTF-8 "
    "(e.g. iconv -f GBK -t UTF-8 recipe.yaml > recipe-utf8.yaml)": (
        "{source}：配方文件不是 UTF-8 编码（第 {byte} 字节无法读取）：请另存为 UTF-8"
        "（可用 iconv -f GBK -t UTF-8 recipe.yaml > recipe-utf8.yaml 转换）"
    ),
    "the recipe {what}: write the values out (no alias bombs, no deep nesting)": (
        "配方{what}：请直接写出各项取值（不要用别名反复展开，不要深层嵌套）"
    ),
    "expands to more than {n} values": "展开后超过 {n} 个值",
    "nests deeper than {n} levels": "嵌套超过 {n} 层",
    "not valid YAML: {problem} — check indentation and quoting": (
        "不是有效的 YAML（{problem}）— 请检查缩进和引号"
    ),
    "a recipe is a YAML mapping (name:, area:, grid:, layers:, outputs:)": (
        "配方应是一个 YAML 映射（含 name:、area:、grid:、layers:、outputs:）"
    ),
    "unknown key '{name}': {hint}": "未知的键 '{name}'：{hint}",
    "did you mean '{choice}'?": "是否应为 '{choice}'？",
    "valid keys: {keys} (a key that only holds YAML anchors starts with x-: x-{name}: &{name} ...)": (
        "可用的键：{keys}（只存放 YAML 锚点的键以 x- 开头：x-{name}: &{name} ...）"
    ),
    "valid keys: {keys}": "可用的键：{keys}",
    "missing key 'order': say which end of the severity scale is the most severe: {hint}": (
        "缺少键 'order'：请说明严重度等级的哪一端最严重：{hint}"
    ),
    "order: 1_is_most_severe (一级 / 1 the most severe, as 重大危险源 grades) or "
    "order: 4_is_most_severe (urbanrisk's scale, 4 the most severe)": (
        "order: 1_is_most_severe（一级 / 1 最严重，同重大危险源分级）或 "
        "order: 4_is_most_severe（urbanrisk 的等级，4 最严重）"
    ),
    "unknown order {value}: {hint}": "未知的 order 取值 {value}：{hint}",
    "missing key '{name}': add it (see recipes/beijing-wudaokou.yaml for an example)": (
        "缺少键 '{name}'：请补上（示例见 recipes/beijing-wudaokou.yaml）"
    ),
    "layer without 'type': add type: one of {types}": "图层缺少 'type'：请添加 type，取值为以下之一：{types}",
    "unknown layer type '{given}': {hint}": "未知的图层类型 '{given}'：{hint}",
    "use one of: {choices}": "请使用以下之一：{choices}",
    "use one of {choices}": "请使用以下之一：{choices}",
    "bad H3 resolution {value}: use a whole number from 0 to 15 (9 ≈ 0.1 km² cells, 10 ≈ 0.015 km², "
    "the usual choice for a district)": (
        "H3 分辨率 {value} 无效：请使用 0 到 15 的整数（9 级单元约 0.1 平方公里，10 级约 0.015 平方公里，"
        "街区常用 10 级）"
    ),
    "file not found: {path} — {fix}": "文件不存在：{path} — {fix}",
    "not a regular file (a folder, pipe, device?): {path} — {fix}": (
        "不是普通文件（文件夹、管道或设备？）：{path} — {fix}"
    ),
    "{path} is not a regular file (a folder, a pipe or a device?): give a file's path": (
        "{path} 不是普通文件（文件夹、管道或设备？）：请给出文件路径"
    ),
    "fix the path; relative paths resolve against the recipe's folder ({folder})": (
        "请改正路径；相对路径以配方所在的文件夹（{folder}）为基准"
    ),
    "fix the path": "请改正路径",
    "source '{source}' is not an osm layer of this recipe: {hint}": (
        "source '{source}' 不是本配方的 osm 图层：{hint}"
    ),
    "add an osm layer": "请添加一个 osm 图层",
    "two population layers ({names}): keep one (a raster or population_from_buildings)": (
        "有两个人口图层（{names}）：请只保留一个（raster 或 population_from_buildings）"
    ),
    "area names layer '{layer}', which the recipe does not define: {hint}": (
        "area 指定的图层 '{layer}' 在配方中没有定义：{hint}"
    ),
    "a bbox has 4 numbers: [minlon, minlat, maxlon, maxlat]": (
        "bbox 应有 4 个数：[minlon, minlat, maxlon, maxlat]"
    ),
    "latitude outside [-90, 90] in {value}: the numbers look like [minlat, minlon, maxlat, maxlon]; "
    "write them as [minlon, minlat, maxlon, maxlat]": (
        "{value} 中的纬度超出 [-90, 90]：这些数看来是按 [minlat, minlon, maxlat, maxlon] 写的；"
        "请改为 [minlon, minlat, maxlon, maxlat]"
    ),
    "lon/lat outside range in {value}: longitudes lie in [-180, 180], latitudes in [-90, 90]": (
        "{value} 中的经纬度超出范围：经度应在 [-180, 180] 内，纬度应在 [-90, 90] 内"
    ),
    "empty box {value}: need minlon < maxlon and minlat < maxlat (a box crossing 180° has "
    "minlon > 0 > maxlon, e.g. [179.5, -17, -179.5, -16])": (
        "范围框 {value} 为空：须 minlon < maxlon 且 minlat < maxlat（跨越 180° 经线的范围框为 "
        "minlon > 0 > maxlon，如 [179.5, -17, -179.5, -16]）"
    ),
    "give exactly one of layer, bbox or path": "layer、bbox、path 须给出其中一项",
    "complete_for {kinds} is for resource registries: add role: resource, or remove complete_for "
    "(a hazard registry's completeness is not declared)": (
        "complete_for {kinds} 仅用于应急资源台账：请添加 role: resource，或删除 complete_for"
        "（危险源台账不声明完整性）"
    ),
    "complete_for lists resource kinds, e.g. [fire_station] or [消防站]: remove the empty entry": (
        "complete_for 列出应急资源类别，如 [fire_station] 或 [消防站]：请删除空项"
    ),
    "severity_column '{column}' does not say which end of its scale is the most severe: replace it with "
    "severity: {{column: {column}, order: ...}}, {hint}": (
        "severity_column '{column}' 未说明等级哪一端最严重：请改为 severity: {{column: {column}, order: ..."
        "}}，{hint}"
    ),
    "severity.column '{column}' and severity_column '{other}' differ: keep severity.column and remove "
    "severity_column": (
        "severity.column '{column}' 与 severity_column '{other}' 不一致：请保留 severity.column，删除 sever"
        "ity_column"
    ),
    "unknown scheduler {value}: use synchronous, threads, processes or tcp://host:port": (
        "未知的调度器 {value}：请使用 synchronous、threads、processes 或 tcp://host:port"
    ),
    "weights {label} must sum to 1 (got {total})": "权重 {label} 之和须为 1（现为 {total}）",
    "thresholds are three risk scores on 0-10, decreasing: [I, II, III] (e.g. [6.0, 4.5, 3.0]); "
    "got {value}": (
        "thresholds 应为 0-10 之间递减的三个风险分值：[I, II, III]（如 [6.0, 4.5, 3.0]）；现为 {value}"
    ),
    # pydantic's own words for a wrong value (the rest of its wording stays as it is)
    "{message} (got {value})": "{message}（现为 {value}）",
    "Input should be a valid integer, unable to parse string as an integer": "应为整数，无法将文本解析为整数",
    "Input should be a valid integer, got a number with a fractional part": "应为整数，不能带小数",
    "Input should be a valid integer": "应为整数",
    "Input should be a valid number, unable to parse string as a number": "应为数字，无法将文本解析为数字",
    "Input should be a valid number": "应为数字",
    "Input should be a finite number": "应为有限的数字",
    "Input should be a valid string": "应为文本",
    "Input should be a valid boolean, unable to interpret input": "应为布尔值（true / false）",
    "Input should be a valid boolean": "应为布尔值（true / false）",
    "Input should be a valid list": "应为列表",
    "Input should be a valid dictionary": "应为映射（key: value）",
    "Input should be a valid dictionary or instance of {model}": "应为映射（key: value）",
    "Input should be greater than or equal to {limit}": "应大于或等于 {limit}",
    "Input should be greater than {limit}": "应大于 {limit}",
    "Input should be less than or equal to {limit}": "应小于或等于 {limit}",
    "Input should be less than {limit}": "应小于 {limit}",
    "Input should be {choices}": "应为以下之一：{choices}",
    "List should have at least {n} items after validation, not {m}": "列表至少应有 {n} 项，现有 {m} 项",
    "List should have at most {n} items after validation, not {m}": "列表至多应有 {n} 项，现有 {m} 项",
    "Field required": "缺少必填项",
}
ZH_CHECKS.update(ZH_FILES | ZH_CENSUS)  # the layers' files, tables, area file, run folder, disk; a census
ZH_CHECKS.update(ZH_DATUM_CHECKS)  # a layer's coords: / crs: (GCJ-02, BD-09)
ZH_CHECKS.update(ZH_HOSTILE_CHECKS)  # hostile input, round 5 (keys that are not names)
ZH_CHECKS.update(ZH_OFFICE_CHECKS)  # X north, zone numbers, several unit levels in one file
ZH_CHECKS.update(ZH_STORE_CHECKS)  # a compute.store the run could not write to
ZH_CHECKS.update(ZH_ROUND7_CHECKS)  # a path with a line break, a boundary not in lon/lat, a store in --out
ZH_CHECKS.update(ZH_ROUND9_CHECKS)  # an OSM extract the run cannot read (validate reads it through)
ZH_CHECKS.update(ZH_ROUND10_CHECKS)  # the run's unknown kinds; hostile input round 10
ZH_CHECKS.update(ZH_HOSTILE15_CHECKS)  # hostile input round 15: no building, columns east to west, scratch

#: How a placeholder matches (else: any text, as little as will do); which placeholders are rewritten too.
_TYPED = {"line": r"\d+|\?", "n": r"[\d,]+", "row": r"\d+", "key": r"\(top level\)|[^\s:]+"}
_NESTED = {"message", "hint", "fix", "what", "listed", "where"}
#: Words inside a rewritten value (a registry's rows, a key's place).
_INLINE = (
    (re.compile(r"('[^']*') in sheet '([^']*)' row (\d+)"), r"\1（工作表 '\2' 第 \3 行）"),
    (re.compile(r"('[^']*') in row (\d+)"), r"\1（第 \2 行）"),
    (re.compile(r"\bsheet '([^']*)' row (\d+)"), r"工作表 '\1' 第 \2 行"),
    (re.compile(r"\brow (\d+)"), r"第 \1 行"),
    (re.compile(r" \(and (\d+) more rows?\)"), r"（另有 \1 行）"),
    (re.compile(r", and (\d+) more$"), r"，另有 \1 种"),
    (re.compile(r"^\(top level\)$"), "（顶层）"),
    (re.compile(r"行）, '"), "行）、'"),
    (re.compile(r"行, (?=工作表|第)"), "行、"),
)
#: Words inside the boxes of an area outside the data ("'osm' (a.osm) covers [...]; 'b' (...) ...").
_COVERS = (
    (
        re.compile(r" \(its data: the header declares no bounds\) covers \["),
        "（其数据，文件头未声明范围）覆盖 [",
    ),
    (re.compile(r" \(([^()]*)\) covers \["), r"（\1）覆盖 ["),
    (re.compile(r"\]; '"), "]；'"),
)
#: Templates that say where a message stands or add a value to it: they count only when the message
#: they hold is rewritten. Tried first: a value pydantic adds ("Input should be {choices}" would take it
#: in) and the file, line and key (a message's own first placeholder would); last: a layer's name.
_FIRST = (
    "{message} (got {value})",
    "{source}:{line}: {key}: {message}",
    "{source}:{line}: {message}",
    "row {row}: {message}",
    "sheet '{sheet}' row {row}: {message}",
)
_LAST = ("layer '{layer}': {message}", "area: {message}")


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression: its text as written, each placeholder a named group (a
    placeholder named twice must match the same text)."""
    parts, seen = [], set()
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is None:
            continue
        parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>{_TYPED.get(field, '.+?')})")
        seen.add(field)
    return re.compile("".join(parts), re.S)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    """(pattern, Chinese, whether it holds a message that must be rewritten for it to count)."""
    holders = (*_FIRST, *_LAST)
    order = [*_FIRST, *(k for k in ZH_CHECKS if k not in holders), *_LAST]
    return tuple((_pattern(key), ZH_CHECKS[key], key in holders) for key in order)


def _rewrite(text: str, depth: int = 0) -> str:
    """One message in Chinese (as written when no template matches it)."""
    if depth > 4 or not text:
        return text
    for pattern, chinese, holder in _patterns():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values = {name: _value(name, value, depth) for name, value in found.groupdict().items()}
        if holder and values["message"] == found["message"]:
            continue
        head = chinese.removesuffix("：{message}")
        if holder and head != chinese and values["message"].startswith(head.format_map(values)):
            return values["message"]  # "研究区：研究区 ..." said once
        return chinese.format_map(values)
    return text


def _value(name: str, value: str, depth: int) -> str:
    if name == "choices":  # pydantic's "'a', 'b' or 'c'"
        return re.sub(r"', '|' or '", "'、'", value)
    if name == "known":  # kinds: 加油站（fuel）, not fuel
        return zh_kind_list(value)
    if name == "listed":  # "row 2: ...; row 5: ..."
        items = re.split(r"; (?=(?:sheet '[^']*' )?row \d+: )", value)
        value = "；".join(_rewrite(item, depth + 1) for item in items)
    elif name in _NESTED:
        value = _rewrite(value, depth + 1)
    if name == "covers":
        for pattern, replacement in _COVERS:
            value = pattern.sub(replacement, value)
    if name in _NESTED or name == "key":
        for pattern, replacement in _INLINE:
            value = pattern.sub(replacement, value)
    return value


def check_text(text: str, language: str) -> str:
    """A checker's message (one line or several, as an error lists them) in ``language``.

    Examples
    --------
    >>> check_text("r.yaml:4: grid.resolution: bad H3 resolution 16: use a whole number from 0 to 15 "
    ...            "(9 ≈ 0.1 km² cells, 10 ≈ 0.015 km², the usual choice for a district)", "zh")[:39]
    'r.yaml:4: grid.resolution: H3 分辨率 16 无效'
    >>> check_text("r.yaml: 1 problem in the recipe\\n  r.yaml:3: grid: unknown key 'resolutio': did you "
    ...            "mean 'resolution'?", "zh")
    "r.yaml：配方中有 1 处问题\\n  r.yaml:3: grid: 未知的键 'resolutio'：是否应为 'resolution'？"
    """
    if language != "zh" or not text:
        return text
    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        lines.append(line[: len(line) - len(body)] + _rewrite(body))
    return "\n".join(lines)
