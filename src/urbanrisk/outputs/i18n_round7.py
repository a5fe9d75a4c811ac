"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what a recipe check says of hostile
input found in round 7 (an input path holding a line break, a boundary's vertices that are not lon/lat,
a ``compute.store`` inside ``--out``) and after it (3e38 people in a pixel, a hole outside its shell, a
registry's CRS mislabelled, ``--out /proc/self``).
Templates merged into :data:`urbanrisk.outputs.i18n_checks.ZH_CHECKS`; light (validate reads them).

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:4: area.path: area: a.gpkg has vertices that are not finite lon/lat (NaN, inf, "
...            "out of range): fix them", "zh")
'r.yaml:4: area.path: 研究区：a.gpkg 的顶点不是有限的经纬度（NaN、无穷大或超出范围）：请改正'
"""

from __future__ import annotations

ZH_ROUND7_CHECKS: dict[str, str] = {
    "{path} holds a tab, a carriage return or a newline, which GDAL drops when it opens a file (another "
    "file would be read, or none): rename the file and write its path without them": (
        "{path} 的路径中含有制表符、回车符或换行符，GDAL 打开文件时会将其删去"
        "（会读到另一个文件，或读不到文件）：请给文件改名，并写出不含这些字符的路径"
    ),
    "area: {path} has vertices that are not finite lon/lat (NaN, inf, out of range): fix them": (
        "研究区：{path} 的顶点不是有限的经纬度（NaN、无穷大或超出范围）：请改正"
    ),
    "compute.store {folder} is inside the output folder {runs} (--out), among the runs (history, keep and "
    "publish read that folder): give --out a folder apart from compute.store": (
        "compute.store {folder} 位于输出文件夹 {runs}（--out）之内，与各次运行结果混在一起"
        "（history、keep 和 publish 都会读取该文件夹）：请为 --out 指定与 compute.store 分开的文件夹"
    ),
    "{value} reads as {what}, not as text: put it in quotes": "{value} 被读作{what}，而不是文本：请加上引号",
    "{path}: every pixel of band {band} that holds a value is negative: no population could be read from it "
    "(a negative pixel is not measured); give the raster of people per pixel": (
        "{path}：第 {band} 波段中有值的像元全为负数：无法从中读取人口（负值像元视为未测量）；"
        "请给出每像元人数的栅格"
    ),
    "{file}: id {listed}: ids must be unique: fix them, or set `id_column:` to a column of unique ids": (
        "{file}：编号 {listed} 重复：编号必须唯一：请改正，或将 `id_column:` 设为编号唯一的列"
    ),
    "{path} has pixels of size 0 (a broken geotransform): give it its true extent (gdal_edit.py -a_ullr "
    "west north east south)": (
        "{path} 的像元大小为 0（地理变换已损坏）：请给出其真实范围"
        "（gdal_edit.py -a_ullr west north east south）"
    ),
    "{path} holds XML no spreadsheet program writes (a comment, a DTD or megabytes of text in {part}), which "
    "would take hours to read: open it in Excel and save it again, or save the registry as CSV": (
        "{path} 含有电子表格程序不会写入的 XML（{part} 中的注释、DTD 或数兆字节的文本），读取将耗时数小时："
        "请在 Excel 中打开并重新保存，或将台账另存为 CSV"
    ),
    # round 7b (hostile13b): absurd population rasters, a hole outside its shell, a mislabelled CRS, /proc
    "{path}: a pixel of band {band} holds {people} people ({density} per km²), more than anyone could live "
    "on (at most {limit} per km²): if {value} marks pixels without data, declare it (gdal_edit.py -a_nodata "
    "{value} FILE); else give the raster of people per pixel (not per km², not scaled)": (
        "{path}：第 {band} 波段的一个像元有 {people} 人（每平方公里 {density} 人），超过任何地方能容纳的人数"
        "（每平方公里至多 {limit} 人）：如果 {value} 表示无数据的像元，请声明它（gdal_edit.py -a_nodata "
        "{value} FILE）；否则请给出每像元人数的栅格（不是每平方公里人数，也未经缩放）"
    ),
    "{path}: {count} places of about {km2} km² hold more than {limit} people per km² (the densest {top}), as "
    "dense as the world's most crowded districts: check that the raster is people per pixel (not per km², "
    "not scaled)": (
        "{path}：有 {count} 处约 {km2} 平方公里的地方每平方公里超过 {limit} 人（最密处 {top} 人），"
        "与世界上最拥挤的街区相当：请检查该栅格是否为每像元人数（不是每平方公里人数，也未经缩放）"
    ),
    "area: {path} has a hole drawn outside its outer ring (an inner ring not inside the polygon it belongs "
    "to, which would add its own area or cancel the polygon): draw the hole inside the outer ring, or give "
    "that ring as a polygon of its own if it is part of the study area": (
        "研究区：{path} 有一个画在外环之外的洞（内环不在其所属的多边形之内，"
        "会添上它自己的面积或抵消该多边形）：请把洞画在外环之内；如果那个环是研究区的一部分，请把它作为单独的多边形给出"
    ),
    "{file}: the file declares a projected CRS (metres), but its coordinates are lon/lat in the study area "
    "({count} of {total} points; read as metres, none is): the CRS is mislabelled; declare EPSG:4326 "
    "(ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg; a GeoJSON: remove its crs member), or remove `crs:`": (
        "{file}：该文件声明的是投影坐标系（米），但其坐标是研究区内的经纬度（{total} 个点中有 {count} 个；"
        "按米读取则一个也不在）：坐标系标注有误；请声明为 EPSG:4326（ogr2ogr -a_srs EPSG:4326 out.gpkg "
        "in.gpkg；GeoJSON 则删去其 crs 成员），或删去 `crs:`"
    ),
    "{file}: `crs: {crs}` declares a projected CRS (metres), but its coordinates are lon/lat in the study "
    "area ({count} of {total} points; read as metres, none is): the CRS is mislabelled; declare EPSG:4326 "
    "(ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg; a GeoJSON: remove its crs member), or remove `crs:`": (
        "{file}：`crs: {crs}` 声明的是投影坐标系（米），但其坐标是研究区内的经纬度（{total} 个点中有 {count} "
        "个；按米读取则一个也不在）：坐标系标注有误；请声明为 EPSG:4326（ogr2ogr -a_srs EPSG:4326 out.gpkg "
        "in.gpkg；GeoJSON 则删去其 crs 成员），或删去 `crs:`"
    ),
    "{file}: the file declares lon/lat, but its coordinates go beyond it (e.g. {x}, {y}: projected metres?): "
    "the CRS is mislabelled; give the file its true CRS (ogr2ogr -a_srs EPSG:<code> out.gpkg in.gpkg)": (
        "{file}：该文件声明的是经纬度，但其坐标超出了经纬度范围（例如 {x}, {y}：是投影坐标的米吗？）："
        "坐标系标注有误；请为文件指定其真实坐标系（ogr2ogr -a_srs EPSG:<代码> out.gpkg in.gpkg）"
    ),
    "{path}: cannot write a file in the folder ({error}): it is not a folder files can be written to (a "
    "virtual file system such as /proc or /sys?); give --out / outputs.dir a folder you can write to": (
        "{path}：无法在该文件夹中写入文件（{error}）：它不是可以写入文件的文件夹（是 /proc 或 /sys 这样的"
        "虚拟文件系统吗？）；请为 --out / outputs.dir 指定一个可写入的文件夹"
    ),
    # round 8 (hostile14): GBK text whose bytes happen to be UTF-8
    "{path}: {lines} read as UTF-8 give stray letters of other alphabets ('{odd}'), which is GBK text "
    "read as UTF-8 ('{chinese}' in GBK): save the whole file in UTF-8 (in Excel: Save As, CSV UTF-8), or if "
    "all of it is GBK, remove its BOM and say so (encoding: gbk)": (
        "{path}：{lines} 按 UTF-8 读取时出现零散的外文字母（'{odd}'），这是被当作 UTF-8 读取的 GBK 文本"
        "（按 GBK 读作 '{chinese}'）：请将整个文件保存为 UTF-8（在 Excel 中：另存为 CSV UTF-8）；"
        "如果整个文件都是 GBK，请删除其 BOM 并注明（encoding: gbk）"
    ),
    "{path}: band {band} holds complex numbers ({kind}), not counts of people: give the raster of people per "
    "pixel": "{path}：第 {band} 波段存的是复数（{kind}），不是人数：请给出每像元人数的栅格",
}
