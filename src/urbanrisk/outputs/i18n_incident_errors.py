"""Chinese for what ``urbanrisk incident`` refuses (:mod:`urbanrisk.incident`, incident_reads): no
run yet, a run written before incidents, a point outside the run's area, --at / --radius / --kind
typed wrong. Under ``report: {language: zh}`` these were printed in English. Templates merged into
:data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("no run of recipe 'bupt' yet in /o: run `urbanrisk run r.yaml` first", "zh")
"配方 'bupt' 在 /o 中尚无运行结果：请先运行 `urbanrisk run r.yaml`"
"""

from __future__ import annotations

ZH_INCIDENT_CHECKS: dict[str, str] = {
    "no run of recipe {name} yet in {folder}: run `urbanrisk run {source}` first": (
        "配方 {name} 在 {folder} 中尚无运行结果：请先运行 `urbanrisk run {source}`"
    ),
    "run folder {folder} (urbanrisk {version}) lacks {missing}: it was written before incident answers "
    "existed; run `urbanrisk run {source}` again to write them": (
        "运行文件夹 {folder}（urbanrisk {version}）缺少 {missing}：它写于突发事件分析功能之前；"
        "请再次运行 `urbanrisk run {source}` 以写出这些文件"
    ),
    "--at {text}: give the point as LON,LAT in degrees, e.g. --at 116.3267,39.9925": (
        "--at {text}：请以“经度,纬度”（度）给出位置，例如 --at 116.3267,39.9925"
    ),
    "--at {text}: LON must lie in -180..180 and LAT in -90..90 (did you swap them?)": (
        "--at {text}：经度须在 -180..180、纬度须在 -90..90 之间（是否写反了？）"
    ),
    "--radius {radius}: give the evacuation radius in metres (> 0, at most {most}, the farthest a "
    "distance table may say)": (
        "--radius {radius}：请以米为单位给出疏散半径（> 0，至多 {most}，即距离表允许的最大值）"
    ),
    "the point {point} lies outside the area of run {run} (its cells span lon {lons}, lat {lats}): check "
    "--at (LON,LAT order; --coords gcj02 for Amap/Tencent points) or run a recipe covering it": (
        "位置 {point} 位于运行 {run} 的区域之外（其单元覆盖经度 {lons}、纬度 {lats}）：请检查 --at"
        "（经度,纬度 顺序；高德/腾讯坐标请加 --coords gcj02），或运行覆盖该位置的配方"
    ),
    "incident kind {kind} has no distance table entry: use one of {known}, or add a row to your copy of "
    "{table} named in the recipe (tables: {{incident_kinds: FILE}})": (
        "突发事件类型 {kind} 在距离表中没有条目：请使用 {known} 之一，或在配方中指定的 {table} 副本里添加一行"
        "（tables: {{incident_kinds: FILE}}）"
    ),
}
