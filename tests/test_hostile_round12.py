"""Hostile input, round 12 (session 18, office18): a generator of recipes (YAML alias bombs, huge
integers, tabs, a BOM, duplicate keys, GBK / Latin-1 / UTF-16 bytes), GeoJSON / GeoPackage / Shapefile
registries and unit layers (no .prj, 3D and M coordinates, empty, null and NaN geometries, mixed geometry
types, self-crossing and clockwise rings, units in EPSG:3857 or CGCS2000, coordinates written as strings)
and CSV registries in GCJ-02 / BD-09 declared or not. Every case: ``urbanrisk validate`` refuses it with a
message naming the key, line or file and the fix (in Chinese too), or it is read right (the run's reader
checked against a hand computation); never a traceback, a hang or silent garbage. Small files made in the
test; validate only (no whole run).
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from test_hostile import city, cli, raster_recipe  # noqa: F401  (city: the module's fixture)
from urbanrisk._errors import LayerError, RecipeError
from urbanrisk.layers.coords import to_wgs84
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.polygons import polygons_from_file
from urbanrisk.outputs.i18n_checks import check_text

TIMEOUT = 20  # seconds a case may take (validate and the reader each)
HEAD = "名称,类别,经度,纬度\n"
ROWS = [("甲站", 116.305, 39.991), ("乙站", 116.312, 39.985), ("丙站", 116.308, 39.995)]


@dataclass
class Case:
    """A generated input: the recipe validate reads, and what must come of it: ``said`` (words the refusal
    must hold, key / line / file and fix), or ``read`` (the run's reader, its result checked by ``check``)."""

    recipe: Path
    said: tuple[str, ...] = ()
    read: Callable[[], object] | None = None
    check: Callable[[object], bool] | None = None
    warned: tuple[str, ...] = field(default=())  # validate says ok with these words


def _head(tif: Path, folder: Path) -> str:
    return (
        f"name: r\narea: {{layer: pop}}\ngrid: {{resolution: 9}}\noutputs: {{dir: {folder / 'out'}}}\n"
        f"layers:\n  pop: {{type: raster, path: {tif}}}\n"
    )


def _recipe(folder: Path, data: bytes) -> Path:
    path = folder / "r.yaml"
    path.write_bytes(data)
    return path


def _layer_recipe(folder: Path, tif: Path, layer: dict) -> Path:
    return raster_recipe(folder, tif, layers={"x": layer})


def _features(geometries: list[object], props: list[dict] | None = None, crs: str | None = None) -> str:
    features = [
        {"type": "Feature", "properties": (props or [{}] * len(geometries))[i], "geometry": g}
        for i, g in enumerate(geometries)
    ]
    body: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        body["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(body, ensure_ascii=False)


def _registry(folder: Path, tif: Path, text: str, suffix: str = ".geojson", **extra: object) -> Case:
    path = folder / f"h{suffix}"
    path.write_text(text, encoding="utf-8")
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind": "fuel", **extra}
    read = lambda: points_from_file(path, layer="x", role="hazard", kind="fuel", **extra)  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), read=read)


def _units(folder: Path, tif: Path, frame_or_text: object, suffix: str = ".geojson", **extra: object) -> Case:
    path = folder / f"u{suffix}"
    if isinstance(frame_or_text, str):
        path.write_text(frame_or_text, encoding="utf-8")
    else:
        frame_or_text.to_file(path)
    layer = {"type": "polygons", "path": str(path), **extra}
    read = lambda: polygons_from_file(path, layer="x", **extra)  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), read=read)


def _square(x: float = 116.302, y: float = 39.982, side: float = 0.01) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def _points(n: int = 3) -> list[dict]:
    return [{"type": "Point", "coordinates": [x, y]} for _, x, y in ROWS[:n]]


