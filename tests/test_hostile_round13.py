"""Hostile input, round 13 (session 19, office19): a generator of what an attacker or a tired clerk hands
over next: a recipe with a merge key, an alias bomb behind a merge key, a 10 MB string, a key written
twice; an out folder that is a file, a symlink elsewhere, a symlink loop; an Excel registry with formulas
nobody computed, coordinates styled as dates or typed as Excel serial dates, full-width digits, 度分秒;
a CSV with a UTF-8 BOM over GBK text, with GB18030's own BOM, with ';' and decimal commas; columns named
高德经度 / GCJ-02 lng / 经度(高德) / X坐标 without `lon:`; a GeometryCollection of points in a GeoPackage,
a KML MultiGeometry, a GeoParquet; a Parquet without GeoParquet metadata; a Shapefile's .dbf alone or
without its .dbf; a raster with -9999 and no nodata, of 0 × 0 pixels, without a band; units drawn as a
GeometryCollection. Every case: ``urbanrisk validate`` refuses it naming the key / line / file and the
fix (in Chinese too), or says ok and the run's reader reads it right (checked by hand); never a
traceback, a hang or a silent wrong number. Small files made in the test; validate and the readers only.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from rasterio.transform import from_origin
from shapely.geometry import GeometryCollection, MultiPoint, Point, box

from test_hostile import city, cli, raster_recipe, write_tif  # noqa: F401  (city: the module's fixture)
from test_hostile_round12 import (
    HEAD,
    ROWS,
    Case,
    _layer_recipe,
    _near,
    _recipe,
    read_right_or_refused_clearly,
)
from urbanrisk._errors import LayerError
from urbanrisk.layers.census import read_census
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.polygons import polygons_from_file
from urbanrisk.outputs.i18n_checks import check_text

XY = [(x, y) for _, x, y in ROWS]


def _points_case(folder: Path, tif: Path, path: Path, **extra: object) -> Case:
    layer = {"type": "points", "role": "hazard", "path": str(path), **extra}
    read = lambda: points_from_file(path, layer="x", role="hazard", **extra)  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), read=read)


def _csv_text(folder: Path, tif: Path, text: str, encoding: str = "utf-8", bom: bytes = b"", **extra) -> Case:
    path = folder / "h.csv"
    path.write_bytes(bom + text.encode(encoding))
    return _points_case(folder, tif, path, kind_column="类别", **extra)


def _rows(head: str = HEAD, rows: list[tuple[str, object, object]] | None = None) -> str:
    return head + "".join(f"{n},加油站,{x},{y}\n" for n, x, y in (rows or ROWS))


def _xlsx(folder: Path, tif: Path, rows: list[list[object]], style: Callable | None = None) -> Case:
    path = folder / "h.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "类别", "经度", "纬度"])
    for row in rows:
        sheet.append(row)
    if style is not None:
        style(sheet)
    book.save(path)
    return _points_case(folder, tif, path, kind_column="类别")


def _frame(geometries: list[object], crs: int | None = 4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"名称": [f"s{i}" for i in range(len(geometries))]}, geometry=geometries, crs=crs)


# --- the recipe ------------------------------------------------------------------------------------------


def _merge_key(folder: Path, tif: Path) -> Case:
    """A layer that takes its keys from another with ``<<: *base`` (YAML's merge key): read as written."""
    (folder / "h.csv").write_text(_rows(), encoding="utf-8")
    text = (
        f"name: r\narea: {{layer: pop}}\ngrid: {{resolution: 9}}\noutputs: {{dir: {folder / 'out'}}}\n"
        f"layers:\n  pop: {{type: raster, path: {tif}}}\n  a: &base\n    type: points\n    role: hazard\n"
        f"    kind_column: 类别\n    path: {folder / 'h.csv'}\n  b:\n    <<: *base\n    kind: fuel\n"
    )
    return Case(_recipe(folder, text.encode()))


def _bomb_behind_a_merge_key(folder: Path, tif: Path) -> Case:
    lines = ["x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 8):
        lines.append(f"x-{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    lines.append("x-m: &m {type: raster, junk: *h}")
    text = "\n".join(lines) + (
        f"\nname: r\narea: {{layer: pop}}\ngrid: {{resolution: 9}}\noutputs: {{dir: {folder / 'out'}}}\n"
        f"layers:\n  pop: {{<<: *m, path: {tif}}}\n"
    )
    return Case(_recipe(folder, text.encode()), said=("r.yaml", "alias"))


def _ten_megabyte_string(folder: Path, tif: Path) -> Case:
    text = raster_recipe(folder, tif).read_text(encoding="utf-8").replace("name: r", f"name: {'a' * 10**7}")
    return Case(_recipe(folder, text.encode()), said=("r.yaml", "100 KB"))


def _key_twice(folder: Path, tif: Path) -> Case:
    text = raster_recipe(folder, tif).read_text(encoding="utf-8") + "grid:\n  resolution: 10\n"
    return Case(_recipe(folder, text.encode()), said=("r.yaml:", "grid", "twice"))


def _out_is_a_file(folder: Path, tif: Path) -> Case:
    (folder / "o").write_text("not a folder", encoding="utf-8")
    return Case(
        raster_recipe(folder, tif, outputs={"dir": str(folder / "o")}), said=("outputs.dir", "folder")
    )


def _out_below_a_file(folder: Path, tif: Path) -> Case:
    (folder / "o").write_text("not a folder", encoding="utf-8")
    out = str(folder / "o" / "runs")
    return Case(raster_recipe(folder, tif, outputs={"dir": out}), said=("outputs.dir", "not a folder"))


def _out_symlink_elsewhere(folder: Path, tif: Path) -> Case:
    (folder / "elsewhere").mkdir()
    os.symlink(folder / "elsewhere", folder / "o")  # a link to a folder: written there, as the clerk meant
    return Case(raster_recipe(folder, tif, outputs={"dir": str(folder / "o")}))


def _out_symlink_loop(folder: Path, tif: Path) -> Case:
    os.symlink(folder / "o", folder / "o")
    return Case(raster_recipe(folder, tif, outputs={"dir": str(folder / "o")}), said=("outputs.dir", "loop"))


# --- Excel -----------------------------------------------------------------------------------------------


def _formulas_never_computed(folder: Path, tif: Path) -> Case:
    """Written by a program (openpyxl): the formulas have no saved value; read as empty, the row is lost."""
    case = _xlsx(folder, tif, [[n, "加油站", f"={x}+0", y] for n, x, y in ROWS])
    case.said = ("h.xlsx", "formula", "save")
    return case


def _coordinates_styled_as_dates(folder: Path, tif: Path) -> Case:
    def dates(sheet: object) -> None:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):  # type: ignore[attr-defined]
            cell.number_format = "yyyy-mm-dd"

    case = _xlsx(folder, tif, [[n, "加油站", x, y] for n, x, y in ROWS], style=dates)
    case.said = ("h.xlsx", "date", "format the columns")
    return case


def _excel_serial_dates(folder: Path, tif: Path) -> Case:
    case = _xlsx(folder, tif, [[n, "加油站", 45291, y] for n, _, y in ROWS])  # 2023-12-31 as a number
    case.said = ("h.xlsx", "45291")
    return case


def _full_width_digits(folder: Path, tif: Path) -> Case:
    wide = str.maketrans("0123456789.", "０１２３４５６７８９．")
    case = _xlsx(
        folder, tif, [[n, "加油站", str(x).translate(wide), str(y).translate(wide)] for n, x, y in ROWS]
    )
    case.check = lambda f: _near(f, XY)
    return case


def _chinese_dms(folder: Path, tif: Path) -> Case:
    case = _xlsx(folder, tif, [["甲站", "加油站", "东经116度18分18秒", "北纬39度59分27.6秒"]])
    case.check = lambda f: _near(f, [(116.305, 39.991)])
    return case


# --- CSV -------------------------------------------------------------------------------------------------


def _bom_over_gbk(folder: Path, tif: Path) -> Case:
    case = _csv_text(folder, tif, _rows(), encoding="gbk", bom=codecs.BOM_UTF8)
    case.said = ("h.csv", "BOM", "GBK", "encoding: gbk")  # was "not utf-8-sig text (byte 0 cannot be read)"
    return case


def _gb18030_own_bom(folder: Path, tif: Path) -> Case:
    case = _csv_text(folder, tif, _rows(), encoding="gb18030", bom=b"\x84\x31\x95\x33")
    case.check = lambda f: _near(f, XY) and f["name"].tolist() == ["甲站", "乙站", "丙站"]
    return case


def _semicolons_and_decimal_commas(folder: Path, tif: Path) -> Case:
    text = "名称;类别;经度;纬度\n" + "".join(
        f"{n};加油站;{str(x).replace('.', ',')};{str(y).replace('.', ',')}\n" for n, x, y in ROWS
    )
    case = _csv_text(folder, tif, text)
    case.said = ("h.csv", "';'", "'.' in numbers")
    return case


def _datum_header(folder: Path, tif: Path, lon: str, lat: str, datum: str | None) -> Case:
    """Coordinate columns named as a map service or a clerk names them, found without `lon:` / `lat:`."""
    case = _csv_text(folder, tif, _rows(head=f"名称,类别,{lon},{lat}\n"))
    case.warned = (f"add coords: {datum} to the layer",) if datum else ()
    said = [n for n in ([f"coords: {datum} to the layer"] if datum else []) if n]
    case.check = lambda f: _near(f, XY) and all(any(s in n for n in f.attrs["notes"]) for s in said)
    if datum is None:
        case.check = lambda f: _near(f, XY) and not any("coords:" in n for n in f.attrs["notes"])
    return case


def _gaode_columns(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "高德经度", "高德纬度", "gcj02")


def _baidu_columns(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "百度经度", "百度纬度", "bd09")


def _gcj_lng_columns(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "GCJ-02 lng", "GCJ-02 lat", "gcj02")


def _datum_in_brackets(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "经度（高德）", "纬度（高德）", "gcj02")


def _wgs84_named_columns(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "Longitude (WGS84)", "Latitude (WGS84)", None)


def _xy_coordinate_columns(folder: Path, tif: Path) -> Case:
    return _datum_header(folder, tif, "X坐标", "Y坐标", None)


def _two_datums_side_by_side(folder: Path, tif: Path) -> Case:
    """高德经度 beside 百度经度: which holds the places only the office knows: `lon:` is asked for."""
    text = "名称,类别,高德经度,高德纬度,百度经度,百度纬度\n" + "".join(
        f"{n},加油站,{x},{y},{x + 0.0065},{y + 0.006}\n" for n, x, y in ROWS
    )
    case = _csv_text(folder, tif, text)
    case.said = ("lon", "set `lon:`")
    return case


def _wkt_csv(folder: Path, tif: Path, places: list[str], **extra: object) -> Case:
    text = "名称,类别,WKT\n" + "".join(
        f'{n},加油站,"{w}"\n' for (n, _, _), w in zip(ROWS, places, strict=True)
    )
    return _csv_text(folder, tif, text, **extra)


def _wkt_points(folder: Path, tif: Path) -> Case:
    """QGIS "Save as CSV" with GEOMETRY=AS_WKT (was refused: "has no lon column")."""
    case = _wkt_csv(folder, tif, [f"POINT ({x} {y})" for x, y in XY])
    case.check = lambda f: _near(f, XY) and f["name"].tolist() == ["甲站", "乙站", "丙站"]
    return case


def _wkt_in_metres(folder: Path, tif: Path) -> Case:
    metres = gpd.GeoSeries([Point(p) for p in XY], crs=4326).to_crs(3857)
    case = _wkt_csv(folder, tif, [p.wkt for p in metres], crs="EPSG:3857")
    case.check = lambda f: _near(f, XY, tol=1e-7)
    return case


def _wkt_collection(folder: Path, tif: Path) -> Case:
    two = f"GEOMETRYCOLLECTION (POINT ({XY[0][0]} {XY[0][1]}), POINT ({XY[1][0]} {XY[1][1]}))"
    case = _wkt_csv(folder, tif, [f"POINT ({x} {y})" for x, y in XY[:2]] + [two])
    case.said = ("h.csv", "feature(s) 3 (2 points)", "one point per site")
    return case


def _wkt_garbage(folder: Path, tif: Path) -> Case:
    case = _wkt_csv(folder, tif, [f"POINT ({x} {y})" for x, y in XY[:2]] + ["POINT (116.3, 39.9"])
    case.said = ("h.csv", "WKT", "row 4", "POINT (lon lat)")
    return case


# --- vector files ----------------------------------------------------------------------------------------


def _collection(folder: Path, tif: Path, suffix: str) -> Case:
    """A GeometryCollection of two places among points: refused by run and validate alike."""
    frame = _frame([GeometryCollection([Point(*XY[0]), Point(*XY[1])]), Point(*XY[2])])
    path = folder / f"h{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_file(path)
    case = _points_case(folder, tif, path, kind="fuel")
    case.said = (f"h{suffix}", "feature(s) 1 (2 points)", "one point per site")
    return case


def _gpkg_collection(folder: Path, tif: Path) -> Case:
    return _collection(folder, tif, ".gpkg")


def _geoparquet_collection(folder: Path, tif: Path) -> Case:
    return _collection(folder, tif, ".parquet")


def _kml_multigeometry(folder: Path, tif: Path) -> Case:
    path = folder / "h.kml"
    place = "<Point><coordinates>{},{}</coordinates></Point>"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<Placemark><name>甲</name><MultiGeometry>{place.format(*XY[0])}{place.format(*XY[1])}</MultiGeometry>"
        f"</Placemark><Placemark><name>乙</name>{place.format(*XY[2])}</Placemark></Document></kml>",
        encoding="utf-8",
    )
    case = _points_case(folder, tif, path, kind="fuel")
    case.said = ("h.kml", "feature(s) 1 (2 points)", "one point per site")
    return case


def _geoparquet_points(folder: Path, tif: Path) -> Case:
    """A GeoParquet registry (the run said "libduckdb.so: cannot open shared object file" of every one)."""
    path = folder / "h.parquet"
    _frame([MultiPoint([XY[0]]), Point(*XY[1]), Point(*XY[2])]).to_parquet(path)
    case = _points_case(folder, tif, path, kind="fuel")
    case.check = lambda f: _near(f, XY)
    return case


def _parquet_of_wkb(folder: Path, tif: Path, **extra: object) -> Case:
    path = folder / "h.parquet"
    pq.write_table(pa.table({"名称": ["a", "b", "c"], "geometry": [Point(*p).wkb for p in XY]}), path)
    return _points_case(folder, tif, path, kind="fuel", **extra)


def _parquet_without_metadata(folder: Path, tif: Path) -> Case:
    case = _parquet_of_wkb(folder, tif)
    case.said = ("h.parquet", "crs:")  # no CRS known: asked for, not taken as lon/lat
    return case


def _parquet_without_metadata_crs_given(folder: Path, tif: Path) -> Case:
    case = _parquet_of_wkb(folder, tif, crs="EPSG:4326")
    case.check = lambda f: _near(f, XY)
    return case


def _parquet_without_geometry(folder: Path, tif: Path) -> Case:
    path = folder / "h.parquet"
    pq.write_table(pa.table({"名称": ["a"], "经度": [XY[0][0]], "纬度": [XY[0][1]]}), path)
    case = _points_case(folder, tif, path, kind="fuel")
    case.said = ("h.parquet", "GeoParquet", "CSV")
    return case


def _shapefile(folder: Path) -> Path:
    path = folder / "h.shp"
    _frame([Point(*p) for p in XY]).to_file(path)
    return path


def _dbf_alone(folder: Path, tif: Path) -> Case:
    path = _shapefile(folder)
    path.unlink()
    path.with_suffix(".shx").unlink()
    case = _points_case(folder, tif, path.with_suffix(".dbf"), kind="fuel")  # was an AttributeError
    case.said = ("h.dbf", ".shp")
    return case


def _shapefile_without_dbf(folder: Path, tif: Path) -> Case:
    path = _shapefile(folder)
    path.with_suffix(".dbf").unlink()
    case = _points_case(folder, tif, path, kind="fuel")
    case.said = ("h.shp", ".dbf")
    return case


def _units_collection(folder: Path, tif: Path) -> Case:
    """A unit drawn as a GeometryCollection of its polygon and a label point: the polygon kept."""
    path = folder / "u.gpkg"
    square = box(116.302, 39.982, 116.312, 39.992)
    gpd.GeoDataFrame(
        {"id": ["C0", "C1"]},
        geometry=[
            GeometryCollection([square, Point(116.307, 39.987)]),
            box(116.312, 39.982, 116.322, 39.992),
        ],
        crs=4326,
    ).to_file(path)
    read = lambda: polygons_from_file(path, layer="x")  # noqa: E731
    case = Case(_layer_recipe(folder, tif, {"type": "polygons", "path": str(path)}), read=read)
    case.check = lambda f: (
        f["id"].tolist() == ["C0", "C1"] and abs(f.geometry.iloc[0].area - square.area) < 1e-12
    )
    return case


def _units_file(folder: Path, tif: Path, frame: gpd.GeoDataFrame, suffix: str, **extra: object) -> Case:
    path = folder / f"u{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_file(path, driver="KML")
    read = lambda: polygons_from_file(path, layer="x", **extra)  # noqa: E731
    return Case(_layer_recipe(folder, tif, {"type": "polygons", "path": str(path), **extra}), read=read)


def _units_geoparquet_of_points(folder: Path, tif: Path) -> Case:
    """Units as GeoParquet holding points only (validate said ok; the run: "holds no polygons")."""
    points = [GeometryCollection([Point(116.30, 39.98), Point(116.35, 39.99)]), Point(116.31, 39.98)]
    case = _units_file(
        folder, tif, gpd.GeoDataFrame({"id": ["C0", "C1"]}, geometry=points, crs=4326), ".parquet"
    )
    case.said = ("u.parquet", "holds no polygons", "boundaries")
    return case


def _units_geoparquet_without_crs(folder: Path, tif: Path) -> Case:
    squares = [box(12946000, 4863000, 12947000, 4864000), box(12947000, 4863000, 12948000, 4864000)]
    case = _units_file(folder, tif, gpd.GeoDataFrame({"id": ["C0", "C1"]}, geometry=squares), ".parquet")
    case.said = ("u.parquet", "crs:")
    return case


def _units_kml_multigeometry(folder: Path, tif: Path) -> Case:
    """A KML unit of two polygons (a MultiGeometry): one unit of both, as a MultiPolygon."""
    parts = [box(116.302, 39.982, 116.306, 39.986), box(116.308, 39.982, 116.312, 39.986)]
    frame = gpd.GeoDataFrame(
        {"Name": ["C0", "C1"]},
        geometry=[GeometryCollection(parts), box(116.312, 39.982, 116.322, 39.992)],
        crs=4326,
    )
    case = _units_file(folder, tif, frame, ".kml", id_column="Name")
    case.check = lambda f: f["id"].tolist() == ["C0", "C1"] and f.geom_type.tolist()[0] == "MultiPolygon"
    return case


# --- rasters ---------------------------------------------------------------------------------------------


def _raster_minus_9999_undeclared(folder: Path, tif: Path) -> Case:
    data = np.full((20, 20), 3.0, dtype="float32")
    data[:3, :3] = -9999  # no data, but no nodata declared: -9999 people a pixel
    path = write_tif(folder / "p.tif", data, from_origin(116.30, 40.0, 0.001, 0.001))
    return Case(raster_recipe(folder, path), said=("p.tif", "-9999", "nodata"))


def _raster_of_no_pixels(folder: Path, tif: Path) -> Case:
    path = folder / "p.vrt"
    path.write_text(
        '<VRTDataset rasterXSize="0" rasterYSize="0"><SRS>EPSG:4326</SRS><GeoTransform>116.3,0.001,0,40,0,'
        '-0.001</GeoTransform><VRTRasterBand dataType="Float32" band="1"/></VRTDataset>',
        encoding="utf-8",
    )
    return Case(raster_recipe(folder, path), said=("p.vrt", "cannot read"))


def _raster_without_a_band(folder: Path, tif: Path) -> Case:
    path = folder / "p.vrt"
    path.write_text(
        '<VRTDataset rasterXSize="20" rasterYSize="20"><SRS>EPSG:4326</SRS><GeoTransform>116.3,0.001,0,40,'
        "0,-0.001</GeoTransform></VRTDataset>",
        encoding="utf-8",
    )
    return Case(raster_recipe(folder, path), said=("p.vrt", "cannot read"))


GENERATOR: dict[str, Callable[[Path, Path], Case]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _merge_key, _bomb_behind_a_merge_key, _ten_megabyte_string, _key_twice, _out_is_a_file,
        _out_below_a_file, _out_symlink_elsewhere, _out_symlink_loop, _formulas_never_computed,
        _coordinates_styled_as_dates, _excel_serial_dates, _full_width_digits, _chinese_dms, _bom_over_gbk,
        _gb18030_own_bom, _semicolons_and_decimal_commas, _gaode_columns, _baidu_columns, _gcj_lng_columns,
        _datum_in_brackets, _wgs84_named_columns, _wkt_points, _wkt_in_metres, _wkt_collection,
        _wkt_garbage, _xy_coordinate_columns, _two_datums_side_by_side,
        _gpkg_collection, _geoparquet_collection, _kml_multigeometry, _geoparquet_points,
        _parquet_without_metadata, _parquet_without_metadata_crs_given, _parquet_without_geometry,
        _dbf_alone, _shapefile_without_dbf, _units_collection, _units_geoparquet_of_points,
        _units_geoparquet_without_crs, _units_kml_multigeometry, _raster_minus_9999_undeclared,
        _raster_of_no_pixels, _raster_without_a_band,
    )
}  # fmt: skip


