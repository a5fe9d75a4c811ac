"""Chinese for what hostile input round 13 (session 19, office19) made the layer checks say: a Shapefile's
.dbf given alone, a Parquet file without GeoParquet metadata or unreadable, a vector registry without a
CRS read by the run's reader (KML, GeoParquet), a UTF-8 BOM over GBK text, a WKT cell that is no WKT.
Templates merged into :data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:9: layers.h.path: /a/h.dbf is a Shapefile's table without its .shp (the places); "
...            "copy the whole Shapefile (.shp, .shx, .dbf, .prj) and give the .shp", "zh")[-30:]
'hp、.shx、.dbf、.prj），并给出 .shp 文件'
"""

from __future__ import annotations

ZH_ROUND13_CHECKS: dict[str, str] = {
    "{path} is a Shapefile's table without its .shp (the places); copy the whole Shapefile (.shp, .shx, "
    ".dbf, .prj) and give the .shp": (
        "{path} 只是 Shapefile 的属性表，旁边没有 .shp（即位置）；请复制完整的 Shapefile"
        "（.shp、.shx、.dbf、.prj），并给出 .shp 文件"
    ),
    "{path} is a Parquet file without GeoParquet's 'geo' metadata and without a WKB column named {names} "
    "(its columns: {columns}): write it as GeoParquet (geopandas to_parquet, or ogr2ogr -f Parquet), or "
    "give the registry as CSV with lon / lat columns": (
        "{path} 是没有 GeoParquet 'geo' 元数据的 Parquet 文件，也没有名为 {names} 的 WKB 列（其列为："
        "{columns}）：请另存为 GeoParquet（geopandas to_parquet，或 ogr2ogr -f Parquet），或把台账给成带"
        "经度 / 纬度列的 CSV"
    ),
    "{path}: its column '{column}' does not hold WKB geometries ({error}); write the file as GeoParquet "
    "(geopandas to_parquet, or ogr2ogr -f Parquet)": (
        "{path}：其列 '{column}' 不是 WKB 几何（{error}）；请把文件另存为 GeoParquet（geopandas "
        "to_parquet，或 ogr2ogr -f Parquet）"
    ),
    "{path} starts with a UTF-8 BOM but its text is {named}, not UTF-8 (from line {line}): save the whole "
    "file in UTF-8 (in Excel: Save As, CSV UTF-8), or remove the BOM and say encoding: gbk": (
        "{path} 以 UTF-8 的 BOM 开头，但其文本是 {named}，不是 UTF-8（自第 {line} 行起）：请把整个文件存为 "
        "UTF-8（Excel：另存为“CSV UTF-8”），或删去 BOM 并注明 encoding: gbk"
    ),
    "{path}: column '{column}' holds no WKT geometry in {rows} ('{example}'): write each site's place as "
    "POINT (lon lat), or give lon / lat columns": (
        "{path}：列 '{column}' 在 {rows} 中不是 WKT 几何（'{example}'）：请把每个场所的位置写成 "
        "POINT (经度 纬度)，或给出经度 / 纬度列"
    ),
    "cannot read {path} as GeoParquet ({error}); is the file complete?": (
        "无法把 {path} 读作 GeoParquet（{error}）；文件是否完整？"
    ),
    "cannot read {path} as Parquet ({error}); is the file complete?": (
        "无法把 {path} 读作 Parquet（{error}）；文件是否完整？"
    ),
    "{path} has no coordinate reference system; say which it is with `crs:` in the recipe (e.g. crs: "
    "EPSG:4326, EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 for CGCS2000 3-degree Gauss-Kruger CM 114E)": (
        "{path} 没有坐标参照系；请在配方中用 `crs:` 说明（例如 crs: EPSG:4326；CGCS2000 经纬度为 "
        "EPSG:4490；CGCS2000 3 度带高斯-克吕格中央经线 114E 为 EPSG:4547）"
    ),
}
