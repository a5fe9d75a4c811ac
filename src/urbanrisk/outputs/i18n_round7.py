"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what a recipe check says of hostile
input found in round 7 (an input path holding a line break, a boundary's vertices that are not lon/lat,
a ``compute.store`` inside ``--out``).
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
}