def test_the_generator_makes_thirty_cases_or_more() -> None:
    assert len(GENERATOR) >= 30


@pytest.mark.parametrize("name", sorted(GENERATOR))
def test_each_generated_input_is_read_right_or_refused_clearly(tmp_path, city, name: str) -> None:  # noqa: F811
    read_right_or_refused_clearly(GENERATOR[name](tmp_path, city[0]), name)


def test_the_new_refusals_are_said_in_chinese() -> None:
    """Each new refusal of round 13 has its Chinese (no English template left over)."""
    said = [
        "r.yaml:9: layers.h.path: /a/h.parquet is a Parquet file without GeoParquet's 'geo' metadata and "
        "without a WKB column named geometry / geom (its columns: 名称): write it as GeoParquet (geopandas "
        "to_parquet, or ogr2ogr -f Parquet), or give the registry as CSV with lon / lat columns",
        "r.yaml:9: layers.h.path: /a/h.parquet has no coordinate reference system; say which it is with "
        "`crs:` in the recipe (e.g. crs: EPSG:4326, EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 for CGCS2000 "
        "3-degree Gauss-Kruger CM 114E)",
    ]
    said += [
        "r.yaml:9: layers.h.path: /a/h.dbf is a Shapefile's table without its .shp (the places); copy the "
        "whole Shapefile (.shp, .shx, .dbf, .prj) and give the .shp",
        "r.yaml:9: layers.h.path: /a/h.csv starts with a UTF-8 BOM but its text is GBK / GB18030, not UTF-8 "
        "(from line 1): save the whole file in UTF-8 (in Excel: Save As, CSV UTF-8), or remove the BOM and "
        "say encoding: gbk",
        "r.yaml:9: layers.h.path: /a/h.csv: column 'WKT' holds no WKT geometry in row 4 ('POINT (116.3, "
        "39.9'): write each site's place as POINT (lon lat), or give lon / lat columns",
    ]
    for text in said:
        chinese = check_text(text, "zh")
        assert "GeoParquet" not in chinese or "元数据" in chinese, chinese
        for english in ("say which it is", "write it as", "copy the whole", "save the whole", "write each"):
            assert english not in chinese, chinese