def _gpkg_points(path: Path, blobs: list[bytes]) -> None:
    """A GeoPackage of points written through geopandas, then its blobs replaced by ``blobs``."""
    gpd.GeoDataFrame(
        {"名称": [r[0] for r in ROWS]}, geometry=[Point(x, y) for _, x, y in ROWS], crs=4326
    ).to_file(path, layer="h")
    with sqlite3.connect(path) as db:
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')  # GDAL's call ST_IsEmpty, which sqlite3 lacks
        ids = [r[0] for r in db.execute('SELECT fid FROM "h" ORDER BY fid')]
        for fid, blob in zip(ids, blobs, strict=False):
            db.execute('UPDATE "h" SET geom = ? WHERE fid = ?', (blob, fid))


def _gp(wkb: bytes, empty: bool = False) -> bytes:
    """A GeoPackage blob: header (no envelope), SRID 4326, then ``wkb``."""
    return b"GP\x00" + bytes([0x01 | (0x10 if empty else 0)]) + struct.pack("<i", 4326) + wkb


def _near(frame: object, xy: list[tuple[float, float]], tol: float = 1e-6) -> bool:
    got = [(p.x, p.y) for p in frame.geometry]  # type: ignore[attr-defined]
    return len(got) == len(xy) and all(
        abs(a - c) < tol and abs(b - d) < tol for (a, b), (c, d) in zip(got, xy, strict=True)
    )


# --- the generator: name -> (folder, raster) -> Case -------------------------------------------------------


