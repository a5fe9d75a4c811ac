"""Chinese for what hostile input round 14 (session 20, hostile21) made the layer and recipe checks say: a
stray cell far below a registry or far right of its header, a population raster stored packed (GDAL scale
and offset), an OSM file holding JOSM's unsaved edits (negative ids, objects marked deleted).
Templates merged into :data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> said = check_text("r.yaml:9: layers.h.path: h.xlsx: its header names 'x' in column XFD, 16,379 "
...                   "empty columns right of the name before it ('纬度'): a stray cell? delete column XFD "
...                   "(in Excel, Ctrl+End goes to the last cell used) and save", "zh")
>>> said[25:76]
"h.xlsx：其表头在 XFD 列写有 'x'，与前一个列名（'纬度'）之间隔着 16,379 个空列"
"""

from __future__ import annotations

ZH_HOSTILE14_CHECKS: dict[str, str] = {
    "{path}: sheet '{sheet}' holds a value at row {n} (cell {cell}), {gap} empty rows below the value "
    "before it: a stray cell? delete row {n} (in Excel, Ctrl+End goes to it) and save, or save the "
    "registry as CSV": (
        "{path}：工作表 '{sheet}' 在第 {n} 行（单元格 {cell}）有一个值，与上一个值之间隔着 {gap} 个空行："
        "是误输入的单元格吗？请删除第 {n} 行（在 Excel 中按 Ctrl+End 可跳到该处）并保存，或把台账另存为 CSV"
    ),
    "{path}: its header names '{name}' in column {column}, {gap} empty columns right of the name before it "
    "('{before}'): a stray cell? delete column {column} (in Excel, Ctrl+End goes to the last cell used) "
    "and save": (
        "{path}：其表头在 {column} 列写有 '{name}'，与前一个列名（'{before}'）之间隔着 {gap} 个空列："
        "是误输入的单元格吗？请删除 {column} 列（在 Excel 中按 Ctrl+End 可跳到最后使用的单元格）并保存"
    ),
    "{path}: band {band} stores its values packed (each value = stored number x {scale} + {offset}), which "
    "urbanrisk does not unpack: write the people per pixel themselves (gdal_translate -unscale -ot Float32 "
    "in.tif out.tif)": (
        "{path}：第 {band} 波段以压缩方式存值（值 = 存储数 × {scale} + {offset}），urbanrisk 不做解包：请写入"
        "每个像元的人数本身（gdal_translate -unscale -ot Float32 in.tif out.tif）"
    ),
    "{path}: the file holds {what}: upload the edits in JOSM and download the area again, or purge the "
    "deleted objects and renumber the new ones ({fix})": (
        "{path}：该文件含有{what}：请在 JOSM 中上传这些编辑后重新下载该区域，或清除已删除的对象并为新对象"
        "重新编号（{fix}）"
    ),
    "{n} negative ids and references (objects drawn in JOSM and never uploaded: the run would leave out "
    "every building and street drawn so) and {count} objects marked action='delete' (deleted in JOSM: the "
    "run would read them)": (
        " {n} 个负数 id 及引用（在 JOSM 中绘制但从未上传的对象：运行会漏掉如此绘制的每座建筑和每条街道），"
        "以及 {count} 个标为 action='delete' 的对象（已在 JOSM 中删除：运行仍会读入它们）"
    ),
    "{n} negative ids and references (objects drawn in JOSM and never uploaded: the run would leave out "
    "every building and street drawn so)": (
        " {n} 个负数 id 及引用（在 JOSM 中绘制但从未上传的对象：运行会漏掉如此绘制的每座建筑和每条街道）"
    ),
    "{count} objects marked action='delete' (deleted in JOSM: the run would read them)": (
        " {count} 个标为 action='delete' 的对象（已在 JOSM 中删除：运行仍会读入它们）"
    ),
}
