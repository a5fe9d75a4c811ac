"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what a recipe check says of hostile
input found in round 5 (a mapping key YAML reads as a number, true/false, null, a date or a list; an
``outputs.publish`` nobody can write to).
Templates merged into :data:`urbanrisk.outputs.i18n_checks.ZH_CHECKS`; light (validate reads them).

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:3: layers: the key '2020' reads as a number, not as a name: "
...            "put it in quotes ('2020')", "zh")
"r.yaml:3: layers: 键 '2020' 被读作数字，而不是名称：请加上引号（'2020'）"
"""

from __future__ import annotations

from .i18n_hostile14 import ZH_HOSTILE14_CHECKS
from .i18n_incident_errors import ZH_INCIDENT_CHECKS
from .i18n_round11 import ZH_ROUND11_CHECKS
from .i18n_round12 import ZH_ROUND12_CHECKS
from .i18n_round13 import ZH_ROUND13_CHECKS

ZH_HOSTILE_CHECKS: dict[str, str] = {
    "the key '{name}' reads as {what}, not as a name: put it in quotes ('{quoted}')": (
        "键 '{name}' 被读作{what}，而不是名称：请加上引号（'{quoted}'）"
    ),
    "the folder is empty: name a folder for the runs, e.g. outputs/<name>": (
        "文件夹为空：请为运行结果指定一个文件夹，例如 outputs/<name>"
    ),
    "a number": "数字",
    "true/false": "真/假值（true/false）",
    "null": "空值（null）",
    "a date": "日期",
    "a value other than a name": "非名称的值",
    "a key written as a list or a mapping: a key is a name; write one name": (
        "键被写成了列表或映射：键应是一个名称；请只写一个名称"
    ),
    "unknown protocol '{protocol}' in {url}: use an fsspec URL (s3://bucket/prefix) or a folder": (
        "{url} 中的协议 '{protocol}' 未知：请使用 fsspec URL（如 s3://bucket/prefix）或文件夹"
    ),
    "the {protocol} filesystem needs a package that is not installed ({error}): install it": (
        "{protocol} 文件系统需要一个未安装的软件包（{error}）：请安装"
    ),
    "{path} is not a folder: give a folder or an fsspec URL (s3://bucket/prefix)": (
        "{path} 不是文件夹：请给出文件夹或 fsspec URL（如 s3://bucket/prefix）"
    ),
    "outputs.publish: the run is complete in {folder} but {url} did not receive it ({error}): "
    "fix outputs.publish": (
        "outputs.publish：运行已完整写入 {folder}，但 {url} 未能接收（{error}）：请改正 outputs.publish"
    ),
    "{path} has a coordinate reference system with no way to lon/lat (a local one?); assign its true CRS "
    "with gdal_edit.py -a_srs EPSG:<code>": (
        "{path} 的坐标参照系无法换算为经纬度（是局部坐标系？）；"
        "请用 gdal_edit.py -a_srs EPSG:<代码> 指定其真实坐标系"
    ),
    "{path}: cannot make the folder ({error}): give outputs.dir a folder you can write to": (
        "{path}：无法创建该文件夹（{error}）：请为 outputs.dir 指定一个可写入的文件夹"
    ),
    "the path holds a NUL character (\\0): write the path as plain text": (
        "路径中含有 NUL 字符（\\0）：请把路径写成纯文本"
    ),
    "the path is too long (a name over 255 bytes, or over 4,095 in all): fix the path": (
        "路径过长（某一级名称超过 255 字节，或总长超过 4,095 字节）：请改正路径"
    ),
    "{path} is a file, not the folder of runs: move it away (urbanrisk keeps its runs there)": (
        "{path} 是文件而不是存放运行结果的文件夹：请将其移走（urbanrisk 在此存放每次运行）"
    ),
    # round 6 (session 12): boundary rings
    "area: {path} has a ring that is not closed or of fewer than 4 points: close each ring (its last point "
    "is its first; 4 points at least)": (
        "研究区：{path} 中有未闭合或少于 4 个点的环：请闭合每个环（最后一点即第一点；至少 4 个点）"
    ),
    "area: {path} holds polygons that enclose no area (their rings go back over themselves): draw the "
    "study area's boundary around it": (
        "研究区：{path} 中的多边形不围成任何面积（其环沿原路折回）：请沿研究区边界重新绘制"
    ),
    "{path} holds a geometry that cannot be built ({error}): close each ring (its last point is its first; "
    "4 points at least), e.g. ogr2ogr -makevalid fixed.gpkg FILE": (
        "{path} 中有无法构建的几何（{error}）：请闭合每个环（最后一点即第一点；至少 4 个点），"
        "例如 ogr2ogr -makevalid fixed.gpkg FILE"
    ),
    "area: {path} declares no coordinate reference system (a Shapefile without its .prj?): give the file "
    "its CRS (e.g. ogr2ogr -a_srs EPSG:4326 area.gpkg FILE) or use a GeoJSON in lon/lat": (
        "研究区：{path} 未声明坐标参照系（Shapefile 缺少 .prj？）：请为该文件指定坐标系"
        "（例如 ogr2ogr -a_srs EPSG:4326 area.gpkg FILE），或改用经纬度的 GeoJSON"
    ),
    "it holds null, not a GeoJSON object": "文件内容为 null，不是 GeoJSON 对象",
    "{path} lies inside {runs}, where the runs of {other} are kept (and deleted): give outputs.dir a folder "
    "of its own, outside it": (
        "{path} 位于 {runs} 之内，那里存放（并会删除）{other} 的运行结果："
        "请为 outputs.dir 另指定一个不在其中的文件夹"
    ),
    "{path}: unit '{unit}' counts {count} residents ({where}), more than any unit holds ({most}): fix the "
    "count": (
        "{path}：单元 '{unit}' 的常住人口为 {count}（{where}），"
        "超过任何单元可能的人数（{most}）：请改正该数字"
    ),
    "{path}: a count without a unit in '{column}' ({rows}; a merged cell?): write the unit in every row "
    "(unmerge the cells), or add the unit's rows up into one": (
        "{path}：'{column}' 列中没有单元的人数（{rows}；是合并单元格？）：请在每一行写上单元"
        "（取消合并单元格），或将该单元的各行相加合为一行"
    ),
    "layers '{first}' and '{second}' read the same rows: each would count twice: {fix}": (
        "图层 '{first}' 与 '{second}' 读取同样的行：每一条都会被计两次：{fix}"
    ),
    "keep one": "请只保留一个",
    "an anchor goes at the top level ({anchor}: &... before layers:), not among the layers": (
        "锚点应写在顶层（在 layers: 之前写 {anchor}: &...），而不是写在图层之中"
    ),
    "layer without 'type': an anchor goes at the top level ({anchor}: &... before layers:), not among the "
    "layers": "图层缺少 'type'：锚点应写在顶层（在 layers: 之前写 {anchor}: &...），而不是写在图层之中",
    "the folder's path holds a tab, a carriage return or a newline, under which no GeoPackage can be "
    "written: rename the folder": (
        "该文件夹的路径中含有制表符、回车符或换行符，无法在其下写入 GeoPackage：请重命名该文件夹"
    ),
    # round 6b (session 12): boundaries of points only, holes that cancel their polygon
    "area: {path} holds no polygon (only {kinds}): give the study area's boundary as polygons": (
        "研究区：{path} 中没有多边形（只有 {kinds}）：请以多边形给出研究区的边界"
    ),
    "area: {path} holds no polygon: give the study area's boundary as polygons": (
        "研究区：{path} 中没有多边形：请以多边形给出研究区的边界"
    ),
    "area: {path} has a hole that cancels its polygon (an inner ring covering its whole outer ring): remove "
    "that ring, or draw the hole inside the outer ring": (
        "研究区：{path} 中有一个抵消了整个多边形的洞（内环覆盖了整个外环）：请删去该环，或将洞画在外环之内"
    ),
    **ZH_ROUND11_CHECKS,  # hostile input round 11 (office17)
    **ZH_ROUND12_CHECKS,  # hostile input round 12 (office18)
    **ZH_ROUND13_CHECKS,  # hostile input round 13 (office19)
    **ZH_HOSTILE14_CHECKS,  # hostile input round 14 (hostile21)
    **ZH_INCIDENT_CHECKS,  # urbanrisk incident's refusals (session 21)
}