def _alias_bomb(folder: Path, tif: Path) -> Case:
    lines = ["x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        lines.append(f"x-{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    text = "\n".join(lines) + "\n" + _head(tif, folder)
    return Case(_recipe(folder, text.encode()), said=("r.yaml", "alias"))


def _alias_bomb_in_a_layer(folder: Path, tif: Path) -> Case:
    lines = ["x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 8):
        lines.append(f"x-{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    text = "\n".join(lines) + "\n" + _head(tif, folder).replace("path: ", "tags: *h, path: ")
    return Case(_recipe(folder, text.encode()), said=("r.yaml", "alias"))


def _huge_resolution(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("resolution: 9", "resolution: " + "9" * 400)
    return Case(_recipe(folder, text.encode()), said=("r.yaml:3", "resolution"))


def _huge_bbox(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace(
        "area: {layer: pop}", "area: {bbox: [116.3, 39.98, 1" + "0" * 400 + ", 40]}"
    )
    return Case(_recipe(folder, text.encode()), said=("r.yaml:2", "bbox"))


def _huge_hex(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("resolution: 9", "resolution: 0x" + "f" * 300)
    return Case(_recipe(folder, text.encode()), said=("r.yaml:3", "resolution"))


def _tab_indent(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("  pop:", "\tpop:")
    return Case(_recipe(folder, text.encode()), said=("r.yaml:6", "replace the tab with spaces"))


def _tab_after_colon(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("name: r", "name:\tr")  # PyYAML takes no tab after a colon
    return Case(_recipe(folder, text.encode()), said=("r.yaml:1", "replace the tab with spaces"))


def _bom(folder: Path, tif: Path) -> Case:
    return Case(_recipe(folder, b"\xef\xbb\xbf" + _head(tif, folder).encode()), check=lambda _: True)


def _bom_twice(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder)  # two recipes pasted together: a BOM mid-file
    return Case(_recipe(folder, b"\xef\xbb\xbf" + text.encode() + b"\xef\xbb\xbf# copy\n"), said=("r.yaml",))


def _utf16(folder: Path, tif: Path) -> Case:
    return Case(_recipe(folder, _head(tif, folder).encode("utf-16")), check=lambda _: True)  # its BOM tells


def _gbk(folder: Path, tif: Path) -> Case:
    text = "# 某区风险评估配方\n" + _head(tif, folder).replace("name: r", "name: 海淀区")
    return Case(_recipe(folder, text.encode("gbk")), said=("r.yaml", "UTF-8"))


def _latin1(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("name: r", "name: Bogotá")
    return Case(_recipe(folder, text.encode("latin-1")), said=("r.yaml", "UTF-8"))


def _duplicate_layer_key(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder).replace("path: ", f"path: {folder / 'other.tif'}, path: ")
    return Case(_recipe(folder, text.encode()), said=("r.yaml:6", "path"))


def _duplicate_layer(folder: Path, tif: Path) -> Case:
    text = _head(tif, folder) + f"  pop: {{type: raster, path: {tif}}}\n"
    return Case(_recipe(folder, text.encode()), said=("r.yaml:7", "pop"))


def _nul_byte(folder: Path, tif: Path) -> Case:
    return Case(
        _recipe(folder, _head(tif, folder).replace("name: r", "name: r\x00x").encode()), said=("r.yaml",)
    )


def _z_points(folder: Path, tif: Path) -> Case:
    geoms = [{"type": "Point", "coordinates": [x, y, 52.5]} for _, x, y in ROWS]
    case = _registry(folder, tif, _features(geoms))
    case.check = lambda f: _near(f, [(x, y) for _, x, y in ROWS]) and not f.geometry.has_z.any()
    return case


def _zm_points(folder: Path, tif: Path) -> Case:
    geoms = [{"type": "Point", "coordinates": [x, y, 52.5, 7.0]} for _, x, y in ROWS]
    case = _registry(folder, tif, _features(geoms))
    case.check = lambda f: _near(f, [(x, y) for _, x, y in ROWS])
    return case


def _null_geometry(folder: Path, tif: Path) -> Case:
    case = _registry(folder, tif, _features([*_points(2), None]))
    case.said = ("h.geojson", "feature")
    return case


def _empty_point(folder: Path, tif: Path) -> Case:
    case = _registry(folder, tif, _features([*_points(2), {"type": "Point", "coordinates": []}]))
    case.said = ("h.geojson",)
    return case


def _nan_point(folder: Path, tif: Path) -> Case:
    text = _features(_points(3)).replace(str(ROWS[2][1]), "NaN")
    case = _registry(folder, tif, text)
    case.said = ("h.geojson",)
    return case


def _string_coordinates(folder: Path, tif: Path) -> Case:
    geoms = [{"type": "Point", "coordinates": [str(x), str(y)]} for _, x, y in ROWS]
    case = _registry(folder, tif, _features(geoms))
    case.said = ("h.geojson",)
    return case


def _mixed_types(folder: Path, tif: Path) -> Case:
    line = {"type": "LineString", "coordinates": [[116.30, 39.99], [116.31, 39.99]]}
    case = _registry(folder, tif, _features([*_points(2), line]))  # a site drawn as a line: a point on it
    case.check = lambda f: (
        _near(f, [(x, y) for _, x, y in ROWS[:2]] + [(116.30, 39.99)])
        and any("feature(s) 3 of h.geojson are polygons or lines" in n for n in f.attrs["notes"])
    )
    return case


def _geometry_collection(folder: Path, tif: Path) -> Case:
    collection = {"type": "GeometryCollection", "geometries": _points(2)}
    case = _registry(folder, tif, _features([*_points(2), collection]))  # was placed at one of the two
    case.said = ("h.geojson", "feature(s) 3 (2 points)", "one point per site")
    return case


def _gpkg_empty_point(folder: Path, tif: Path) -> Case:
    path = folder / "h.gpkg"
    nan = struct.pack("<BIdd", 1, 1, math.nan, math.nan)  # an empty point as GDAL writes it
    _gpkg_points(
        path, [_gp(struct.pack("<BIdd", 1, 1, x, y)) for _, x, y in ROWS[:2]] + [_gp(nan, empty=True)]
    )
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind": "fuel"}
    read = lambda: points_from_file(path, layer="x", role="hazard", kind="fuel")  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), said=("h.gpkg",), read=read)


def _gpkg_3d(folder: Path, tif: Path) -> Case:
    path = folder / "h.gpkg"
    _gpkg_points(path, [_gp(struct.pack("<BIddd", 1, 1001, x, y, 40.0)) for _, x, y in ROWS])
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind": "fuel"}
    read = lambda: points_from_file(path, layer="x", role="hazard", kind="fuel")  # noqa: E731
    case = Case(_layer_recipe(folder, tif, layer), read=read)
    case.check = lambda f: _near(f, [(x, y) for _, x, y in ROWS])
    return case


def _shapefile_z_without_prj(folder: Path, tif: Path) -> Case:
    path = folder / "h.shp"
    gpd.GeoDataFrame(
        {"名称": [r[0] for r in ROWS]}, geometry=[Point(x, y, 5.0) for _, x, y in ROWS], crs=4326
    ).to_file(path, encoding="utf-8")
    path.with_suffix(".prj").unlink()
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind": "fuel"}
    read = lambda: points_from_file(path, layer="x", role="hazard", kind="fuel")  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), said=("h.shp", "crs"), read=read)


def _shapefile_z_with_recipe_crs(folder: Path, tif: Path) -> Case:
    case = _shapefile_z_without_prj(folder, tif)
    path = folder / "h.shp"
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind": "fuel", "crs": "EPSG:4326"}
    case.recipe, case.said = _layer_recipe(folder, tif, layer), ()
    case.read = lambda: points_from_file(path, layer="x", role="hazard", kind="fuel", crs="EPSG:4326")
    case.check = lambda f: _near(f, [(x, y) for _, x, y in ROWS])
    return case


def _units_frame(crs: object = 4326, geoms: list | None = None) -> gpd.GeoDataFrame:
    geoms = geoms or [box(116.300, 39.98, 116.310, 40.0), box(116.310, 39.98, 116.320, 40.0)]
    return gpd.GeoDataFrame(
        {"id": [f"C{i}" for i in range(len(geoms))], "name": "社区"}, geometry=geoms, crs=4326
    ).to_crs(crs)


def _same_units(frame: object, tol: float = 1e-6) -> bool:
    want = _units_frame().geometry
    return len(frame) == 2 and all(
        a.symmetric_difference(b).area < tol * 1e-3 for a, b in zip(frame.geometry, want, strict=True)
    )


def _units_3857(folder: Path, tif: Path) -> Case:
    case = _units(folder, tif, _units_frame(3857))
    case.check = _same_units
    return case


def _units_3857_undeclared(folder: Path, tif: Path) -> Case:
    text = json.loads(_units_frame(3857).to_json())
    text.pop("crs", None)
    case = _units(folder, tif, json.dumps(text))
    case.said = ("u.geojson",)
    return case


def _units_cgcs2000(folder: Path, tif: Path) -> Case:
    case = _units(folder, tif, _units_frame(4490), suffix=".gpkg")
    case.check = _same_units
    return case


def _units_cgcs2000_gk(folder: Path, tif: Path) -> Case:
    case = _units(folder, tif, _units_frame(4527), suffix=".gpkg")  # CGCS2000 3-degree GK zone 39, metres
    case.check = lambda f: _same_units(f, tol=1e-3)
    return case


def _units_gk_without_prj(folder: Path, tif: Path) -> Case:
    case = _units(folder, tif, _units_frame(4527), suffix=".shp")
    (folder / "u.prj").unlink()
    case.said = ("u.shp",)
    return case


def _units_clockwise(folder: Path, tif: Path) -> Case:
    rings = [box(116.300, 39.98, 116.310, 40.0), box(116.310, 39.98, 116.320, 40.0)]
    geoms = [{"type": "Polygon", "coordinates": [list(reversed(_coords(r)))]} for r in rings]
    props = [{"id": "C0", "name": "社区"}, {"id": "C1", "name": "社区"}]
    case = _units(folder, tif, _features(geoms, props))
    case.check = _same_units
    return case


def _coords(ring: Polygon) -> list[list[float]]:
    return [list(p) for p in ring.exterior.coords]


def _units_bowtie_gpkg(folder: Path, tif: Path) -> Case:
    bowtie = Polygon([(116.300, 39.98), (116.310, 40.0), (116.310, 39.98), (116.300, 40.0)])
    frame = gpd.GeoDataFrame({"id": ["C0"], "name": ["社区"]}, geometry=[bowtie], crs=4326)
    case = _units(folder, tif, frame, suffix=".gpkg")
    case.check = lambda f: (
        len(f) == 1
        and f.geometry.is_valid.all()
        and abs(shapely.area(f.geometry.to_numpy()).sum() - 1e-4) < 1e-9
    )
    return case


def _units_z(folder: Path, tif: Path) -> Case:
    geoms = [shapely.force_3d(g, 30.0) for g in _units_frame().geometry]
    case = _units(folder, tif, _units_frame(geoms=geoms))
    case.check = _same_units
    return case


def _units_mixed(folder: Path, tif: Path) -> Case:
    geoms = [
        {"type": "Polygon", "coordinates": [_square()]},
        {"type": "Point", "coordinates": [116.31, 39.99]},
    ]
    case = _units(folder, tif, _features(geoms, [{"id": "C0", "name": "甲"}, {"id": "C1", "name": "乙"}]))
    case.check = _one_unit_left_out
    return case


def _one_unit_left_out(frame: object) -> bool:
    said = "x: 1 feature(s) of u.geojson without a polygon (no geometry, a point or a line) left out"
    return frame["id"].tolist() == ["C0"] and said in frame.attrs["notes"]  # type: ignore[index,attr-defined]


def _units_null_geometry(folder: Path, tif: Path) -> Case:
    geoms = [{"type": "Polygon", "coordinates": [_square()]}, None]
    case = _units(folder, tif, _features(geoms, [{"id": "C0", "name": "甲"}, {"id": "C1", "name": "乙"}]))
    case.check = _one_unit_left_out
    return case


def _units_string_coordinates(folder: Path, tif: Path) -> Case:
    ring = [[str(x), str(y)] for x, y in _square()]
    case = _units(
        folder, tif, _features([{"type": "Polygon", "coordinates": [ring]}], [{"id": "C0", "name": "甲"}])
    )
    case.said = ("u.geojson",)
    return case


def _csv(
    folder: Path, tif: Path, rows: list[tuple[str, float, float]], head: str = HEAD, **extra: object
) -> Case:
    path = folder / "h.csv"
    path.write_text(head + "".join(f"{n},加油站,{x},{y}\n" for n, x, y in rows), encoding="utf-8")
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind_column": "类别", **extra}
    read = lambda: points_from_file(path, layer="x", role="hazard", kind_column="类别", **extra)  # noqa: E731
    return Case(_layer_recipe(folder, tif, layer), read=read)


def _gcj_declared(folder: Path, tif: Path) -> Case:
    case = _csv(folder, tif, ROWS, coords="gcj02")
    x, y = to_wgs84([r[1] for r in ROWS], [r[2] for r in ROWS], "gcj02")
    case.check = lambda f: (
        _near(f, list(zip(x, y, strict=True)))
        and all(abs(a - r[1]) > 1e-3 for a, r in zip(x, ROWS, strict=True))
    )
    return case


def _bd_declared_as_crs(folder: Path, tif: Path) -> Case:
    case = _csv(folder, tif, ROWS, crs="BD-09")
    x, y = to_wgs84([r[1] for r in ROWS], [r[2] for r in ROWS], "bd09")
    case.read = lambda: points_from_file(
        folder / "h.csv", layer="x", role="hazard", kind_column="类别", coords="bd09"
    )
    case.check = lambda f: _near(f, list(zip(x, y, strict=True)))
    return case


def _coords_unknown(folder: Path, tif: Path) -> Case:
    case = _csv(folder, tif, ROWS, coords="谷歌坐标")  # Google's: no datum of its own (高德 is read as gcj02)
    case.read, case.said = None, ("r.yaml:", "coords", "gcj02")
    return case


def _bd09_mercator(folder: Path, tif: Path) -> Case:
    case = _csv(folder, tif, ROWS, coords="bd09mc")
    case.read, case.said = None, ("r.yaml", "bd09")
    return case


def _gcj_and_crs_disagree(folder: Path, tif: Path) -> Case:
    case = _csv(folder, tif, ROWS, coords="gcj02", crs="BD-09")
    case.read, case.said = None, ("r.yaml", "coords")
    return case


def _gcj_outside_china(folder: Path, tif: Path) -> Case:
    rows = [("A", -76.61, 39.29), ("B", -76.60, 39.30)]  # Baltimore: GCJ-02 is China's only
    case = _csv(folder, tif, rows, coords="gcj02")
    case.check = lambda f: _near(f, [(x, y) for _, x, y in rows])
    case.read = lambda: points_from_file(
        folder / "h.csv", layer="x", role="hazard", kind_column="类别", coords="gcj02"
    )
    case.recipe = raster_recipe(folder, tif)  # the raster's area is Beijing's: only the reader is asked
    return case


def _datum_named(folder: Path, tif: Path, word: str, datum: str) -> Case:
    """高德经度 / 百度纬度 read as WGS84 without `coords:` (some 500 m off without a word): said."""
    case = _csv(
        folder, tif, ROWS, head=f"名称,类别,{word}经度,{word}纬度\n", lon=f"{word}经度", lat=f"{word}纬度"
    )
    case.warned = (f"add coords: {datum} to the layer",)
    said = lambda f: any(f"coords: {datum} to the layer" in n for n in f.attrs["notes"])  # noqa: E731
    case.check = lambda f: _near(f, [(x, y) for _, x, y in ROWS]) and said(f)
    return case


def _gcj_header_undeclared(folder: Path, tif: Path) -> Case:
    return _datum_named(folder, tif, "高德", "gcj02")


def _bd_header_undeclared(folder: Path, tif: Path) -> Case:
    return _datum_named(folder, tif, "百度", "bd09")


GENERATOR: dict[str, Callable[[Path, Path], Case]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _alias_bomb, _alias_bomb_in_a_layer, _huge_resolution, _huge_bbox, _huge_hex, _tab_indent,
        _tab_after_colon, _bom, _bom_twice, _utf16, _gbk, _latin1, _duplicate_layer_key, _duplicate_layer,
        _nul_byte, _z_points, _zm_points, _null_geometry, _empty_point, _nan_point, _string_coordinates,
        _mixed_types, _geometry_collection, _gpkg_empty_point, _gpkg_3d, _shapefile_z_without_prj,
        _shapefile_z_with_recipe_crs, _units_3857, _units_3857_undeclared, _units_cgcs2000,
        _units_cgcs2000_gk, _units_gk_without_prj, _units_clockwise, _units_bowtie_gpkg, _units_z,
        _units_mixed, _units_null_geometry, _units_string_coordinates, _gcj_declared, _bd_declared_as_crs,
        _coords_unknown, _bd09_mercator, _gcj_and_crs_disagree, _gcj_outside_china,
        _gcj_header_undeclared, _bd_header_undeclared,
    )
}  # fmt: skip


def test_the_generator_makes_thirty_cases_or_more() -> None:
    assert len(GENERATOR) >= 30


@pytest.mark.parametrize("name", sorted(GENERATOR))
def test_each_generated_input_is_read_right_or_refused_clearly(tmp_path, city, name: str) -> None:  # noqa: F811
    read_right_or_refused_clearly(GENERATOR[name](tmp_path, city[0]), name)


def read_right_or_refused_clearly(case: Case, name: str) -> None:
    """``validate`` on the case's recipe refuses it with its words, in Chinese too, or passes with its
    warnings; the run's reader then refuses it naming the file, or reads what the case checks."""
    code, text = cli("validate", case.recipe, timeout=TIMEOUT)
    if case.said:
        assert code == 2 and all(w.lower() in text.lower() for w in case.said), (case.said, text)
        assert check_text(text, "zh") != text, text  # said in Chinese too
    else:
        assert code == 0, text
        assert all(w in text for w in case.warned), (case.warned, text)
    if case.read is None:
        return
    if case.said:  # the run refuses it too, naming the file
        with pytest.raises((LayerError, RecipeError)) as refused:
            case.read()
        assert case.said[0] in str(refused.value), refused.value
        return
    assert case.check is not None and case.check(case.read()), name
