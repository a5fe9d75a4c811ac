"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what a recipe check says of hostile
input found in round 9 (an OSM extract the run cannot read, told by ``validate`` too; a Shapefile without
its .shx, community units of points, a registry's ids missing or beyond 2^53).
Templates merged into :data:`urbanrisk.outputs.i18n_checks.ZH_CHECKS`; light (validate reads them).

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:5: a.osm: cannot read this OSM file (illegal id: '9'); "
...            "is it complete? re-export or re-download the extract", "zh")
"r.yaml:5: a.osm：无法读取此 OSM 文件（illegal id: '9'）；文件是否完整？请重新导出或重新下载该数据"
"""

from __future__ import annotations

ZH_ROUND9_CHECKS: dict[str, str] = {
    "{path}: cannot read this OSM file (invalid location): nodes off the globe (latitude beyond ±90°, "
    "longitude beyond ±180°): {nodes}: fix or delete them, or re-export the extract": (
        "{path}：无法读取此 OSM 文件（无效位置）：有节点位于地球之外（纬度超出 ±90° 或经度超出 ±180°）："
        "{nodes}：请改正或删除这些节点，或重新导出该数据"
    ),
    "{path}: {unplaced} of {streets} street ways come before all their nodes: the file is not sorted (nodes, "
    "then ways, then relations), and the run would read none of those ways, nor any building or area drawn "
    "so: sort it (osmium sort {name} -o sorted.osm.pbf)": (
        "{path}：{streets} 条街道路径中有 {unplaced} 条出现在其全部节点之前：文件未排序（应先节点、再路径、"
        "后关系），运行时将读不到这些路径，也读不到以同样方式绘制的建筑和区域：请先排序"
        "（osmium sort {name} -o sorted.osm.pbf）"
    ),
    "{path}: cannot read this OSM file ({error}); is it complete? re-export or re-download the extract": (
        "{path}：无法读取此 OSM 文件（{error}）；文件是否完整？请重新导出或重新下载该数据"
    ),
    # an extract holding objects twice or unsorted (joined with osmium cat; session 21)
    "{path}: it holds objects twice (the same type and id: {ids}; {n} tagged in all): the run would read "
    "each copy (a place or a building twice); {fix}": (
        "{path}：其中有重复的对象（类型和 id 相同：{ids}；带标签的共 {n} 个）：运行时每一份都会被读入"
        "（同一地点或建筑物算两次）；{fix}"
    ),
    "{path}: cannot read this OSM file ({error}): it holds objects twice (the same type and id: {ids}; {n} "
    "tagged in all); {fix}": (
        "{path}：无法读取此 OSM 文件（{error}）：其中有重复的对象（类型和 id 相同：{ids}；"
        "带标签的共 {n} 个）；{fix}"
    ),
    "{path}: cannot read this OSM file ({error}): it holds objects twice; {fix}": (
        "{path}：无法读取此 OSM 文件（{error}）：其中有重复的对象；{fix}"
    ),
    "extracts joined with osmium cat, or a history file? join extracts with osmium merge {name} b.osm.pbf "
    "-o merged.osm.pbf, or keep one copy of each object (osmium sort {name} -o sorted.osm.pbf && osmium "
    "time-filter sorted.osm.pbf -o once.osm.pbf)": (
        "是用 osmium cat 拼接的多个摘录，还是历史文件？请用 osmium merge {name} b.osm.pbf -o merged.osm.pbf "
        "合并摘录，或让每个对象只保留一份（osmium sort {name} -o sorted.osm.pbf && osmium time-filter "
        "sorted.osm.pbf -o once.osm.pbf）"
    ),
    "{path}: cannot read this OSM file ({error}): its objects are not sorted by type and id (extracts joined "
    "with osmium cat?): sort it (osmium sort {name} -o sorted.osm.pbf); to join extracts use osmium merge, "
    "which also keeps each object once": (
        "{path}：无法读取此 OSM 文件（{error}）：其中对象未按类型和 id 排序（用 osmium cat 拼接的摘录？）："
        "请先排序（osmium sort {name} -o sorted.osm.pbf）；拼接摘录请用 osmium merge，"
        "它也会让每个对象只保留一份"
    ),
    "{path} has no .shx beside it; copy the whole Shapefile (.shp, .shx, .dbf, .prj)": (
        "{path} 旁边没有 .shx：请复制完整的 Shapefile（.shp、.shx、.dbf、.prj）"
    ),
    "{path} holds no polygons (only {kind}): give the units' boundaries as polygons": (
        "{path} 中没有多边形（只有 {kind}）：请以多边形给出各单元的边界"
    ),
    "{path} holds no polygons: give the units' boundaries as polygons": (
        "{path} 中没有多边形：请以多边形给出各单元的边界"
    ),
    "{file}: ids of column '{column}' were read as numbers beyond 2^53 (e.g. {value}), which are not the ids "
    "written: write them as text (in quotes in a GeoJSON, a text field in a GeoPackage)": (
        "{file}：'{column}' 列的编号被读作超过 2^53 的数字（例如 {value}），已不是原来写下的编号："
        "请把编号写成文本（GeoJSON 中加引号，GeoPackage 中用文本字段）"
    ),
    "{file}: {where} {listed} have no id (column '{column}'): give every row its id, or remove the column "
    "(ids are then made up from the rows' order)": (
        "{file}：{where} {listed} 没有编号（'{column}' 列）：请为每一行填写编号，"
        "或删去该列（届时按行的顺序编号）"
    ),
    "{file}: {listed}: no id (column '{column}'): give every row its id, or remove the column (ids are then "
    "made up from the rows' order)": (
        "{file}：{listed}：没有编号（'{column}' 列）：请为每一行填写编号，或删去该列（届时按行的顺序编号）"
    ),
    "the path {value} holds {word}, which only a shell expands (urbanrisk reads it as a folder of that name, "
    "made in the recipe's folder): write the path out in full": (
        "路径 {value} 含有 {word}，只有命令行（shell）才会展开它（urbanrisk 会把它当作同名文件夹，"
        "建在配方所在的文件夹中）：请写出完整路径"
    ),
    "{folder} is the root of the file system: outputs.dir is the folder the runs are written to (runs/, "
    "latest and .lock are made in it); give a folder of its own, e.g. /srv/urbanrisk/<name>": (
        "{folder} 是文件系统的根目录：outputs.dir 是写入运行结果的文件夹"
        "（runs/、latest 和 .lock 都建在其中）；请给出一个专用的文件夹，如 /srv/urbanrisk/<name>"
    ),
    "outputs.publish {publish} lies in outputs.dir {out} (a run's folder, or latest which leads to one): "
    "each run would be copied among the runs, or into the one just completed; give a folder outside "
    "outputs.dir": (
        "outputs.publish {publish} 位于 outputs.dir {out} 之内（某次运行的文件夹，或指向它的 latest）："
        "每次运行都会被复制到各次运行之间，或复制进刚完成的那次运行；请给出 outputs.dir 之外的文件夹"
    ),
}
