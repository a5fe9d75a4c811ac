"""The Chinese of the checks on an office's files as surveyed and exported: a registry in projected
metres read the wrong way round (:mod:`urbanrisk.layers.projected_axes`: X north and Y east, a zone
number in the eastings), a unit file holding several levels (:mod:`urbanrisk.layers.unit_levels`), a
workbook holding data on several sheets (:mod:`urbanrisk.layers.sheets`); merged into the checks'
catalogue (:mod:`.i18n_checks`). Light: validate reads it."""

from __future__ import annotations

ZH_OFFICE_CHECKS: dict[str, str] = {
    "keep_columns lists the office's own columns (e.g. [值班电话, 负责人]); {clash} cannot be kept under its "
    "name (urbanrisk's own: {own}): rename that column in the file, or remove it from keep_columns": (
        "keep_columns 列出台账自有的列（如 [值班电话, 负责人]）；{clash} 与 urbanrisk 自身的列同名（{own}），"
        "不能以原名保留：请在文件中将该列改名，或将其从 keep_columns 中删除"
    ),
    "keep_columns {columns} lists a column twice: list each once": (
        "keep_columns {columns} 中有重复的列：每列只列一次"
    ),
    "{file}: '{lon}' holds northings and '{lat}' eastings ({value} in {where}; Chinese surveying calls the "
    "north axis X and the east axis Y): set lon: {east} and lat: {north}": (
        "{file}：'{lon}' 列是北坐标、'{lat}' 列是东坐标（{where}的 {value}；"
        "测量坐标系中 X 为北向、Y 为东向）：请设置 lon: {east}、lat: {north}"
    ),
    "{file}: eastings such as {value} ({where}) begin with the zone number {zone}, which {crs} does not "
    "take: {fix}, or remove that number in front": (
        "{file}：东坐标（如{where}的 {value}）前带有带号 {zone}，而 {crs} 的东坐标不含带号："
        "{fix}，或删去东坐标前的带号"
    ),
    "set crs: EPSG:{code} (the same zones, eastings with the zone number)": (
        "请设置 crs: EPSG:{code}（同一分带、东坐标含带号）"
    ),
    "set `crs:` to the same datum's CRS whose eastings carry the zone number": (
        "请把 `crs:` 设为同一基准下东坐标含带号的坐标系"
    ),
    "{file}: eastings such as {value} ({where}) have no zone number in front, which {crs} expects: set "
    "crs: EPSG:{code} (the same zone, eastings without it)": (
        "{file}：东坐标（如{where}的 {value}）前没有带号，而 {crs} 要求带号：请设置 crs: EPSG:{code}"
        "（同一分带、东坐标不含带号）"
    ),
    "{file} holds units of several levels (column '{column}': {counts}) and layer '{layer}' reads them "
    "all, each cell going to whichever unit it falls in: say which units the layer takes (level_column: "
    "{column2}, level_value: {value}), or give each level its own file (e.g. ogr2ogr -where "
    "\"{column3}='{value2}'\" {example} {file2}), or a GeoPackage layer per level read with `file_layer:`": (
        "{file} 含多个层级的单元（'{column}' 列：{counts}），图层 '{layer}' 会全部读入，"
        "网格单元将落入任意一级单元：请指明本图层取哪一级（level_column: {column2}, level_value: {value}），"
        "或每级单元各用一个文件（如 ogr2ogr -where \"{column3}='{value2}'\" {example} {file2}），"
        "或用 GeoPackage 每级一个图层并以 `file_layer:` 指定"
    ),
    "column '{column}' of {file} holds no {missing} (it holds: {held}): set level_value: to one of them": (
        "{file} 的 '{column}' 列中没有 {missing}（该列的值：{held}）：请把 level_value: 设为其中之一"
    ),
    "level_column '{column}' needs level_value: the value of '{column2}' this layer takes (e.g. "
    "level_value: 街道, or a list: [街道, 镇])": (
        "level_column '{column}' 需配合 level_value：本图层所取的 '{column2}' 列的值"
        "（如 level_value: 街道，或列表 [街道, 镇]）"
    ),
    "level_value {value} needs level_column: the file's column that tells a unit's level (e.g. "
    "level_column: 层级)": (
        "level_value {value} 需配合 level_column：文件中表示单元层级的列（如 level_column: 层级）"
    ),
    "level_value {value} names units of several levels ({levels}): a layer takes one level; give each "
    "level its own polygons layer on the same file": (
        "level_value {value} 含多个层级的单元（{levels}）：一个图层只取一级；"
        "请为每一级各设一个读取同一文件的 polygons 图层"
    ),
    "level_column and level_value name a column and its values: remove the empty one": (
        "level_column 与 level_value 应为列名及其取值：请删除空值"
    ),
    "level_value {value} names {named} units but level is {level}: set level: {named2}, or the "
    "level_value of {level2} units": (
        "level_value {value} 指 {named} 级单元，而 level 为 {level}：请设置 level: {named2}，"
        "或改用 {level2} 级单元的 level_value"
    ),
    "{path}: '{label}' in {where} is a code Excel wrote in scientific notation, its last digits lost: format "
    "the column '{column}' as text in Excel and enter the codes again (or join by name)": (
        "{path}：{where}的 '{label}' 是 Excel 以科学计数法写出的代码，末尾数字已丢失：请在 Excel 中把 "
        "'{column}' 列设为文本格式并重新输入代码（或改按名称关联 join: name）"
    ),
    # a workbook with data on several visible sheets (office15, layers/sheets.py)
    "{path} holds data rows on several sheets under headers alike ({sheets}); without `sheet:` only "
    "'{first}' would be read: set `sheet:` to the sheet this layer reads (e.g. sheet: {first}), give each "
    "other sheet a layer of its own (sheet: {other}), or delete the sheets that hold no registry": (
        "{path} 的多个工作表都有数据行，表头相同或相近（{sheets}）；未设 `sheet:` 时只会读取 '{first}'："
        "请用 `sheet:` 指明本图层读取的工作表（如 sheet: {first}），"
        "其余工作表各设一个图层（sheet: {other}），或删除不是台账的工作表"
    ),
}
