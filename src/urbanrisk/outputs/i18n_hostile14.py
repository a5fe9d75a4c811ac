"""Chinese for what hostile input round 14 (session 20, hostile21) made the layer and recipe checks say: a
stray cell far below a registry or far right of its header, a population raster stored packed (GDAL scale
and offset), an OSM file holding JOSM's unsaved edits (negative ids, objects marked deleted) or a giant
comment; a recipe typed with a Chinese input method on (full-width colons and spaces); and (session 21) a
population raster of several bands whose recipe names none, and YAML 1.1's base-60 and octal numbers.
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
    "{path} has {n} bands ({bands}) and the recipe names none: say which holds the people per pixel, e.g. "
    "`band: 1` under layers: {layer}:": (
        "{path} 有 {n} 个波段（{bands}），而配方未指明用哪个：请写明哪个波段是每个像元的人数，例如在 layers: "
        "{layer}: 下写 `band: 1`"
    ),
    "'{text}' is read by YAML as the number {value} (YAML 1.1 reads it in base 60): write the number you "
    "mean ({guess}?), or quote it ('{quoted}') if it is text": (
        "YAML 把 '{text}' 读作数 {value}（YAML 1.1 按六十进制读）：请写出你要的数（{guess}？），"
        "若是文字请加引号（'{quoted}'）"
    ),
    "'{text}' is read by YAML as the number {value} (octal: YAML 1.1 reads a leading 0 so): write "
    "{decimal} if you mean that, or quote it ('{quoted}') if it is text (a code keeps its zeros only "
    "quoted)": (
        "YAML 把 '{text}' 读作数 {value}（八进制：YAML 1.1 这样读以 0 开头的数）：若指 {decimal} 请写 "
        "{decimal}，若是文字请加引号（'{quoted}'）（编码只有加引号才保留开头的 0）"
    ),
    "{path}: the file holds {what}: upload the edits in JOSM and download the area again, or purge the "
    "deleted objects and renumber the new ones ({fix})": (
        "{path}：该文件含有{what}：请在 JOSM 中上传这些编辑后重新下载该区域，或清除已删除的对象并为新对象"
        "重新编号（{fix}）"
    ),
    "{n} references of ways to nodes of negative id (drawn in JOSM and never uploaded: the run would "
    "leave out every building and street drawn through them) and {count} objects marked action='delete' "
    "(deleted in JOSM: the run would read them)": (
        " {n} 处路径对负数 id 节点的引用（在 JOSM 中绘制但从未上传：运行会漏掉经过这些节点的每座建筑和每条"
        "街道），以及 {count} 个标为 action='delete' 的对象（已在 JOSM 中删除：运行仍会读入它们）"
    ),
    "{n} references of ways to nodes of negative id (drawn in JOSM and never uploaded: the run would "
    "leave out every building and street drawn through them)": (
        " {n} 处路径对负数 id 节点的引用（在 JOSM 中绘制但从未上传：运行会漏掉经过这些节点的每座建筑和每条"
        "街道）"
    ),
    "{count} objects marked action='delete' (deleted in JOSM: the run would read them)": (
        " {count} 个标为 action='delete' 的对象（已在 JOSM 中删除：运行仍会读入它们）"
    ),
    "{path} holds an XML comment or text of more than {mb} MB, which no extract holds and the OSM reader "
    "takes minutes over: delete it, or export the extract again": (
        "{path} 含有超过 {mb} MB 的 XML 注释或文本，正常的数据摘录不会有，而 OSM 读取器要为此耗费数分钟："
        "请删除它，或重新导出该摘录"
    ),
    "the line is indented with a full-width space (U+3000), which YAML does not read as indentation "
    "(typed by an input method?): indent with ordinary spaces": (
        "该行用全角空格（U+3000）缩进，YAML 不把它当作缩进（是输入法打出的吗？）：请用普通空格缩进"
    ),
    "the line is indented with a no-break space (U+00A0), which YAML does not read as indentation "
    "(typed by an input method?): indent with ordinary spaces": (
        "该行用不换行空格（U+00A0）缩进，YAML 不把它当作缩进（是输入法打出的吗？）：请用普通空格缩进"
    ),
    "'{name}' is followed by a full-width colon '：' (typed by a Chinese input method), which YAML does not "
    "read as a colon: write '{name}: ' (an ordinary colon and a space)": (
        "'{name}' 后面是全角冒号“：”（中文输入法打出的），YAML 不把它当作冒号：请写成 '{name}: '"
        "（半角冒号加一个空格）"
    ),
    "{name} is UTF-16 text, which the OSM reader does not read: save it as UTF-8": (
        "{name} 是 UTF-16 文本，OSM 读取器不能读取：请另存为 UTF-8"
    ),
    "{name} is an osmChange file (a diff of edits, as .osc), not an extract: give the extract the edits "
    "apply to (osmium apply-changes extract.osm.pbf changes.osc -o new.osm.pbf)": (
        "{name} 是 osmChange 文件（编辑的差异，即 .osc），不是数据摘录：请给出这些编辑所作用的摘录"
        "（osmium apply-changes extract.osm.pbf changes.osc -o new.osm.pbf）"
    ),
    "the path begins or ends with a space, and '{path}' exists: delete the space": (
        "路径的开头或结尾有空格，而 '{path}' 存在：请删去该空格"
    ),
    "{file}: '{text}' in {where} writes its hemisphere as a letter: write {signed} (east and north positive, "
    "west and south negative)": (
        "{file}：{where}中的 '{text}' 用字母写了半球：请写成 {signed}（东经、北纬为正，西经、南纬为负）"
    ),
    "{file}: '{text}' in {where} writes its decimals after '。' (a Chinese full stop): write {number}": (
        "{file}：{where}中的 '{text}' 用“。”（中文句号）作小数点：请写成 {number}"
    ),
    "a value tagged !!binary (bytes, not text): remove the tag: a recipe holds plain values, and nothing in "
    "it is ever executed": (
        "有一个值带 !!binary 标签（字节，不是文本）：请删除该标签：配方只含普通取值，其中任何内容都不会被执行"
    ),
}
