"""Chinese for what hostile input round 12 (session 18, office18) made the recipe checks say: a recipe
PyYAML cannot parse for a tab, a control character or a tag (:mod:`urbanrisk.recipe.yaml_problem`).
Templates merged into :data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:2: not valid YAML: found character '\\\\t' that cannot start any token — YAML "
...            "indents and separates with spaces only: replace the tab with spaces", "zh")[-29:]
'YAML 只用空格缩进和分隔：请把制表符（Tab）换成空格'
"""

from __future__ import annotations

ZH_ROUND12_CHECKS: dict[str, str] = {
    "not valid YAML: {problem} — YAML indents and separates with spaces only: replace the tab with spaces": (
        "不是有效的 YAML（{problem}）— YAML 只用空格缩进和分隔：请把制表符（Tab）换成空格"
    ),
    "not valid YAML: the character {code} is not allowed in YAML — delete the character (a control "
    "character no editor shows: saved by another program?)": (
        "不是有效的 YAML（不允许出现字符 {code}）— "
        "请删除该字符（编辑器中看不见的控制字符：是否由其他程序保存？）"
    ),
    "not valid YAML: {problem} — remove the tag: a recipe holds plain values, and nothing in it is ever "
    "executed": "不是有效的 YAML（{problem}）— 请删除该标签：配方只含普通取值，其中任何内容都不会被执行",
    # the run's refusal of units whose coordinates are no lon/lat (layers/unit_bounds.py)
    "{path} has coordinates beyond lon/lat (projected metres?) in the CRS it is read in (EPSG:4326 for a "
    "GeoJSON without a `crs` member): reproject it to lon/lat from its true CRS (ogr2ogr -s_srs EPSG:3857 "
    "-t_srs EPSG:4326 out.geojson in.geojson, with its own EPSG code)": (
        "{path} 的坐标超出经纬度范围（投影坐标米数？），按其读取所用的坐标系（无 `crs` 成员的 GeoJSON 为 "
        "EPSG:4326）不是经纬度：请从其真实坐标系重投影为经纬度（ogr2ogr -s_srs EPSG:3857 -t_srs EPSG:4326 "
        "out.geojson in.geojson，换成其自身的 EPSG 代码）"
    ),
}
