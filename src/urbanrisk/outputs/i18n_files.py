"""More of the checks' catalogue (:mod:`.i18n_checks`, which merges it): what is said of the layers'
files, the tables and the area file, a run folder, the run lock and a full disk (English templates ->
Chinese, as there).
"""

from __future__ import annotations

ZH_FILES: dict[str, str] = {
    # a run folder, the run lock, the disk
    "--out takes one recipe; a batch writes each recipe to its own outputs.dir": (
        "--out 只用于单个配方；批量运行时每个配方写入各自的 outputs.dir"
    ),
    "{folder} is not a complete run folder (no manifest.json)": (
        "{folder} 不是完整的运行目录（没有 manifest.json）"
    ),
    "another run of this recipe is already running (pid {pid}, lock {path}); wait for it to finish": (
        "本配方的另一次运行正在进行（进程 {pid}，锁文件 {path}）；请等其结束后再运行"
    ),
    "no space left on the disk of {folder} ({size} MB free) ({problem}): free some space, or write "
    "elsewhere with --out / outputs.dir": (
        "{folder} 所在磁盘空间不足（剩余 {size} MB）（{problem}）：请释放空间，或用 --out / outputs.dir 写"
        "到别处"
    ),
    "no space left ({problem}): free some space, or write elsewhere with --out / outputs.dir": (
        "磁盘空间不足（{problem}）：请释放空间，或用 --out / outputs.dir 写到别处"
    ),
    # the layers' files, the tables and the area file
    "{path} is not a file (a folder?): give an .osm or .osm.pbf extract": (
        "{path} 不是文件（是文件夹？）：请给出 .osm 或 .osm.pbf 提取文件"
    ),
    "{path} is not an OSM extract: give an .osm, .osm.bz2 or .osm.pbf file": (
        "{path} 不是 OSM 提取文件：请给出 .osm、.osm.bz2 或 .osm.pbf 文件"
    ),
    "cannot read {path} as an OSM extract ({problem}); is it complete (not an HTML error page, not cut "
    "short)? re-export or re-download the extract": (
        "无法将 {path} 读作 OSM 提取文件（{problem}）；文件是否完整（不是 HTML 错误页，也未被截断）？"
        "请重新导出或重新下载"
    ),
    "unknown URL scheme '{scheme}://' in {path}: use a local path or file, https, s3, gcs, memory, ...": (
        "{path} 中的 URL 协议 '{scheme}://' 无法识别：请使用本地路径，或 file、https、s3、gcs、memory 等协议"
    ),
    "{file} has no column '{column}' (its columns: {columns}); {fix}": (
        "{file} 中没有列 '{column}'（现有列：{columns}）；{fix}"
    ),
    "set `lon:` to the column holding the longitude": "请将 `lon:` 设为经度所在的列",
    "set `lat:` to the column holding the latitude": "请将 `lat:` 设为纬度所在的列",
    "set `kind_column:` to the column of kinds, or give every row one kind with `kind:`": (
        "请将 `kind_column:` 设为类别所在的列，或用 `kind:` 为所有行指定同一类别"
    ),
    "set `severity: {{column: ...}}` to the right column": "请在 `severity: {{column: ...}}` 中填写正确的列",
    "set `{name}:` to one of them": "请将 `{name}:` 设为其中之一",
    "keep_columns lists only columns the file has": "keep_columns 只能列出文件中已有的列",
    "{file}: unknown hazard kind(s) {listed}; known kinds: {known}. Write one of them or its label, map "
    "your word to one in your copy of kind_aliases.csv (a row alias,kind), or add a kind of your own to "
    "your copy of hazard_kinds.csv (a row kind,label_en,label_zh,impact_radius_m,default_severity: the "
    "radius in metres within which people count as exposed and a severity from 1 to 4, 4 the most severe, "
    "e.g. pipeline,gas pipeline,燃气管道,200,3); name the copy under tables:": (
        "{file}：未知的危险源类别 {listed}；已知类别：{known}。请填写其中之一或其名称，或在您自己的 "
        "kind_aliases.csv 中把该写法对应到已知类别（一行 alias,kind），或在您自己的 hazard_kinds.csv 中加入"
        "新类别（一行 kind,label_en,label_zh,impact_radius_m,default_severity："
        "影响半径（米，其内人员计为暴露）与严重度 1-4（4 最严重），"
        "如 pipeline,gas pipeline,燃气管道,200,3）；并在 tables: 下指定该副本"
    ),
    "{file}: unknown resource kind(s) {listed}; known kinds: {known}. Write one of them or its label, map "
    "your word to one in your copy of kind_aliases.csv (a row alias,kind), or add a kind of your own to "
    "your copy of resource_kinds.csv; name the copy under tables:": (
        "{file}：未知的应急资源类别 {listed}；已知类别：{known}。请填写其中之一或其名称，或在您自己的 "
        "kind_aliases.csv 中把该写法对应到已知类别（一行 alias,kind），或在您自己的 resource_kinds.csv 中"
        "加入新类别；并在 tables: 下指定该副本"
    ),
    "unknown hazard kind '{kind}': use a known kind or label": (
        "未知的危险源类别 '{kind}'：请使用已知的类别或名称"
    ),
    "unknown resource kind '{kind}': use a known kind or label": (
        "未知的应急资源类别 '{kind}'：请使用已知的类别或名称"
    ),
    "{file}, column '{column}': {listed}": "{file} 的 '{column}' 列：{listed}",
    "{value} is a Chinese grade (一级 the most severe) but the recipe declares order: 4_is_most_severe; "
    "declare order: 1_is_most_severe": (
        "{value} 是中文分级（一级最严重），但配方声明的是 order: 4_is_most_severe；请改为 order: 1_is_most_"
        "severe"
    ),
    "the severity is empty; fill it in (1-4 or 一级…四级)": "严重度为空；请填写（1-4 或 一级…四级）",
    "{value} is not a grade: use a whole number 1-4, a label 一级…四级 or a grading word "
    "重大 / 较大 / 一般 / 低 (风险) for 一级…四级": (
        "{value} 不是等级：请使用 1-4 的整数、一级…四级，或分级用语 重大 / 较大 / 一般 / 低（风险），"
        "即一级…四级"
    ),
    "{value} is not a grade: did you mean {word} ({label})? Or use a whole number 1-4, "
    "a label 一级…四级 or a grading word 重大 / 较大 / 一般 / 低 (风险) for 一级…四级": (
        "{value} 不是等级：是否应为 {word}（{label}）？也可使用 1-4 的整数、一级…四级，或分级用语 "
        "重大 / 较大 / 一般 / 低（风险），即一级…四级"
    ),
    "{file}: non-numeric or empty '{lon}' / '{lat}' in {where}: fix or remove those rows": (
        "{file}：{where}的 '{lon}' / '{lat}' 不是数字或为空：请改正或删除这些行"
    ),
    "{file}: '{lat}' {value} in {where} is outside [-90, 90] while every '{lon}' would be a valid latitude: "
    "the lon and lat columns look swapped; swap `lon:` and `lat:` in the recipe": (
        "{file}：{where}的 '{lat}' 值 {value} 超出 [-90, 90]，而所有 '{lon}' 都可作纬度：经纬度两列似乎写"
        "反了；"
        "请在配方中对调 `lon:` 与 `lat:`"
    ),
    "{file}: {value} in {where} is no latitude: these look like projected coordinates; export the registry "
    "in lon/lat (WGS84) or give `crs:`": (
        "{file}：{where}的 {value} 不是纬度：这些看来是投影坐标；请以经纬度（WGS84）导出台账，或给出 `crs:`"
    ),
    "{file}: {value} in {where} is no longitude: these look like projected coordinates; export the registry "
    "in lon/lat (WGS84) or give `crs:`": (
        "{file}：{where}的 {value} 不是经度：这些看来是投影坐标；请以经纬度（WGS84）导出台账，或给出 `crs:`"
    ),
    "{file} has a severity column '{column}' but the recipe does not say which end of its scale is the most "
    "severe: add severity: {{column: {column}, order: ...}}, with {hint}": (
        "{file} 有严重度列 '{column}'，但配方未说明其等级哪一端最严重：请添加 severity: {{column: {column}, "
        "order: ...}}，其中 {hint}"
    ),
    "complete_for names {names}, not resource kinds: use {kinds} or their labels (消防站, 医院...), or add "
    "the kind to your copy of resource_kinds.csv (tables:)": (
        "complete_for 中的 {names} 不是应急资源类别：请使用 {kinds} 或其中文名称（消防站、医院……），"
        "或将该类别加入您自己的 resource_kinds.csv（tables:）"
    ),
    "{file} declares no coordinate reference system (no .prj): say which with `crs:` (e.g. EPSG:4490 for "
    "CGCS2000 lon/lat, EPSG:4547 for CGCS2000 Gauss-Kruger CM 114E)": (
        "{file} 未声明坐标参照系（缺少 .prj）：请用 `crs:` 指定（如 CGCS2000 经纬度为 EPSG:4490，"
        "CGCS2000 高斯-克吕格 114°E 中央经线为 EPSG:4547）"
    ),
    "{path}: one grid partition (H3 resolution {parent}) covers about {pixels} of its pixels, more than "
    "{most}: use a coarser raster (gdalwarp -tr ... -r sum) or a finer grid.partition_resolution": (
        "{path}：一个网格分区（H3 分辨率 {parent}）约覆盖其 {pixels} 个像元，超过 {most}：请使用更粗的栅格"
        "（gdalwarp -tr ... -r sum）或更细的 grid.partition_resolution"
    ),
    "{path}: one partition of the grid covers {width} x {height} pixels, more than {most}: use a coarser "
    "raster (gdalwarp -tr ... -r sum) or a finer grid.partition_resolution": (
        "{path}：一个网格分区覆盖 {width} × {height} 个像元，超过 {most}：请使用更粗的栅格"
        "（gdalwarp -tr ... -r sum）或更细的 grid.partition_resolution"
    ),
    "area: {path} holds about {parts} polygons, more than {most}: dissolve or simplify it (e.g. ogr2ogr "
    "-simplify 0.0001), or use its bounding box as area: {{bbox: [...]}}": (
        "area：{path} 约含 {parts} 个多边形，超过 {most}：请融合或简化（如 ogr2ogr -simplify 0.0001），"
        "或改用其外包框 area: {{bbox: [...]}}"
    ),
    "{what}: {path} is not a regular file (a folder or a device?): give the path of a file": (
        "{what}：{path} 不是普通文件（是文件夹或设备？）：请给出文件路径"
    ),
    "{what}: {path} holds {size} MB, more than the {most} MB a table or area file may hold: is it the right "
    "file? simplify or split it": (
        "{what}：{path} 有 {size} MB，超过表格或范围文件上限 {most} MB：文件是否选错？请简化或拆分"
    ),
    "cannot read table {path}: {problem}": "无法读取表格 {path}：{problem}",
    "table {path} lacks columns {columns}: copy the header of {model}": (
        "表格 {path} 缺少列 {columns}：请照抄 {model} 的表头"
    ),
    "unknown standards preset {preset}: use one of {presets}": (
        "未知的标准预设 {preset}：请使用以下之一：{presets}"
    ),
    "standard {name}: unit must be min, s or m (got {unit})": (
        "标准 {name}：单位须为 min、s 或 m（现为 {unit}）"
    ),
    "names unknown standards {names}: preset {preset} has {have}": (
        "指定了未知的标准 {names}：预设 {preset} 只有 {have}"
    ),
    "coverage.overrides names unknown standards {names}: preset {preset} has {have}": (
        "coverage.overrides 指定了未知的标准 {names}：预设 {preset} 只有 {have}"
    ),
    "{gb} GB available": "可用 {gb} GB",
    "unknown memory": "内存未知",
    "resolution {resolution} over {km2} km² makes about {cells} H3 cells and needs about {gb} GB of memory "
    "({kb} kB a cell; this machine has {what}, the cell limit is {limit}): use resolution {coarser} or "
    "coarser here (about {fewer} cells), a smaller area, or force it with --force / grid: {{force: true}}": (
        "{km2} 平方公里按分辨率 {resolution} 约有 {cells} 个 H3 单元，约需 {gb} GB 内存（每单元 {kb} kB；"
        "本机{what}，单元上限 {limit}）：请在此使用分辨率 {coarser} 或更粗（约 {fewer} 个单元）、"
        "缩小研究区，或用 --force / grid: {{force: true}} 强制运行"
    ),
    "{path} has no .dbf beside it; copy the whole Shapefile (.shp, .shx, .dbf, .prj)": (
        "{path} 旁边没有 .dbf：请复制完整的 Shapefile（.shp、.shx、.dbf、.prj）"
    ),
    "cannot read {path} as a dBASE table ({problem}); export the Shapefile again": (
        "无法将 {path} 读作 dBASE 表（{problem}）；请重新导出 Shapefile"
    ),
    "{path} has no .cpg and its text encoding cannot be told; say which it is with `encoding:` in the recipe "
    "(e.g. encoding: gbk)": (
        "{path} 没有 .cpg，无法判断其文本编码；请在配方中用 `encoding:` 指定（如 encoding: gbk）"
    ),
    "cannot read {path} as a GeoPackage ({problem})": "无法将 {path} 读作 GeoPackage（{problem}）",
    "cannot read {path} as GeoJSON ({problem}); GeoJSON is UTF-8 JSON": (
        "无法将 {path} 读作 GeoJSON（{problem}）；GeoJSON 应为 UTF-8 编码的 JSON"
    ),
    "{path} spans {bounds} in {crs}: not lon/lat (metres labelled EPSG:4326?); assign its true CRS with "
    "gdal_edit.py -a_srs EPSG:<code>": (
        "{path} 在 {crs} 下的范围为 {bounds}：不是经纬度（以米为单位却标为 EPSG:4326？）；"
        "请用 gdal_edit.py -a_srs EPSG:<代码> 指定其真实坐标系"
    ),
    "{path} spans longitudes {west} to {east}: not lon/lat (metres labelled EPSG:4326?); assign its true CRS "
    "with gdal_edit.py -a_srs": (
        "{path} 的经度范围为 {west} 至 {east}：不是经纬度（以米为单位却标为 EPSG:4326？）；"
        "请用 gdal_edit.py -a_srs 指定其真实坐标系"
    ),
    "{path} has no coordinate reference system; assign one (gdal_edit.py -a_srs EPSG:4326)": (
        "{path} 没有坐标参照系；请指定（gdal_edit.py -a_srs EPSG:4326）"
    ),
    "{path} has {count} band(s); `band: {band}` does not exist": (
        "{path} 只有 {count} 个波段；`band: {band}` 不存在"
    ),
    "{path} has a rotated grid; urbanrisk needs north-up: warp it yourself with gdalwarp -t_srs EPSG:4326 "
    "-r sum": (
        "{path} 的栅格经过旋转；urbanrisk 需要正北朝上的栅格：请自行用 gdalwarp -t_srs EPSG:4326 -r sum 重"
        "投影"
    ),
    "cannot read {path} as a GeoTIFF ({problem}); is the file complete?": (
        "无法将 {path} 读作 GeoTIFF（{problem}）；文件是否完整？"
    ),
    "{path} has no header row (a row naming two or more columns)": (
        "{path} 没有表头行（列出两个及以上列名的行）"
    ),
    "{path} has no header row (a row naming two or more columns) in sheet '{sheet}'; if the registry is on "
    "another sheet ({others}), set `sheet:`": (
        "{path} 的工作表 '{sheet}' 没有表头行（列出两个及以上列名的行）；若台账在其他工作表（{others}），"
        "请设置 `sheet:`"
    ),
    "{path}: the header names {names} more than once; give each column its own name": (
        "{path}：表头中 {names} 出现不止一次；请为每列取不同的名称"
    ),
    "{path} is not {codec} text (byte {byte} cannot be read); set `encoding:` to the file's encoding (e.g. "
    "gbk, gb18030, utf-8)": (
        "{path} 不是 {codec} 编码的文本（第 {byte} 字节无法读取）；请用 `encoding:` 指定文件的编码"
        "（如 gbk、gb18030、utf-8）"
    ),
    "cannot read {path} as CSV ({problem}); save it as CSV with a header row": (
        "无法将 {path} 读作 CSV（{problem}）；请另存为带表头行的 CSV"
    ),
    "{path} has no sheet {sheet}; its sheets are {names}: set `sheet:` to one": (
        "{path} 中没有工作表 {sheet}；其工作表为 {names}：请将 `sheet:` 设为其中之一"
    ),
    "{path} is empty (0 bytes): export the registry again": "{path} 是空文件（0 字节）：请重新导出台账",
    "{path} is {what}, not an Excel workbook: open it in Excel and save it as .xlsx (Excel Workbook), or as "
    "CSV": "{path} 是{what}，不是 Excel 工作簿：请在 Excel 中打开并另存为 .xlsx（Excel 工作簿）或 CSV",
    'an HTML page (as web systems\' "Excel" exports often are)': "HTML 网页（网页系统导出的“Excel”常是如此）",
    "{path} is not an Excel workbook (it does not begin like an .xls or .xlsx file; text saved with an Excel "
    "name?): if it is CSV or tab-separated text, rename it .csv / .tsv; else open it in Excel and save it as "
    ".xlsx": (
        "{path} 不是 Excel 工作簿（文件开头不像 .xls 或 .xlsx；是以 Excel 文件名保存的文本？）："
        "若是 CSV 或制表符分隔的文本，请改名为 .csv / .tsv；否则请在 Excel 中打开并另存为 .xlsx"
    ),
    "cannot read {path} as an Excel workbook ({problem}); save it as .xlsx or CSV": (
        "无法将 {path} 读作 Excel 工作簿（{problem}）；请另存为 .xlsx 或 CSV"
    ),
    "unknown encoding {name} in `encoding:`; use e.g. utf-8, gbk or gb18030": (
        "`encoding:` 中的编码 {name} 无法识别；请使用 utf-8、gbk 或 gb18030 等"
    ),
    "cannot tell the text encoding of {path}; say which it is with `encoding:` in the recipe (e.g. "
    "encoding: gbk), or save the file as UTF-8": (
        "无法判断 {path} 的文本编码；请在配方中用 `encoding:` 指定（如 encoding: gbk），或将文件另存为 UTF-8"
    ),
    # session 8: an area away from the data, one id for two units, several layers in a file, absurd numbers
    "the study area {area} lies wholly outside every OSM extract of the recipe: {covers}; nothing there "
    "could be measured: fix `area:`, or give the OSM extract "
    "that covers the area": (
        "研究区 {area} 完全位于配方中所有 OSM 提取文件之外（{covers}）：该处无法测量任何内容；"
        "请改正 `area:`，或给出覆盖研究区的 OSM 提取文件"
    ),
    "the study area {area} lies wholly outside every OSM extract of the recipe: {covers}; nothing there "
    "could be measured: fix `area:` (lon and lat look swapped), or give the OSM extract "
    "that covers the area": (
        "研究区 {area} 完全位于配方中所有 OSM 提取文件之外（{covers}）：该处无法测量任何内容；"
        "请改正 `area:`（经度与纬度似乎写反了），或给出覆盖研究区的 OSM 提取文件"
    ),
    "the study area {area} lies wholly outside every raster of the recipe: {covers}; nothing there "
    "could be measured: fix `area:`, or give the raster "
    "that covers the area": (
        "研究区 {area} 完全位于配方中所有栅格之外（{covers}）：该处无法测量任何内容；"
        "请改正 `area:`，或给出覆盖研究区的栅格"
    ),
    "the study area {area} lies wholly outside every raster of the recipe: {covers}; nothing there "
    "could be measured: fix `area:` (lon and lat look swapped), or give the raster "
    "that covers the area": (
        "研究区 {area} 完全位于配方中所有栅格之外（{covers}）：该处无法测量任何内容；"
        "请改正 `area:`（经度与纬度似乎写反了），或给出覆盖研究区的栅格"
    ),
    "{path}: id '{ident}' names several units ({names}) at level {level}: give each unit its own id "
    "(id_column: {column}), or the same name where the features are parts of one unit": (
        "{path}：编号 '{ident}' 对应 {level} 级的多个单元（{names}）：请为每个单元给出各自的编号"
        "（id_column: {column}），若这些要素同属一个单元则请用相同名称"
    ),
    "{path} holds {count} layers ({names}): say which with `file_layer:` in the recipe": (
        "{path} 含有 {count} 个图层（{names}）：请在配方中用 `file_layer:` 指定其一"
    ),
    "{path} has no layer '{name}' (its layers: {names}): fix `file_layer:`": (
        "{path} 中没有图层 '{name}'（现有图层：{names}）：请改正 `file_layer:`"
    ),
    "'{value}' in row '{label}' is not a {what}: fix it": (
        "行 '{label}' 的值 '{value}' 不在允许范围内（{what}）：请改正"
    ),
    "{path}: every pixel of band {band} is nodata{nodata}: no population could be read from it (the wrong "
    "band or file, an export that failed?); give the raster that holds the values": (
        "{path}：第 {band} 波段所有像元均为无数据值{nodata}：无法从中读取人口"
        "（波段或文件有误，或导出失败？）；请给出含有数值的栅格"
    ),
    "{file}: {count} of {total} rows lie at one place ({place}): a geocoder's fallback (unresolved addresses "
    "put at the city centre)? give each row its own location, or one row per site": (
        "{file}：{total} 行中有 {count} 行位于同一地点（{place}）：是否为地理编码失败时的默认位置"
        "（无法解析的地址被置于市中心）？请为每行给出各自的位置，或每个场所只列一行"
    ),
    "{source}: the recipe nests too deeply to read: write the values out (no deep nesting)": (
        "{source}：配方嵌套过深，无法读取：请直接写出各值（不要深层嵌套）"
    ),
    # session 9: capacities (万), a header over two rows
    "capacity {values} is not a number from 0 to {top}: write the resource's capacity (beds, places...) or "
    "leave it empty": (
        "容量 {values} 不是 0 到 {top} 之间的数字：请填写该资源的容量（床位、容纳人数等），或留空"
    ),
    "capacity {values} is not a number from 0 to {top}: write the resource's capacity (beds, engines, "
    "places...) or leave the cell empty": (
        "容量 {values} 不是 0 到 {top} 之间的数字：请填写该资源的容量（床位、车辆、容纳人数等），或将该格留空"
    ),
    "{file}: '{value}' in {where} holds both coordinates in one cell: put the longitude in '{lon}' and the "
    "latitude in '{lat}' (split the cell at the comma)": (
        "{file}：{where}的 '{value}' 把经纬度写在了一格里：请把经度填入 '{lon}' 列、纬度填入 '{lat}' 列"
        "（在逗号处拆开）"
    ),
    "{path}: feature(s) {features} have no geometry: give their location or remove them": (
        "{path}：第 {features} 个要素没有几何（位置）：请给出其位置，或删除这些要素"
    ),
    "{file}: '{value}' in {where} is a date, not a coordinate (Excel formats the cell as a date): format the "
    "columns '{lon}' and '{lat}' as numbers and type the coordinates again": (
        "{file}：{where}的 '{value}' 是日期而不是坐标（Excel 把该格设成了日期格式）："
        "请把 '{lon}'、'{lat}' 两列设为数值格式，并重新输入坐标"
    ),
    "capacity {values} carries a unit word (人, 床...): write the number alone ({fixes})": (
        "容量 {values} 带有单位（人、床等）：请只填写数字（{fixes}）"
    ),
    "its name counts in 万 (10,000s) but '{value}' is a plain number, read as that many people: write each "
    "capacity in people (0.3 万人 -> 3000) and rename the column, or write the unit in each cell (0.3万)": (
        "列名以“万”计，但 '{value}' 是不带单位的数字，会被读作这么多人：请把每个容量写成人数"
        "（0.3 万人 -> 3000）并改列名，或在每格写明单位（0.3万）"
    ),
    "{path}: its header spans two rows ({header} over {below}: merged cells?); make the header one row that "
    "names every column (unmerge the cells, e.g. {example} in the first row)": (
        "{path}：表头占了两行（{header} 之下为 {below}：合并单元格？）；请把表头改为一行并写出每一列的列名"
        "（取消合并，如把 {example} 写在第一行）"
    ),
    "{path}: its header spans two rows ({header} over {below}: merged cells?) in sheet '{sheet}'; if the "
    "registry is on another sheet ({others}), set `sheet:`; make the header one row that names every column "
    "(unmerge the cells, e.g. {example} in the first row)": (
        "{path}：工作表 '{sheet}' 的表头占了两行（{header} 之下为 {below}：合并单元格？）；"
        "若台账在其他工作表（{others}），请设置 `sheet:`；请把表头改为一行并写出每一列的列名"
        "（取消合并，如把 {example} 写在第一行）"
    ),
    "area: {path} holds {count} vertices, more than {most}: simplify it (e.g. ogr2ogr -simplify 0.0001), or "
    "use its bounding box as area: {{bbox: [...]}}": (
        "研究区：{path} 含 {count} 个顶点，超过 {most}：请简化（如 ogr2ogr -simplify 0.0001），"
        "或改用其外包框 area: {{bbox: [...]}}"
    ),
    "{path} has vertices that are not pairs of numbers: fix them": "{path} 中有顶点不是成对的数字：请改正",
    "{path} has vertices that are not finite numbers (NaN, inf): fix them": (
        "{path} 中有顶点不是有限数字（NaN、inf）：请改正"
    ),
    "{path} has latitudes beyond ±90°: are lon and lat swapped? GeoJSON is [lon, lat]": (
        "{path} 中有纬度超出 ±90°：经纬度是否写反了？GeoJSON 的顺序是 [经度, 纬度]"
    ),
    "{path} has coordinates beyond lon/lat (projected metres?) and declares no CRS: a GeoJSON is lon/lat "
    "(EPSG:4326); reproject it (ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)": (
        "{path} 的坐标超出经纬度范围（投影坐标，单位为米？）且未声明坐标系：GeoJSON 应为经纬度（EPSG:4326）；"
        "请重新投影（ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson）"
    ),
    "{path}: unit(s) {ids} have vertices that are not finite numbers (NaN, inf): fix or remove them": (
        "{path}：单元 {ids} 中有顶点不是有限数字（NaN、inf）：请改正或删除"
    ),
    "{path} is a symbolic link in a loop (it leads back to itself): fix the link": (
        "{path} 是循环的符号链接（最终指回自身）：请修正该链接"
    ),
    "{path} unpacks to {size} MB, {ratio} times its size (at most {most} MB: a damaged workbook or a zip "
    "bomb?): save the registry as CSV, or export it again": (
        "{path} 解压后有 {size} MB，是文件本身的 {ratio} 倍（上限 {most} MB：工作簿损坏或是压缩炸弹？）："
        "请将台账另存为 CSV，或重新导出"
    ),
    "{path} is a file, not a folder: outputs.dir is the folder the runs are written to; give a folder's "
    "path (it is made if missing)": (
        "{path} 是文件而不是文件夹：outputs.dir 是写入运行结果的文件夹；"
        "请给出文件夹路径（不存在时会自动创建）"
    ),
    "{path}: cell {cell} of sheet '{sheet}' holds a formula ({formula}) without a saved value (written by a "
    "program, not saved by Excel): open the file in Excel and save it, or write the values": (
        "{path}：工作表 '{sheet}' 的单元格 {cell} 是公式（{formula}），但没有保存计算结果（文件由程序生成，"
        "未经 Excel 保存）：请用 Excel 打开并保存，或直接填写数值"
    ),
    "{path} holds {size} MB, more than the {most} MB a CSV registry may hold (it is read whole): is it the "
    "right file? keep one row per site, or give it as a GeoPackage": (
        "{path} 有 {size} MB，超过 CSV 台账上限 {most} MB（需整体读入）：文件是否选错？"
        "请每个场所只保留一行，或改用 GeoPackage"
    ),
    "unknown coordinate reference system '{crs}': give an EPSG code such as EPSG:4490 (CGCS2000 lon/lat) "
    "or EPSG:4547 (CGCS2000 Gauss-Kruger CM 114E), or the file's .prj text": (
        "无法识别的坐标系 '{crs}'：请给出 EPSG 代码，如 EPSG:4490（CGCS2000 经纬度）"
        "或 EPSG:4547（CGCS2000 高斯-克吕格 中央经线 114°E），或文件 .prj 中的文本"
    ),
}