def test_a_lone_wkb_column_of_garbage_is_refused(tmp_path) -> None:
    path = tmp_path / "h.parquet"
    pq.write_table(pa.table({"geometry": [b"\x01\x02garbage"]}), path)
    with pytest.raises(LayerError, match="does not hold WKB geometries"):
        points_from_file(path, layer="x", role="hazard", kind="fuel", crs="EPSG:4326")
    assert (
        shapely.from_wkb(Point(1, 2).wkb).x == 1
    )  # the WKB of a good point reads (the refusal is of garbage)


@pytest.mark.parametrize("total", ["合计：", "总计（人）", "TOTAL:", "共计", "汇总", "合计(万人)"])
def test_a_census_total_row_written_otherwise_is_skipped_and_said(tmp_path, total: str) -> None:
    """A totals row written 合计： or 总计（人） was read as a unit named so (its count a unit's, or the join
    refusing an unknown unit); now skipped, said in the notes, as 合计 was."""
    path = tmp_path / "c.csv"
    path.write_text(f"街道,常住人口\n学院路街道,52000\n清华园街道,43000\n{total},95000\n", encoding="utf-8")
    table = read_census(path, key_column="街道", count_column="常住人口", layer="p")
    assert table.labels == ["学院路街道", "清华园街道"] and table.counts == [52000, 43000]
    assert table.notes == ["p: skipped the total rows (row 4) of c.csv"]


def test_a_registry_total_row_with_a_colon_is_skipped(tmp_path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(_rows() + "合计：,,,\n", encoding="utf-8")
    frame = points_from_file(path, layer="x", role="hazard", kind_column="类别")
    assert _near(frame, XY) and "x: skipped the total rows (row 5) of h.csv" in frame.attrs["notes"]


def test_a_wkt_registry_skips_its_total_row(tmp_path) -> None:
    """合计 with no place at the bottom of a WKT registry: skipped and said, as under lon / lat columns."""
    path = tmp_path / "h.csv"
    rows = "".join(f'{n},加油站,"POINT ({x} {y})"\n' for n, x, y in ROWS)
    path.write_text("名称,类别,WKT\n" + rows + "合计,,\n", encoding="utf-8")
    frame = points_from_file(path, layer="x", role="hazard", kind_column="类别")
    assert _near(frame, XY) and "x: skipped the total rows (row 5) of h.csv" in frame.attrs["notes"]
