"""Chinese for what hostile input round 15 (session 21, hostile22) made the layer checks and the run say:
residents to be estimated from the buildings of an OSM extract that maps none (an extract cut short after
its nodes); a population raster whose columns run east to west; scratch files the OSM pass cannot
write.
Templates merged into :data:`.i18n_checks.ZH_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> from urbanrisk.population_homes import no_buildings_message
>>> check_text("r.yaml:5: layers.osm.path: " + no_buildings_message("population", ["a.osm.pbf"]), "zh")[27:98]
"图层 'population'（population_from_buildings）：a.osm.pbf 中没有任何建筑物，居民数将处处为 0"
"""

from __future__ import annotations

ZH_HOSTILE15_CHECKS: dict[str, str] = {
    "layer '{layer}' (population_from_buildings): {files} maps no building, so residents would be 0 "
    "everywhere (unknown, not none): is the extract cut short? download or export it again; if its "
    "buildings are not mapped, give the population as a raster (type: raster, e.g. WorldPop)": (
        "图层 '{layer}'（population_from_buildings）：{files} 中没有任何建筑物，居民数将处处为 0"
        "（实为未知，而非没有）：数据是否被截断？请重新下载或导出；如果当地建筑物未被绘制，"
        "请以栅格提供人口（type: raster，例如 WorldPop）"
    ),
    "{path} has its columns running east to west (a negative pixel width); urbanrisk needs west to east: "
    "warp it yourself with gdalwarp -t_srs EPSG:4326 -r sum": (
        "{path} 的列自东向西排列（像元宽度为负）；urbanrisk 需要自西向东：请自行用 gdalwarp -t_srs EPSG:4326 "
        "-r sum 重投影"
    ),
    "{path}: cannot write the scratch files of its reading in {folder} ({error}): a full disk or a file-size "
    "limit (ulimit -f)? free some space there, or point TMPDIR at a disk with more room": (
        "{path}：读取时无法在 {folder} 中写入临时文件（{error}）：磁盘已满或有文件大小限制（ulimit -f）？"
        "请在该处腾出空间，或把 TMPDIR 指向空间更大的磁盘"
    ),
}
