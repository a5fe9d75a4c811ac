"""A registry in CGCS2000 Gauss-Krüger metres as an office writes it: X坐标 the northing and Y坐标 the
easting (Chinese surveying), or eastings with the zone number in front. Validate passed the swapped
columns and the run put the hazards 3,000 km east, in the Pacific ("outside the study area"); the zone
number read as inf. Now each is named with the fix, in English and in Chinese, and the fix works.
Real points: three places on the BUPT extract, projected with pyproj (EPSG:4548, CM 117°E)."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

import urbanrisk as ur
from conftest import BUPT_OSM, validated, write_recipe
from urbanrisk._errors import LayerError
from urbanrisk.layers.points import points_from_file

LONLAT = [(116.3500, 39.9590), (116.3530, 39.9620), (116.3545, 39.9575)]


def _registry(tmp_path, *, zone_prefix=False):
    """A GBK CSV with X坐标 (northing) and Y坐标 (easting), as a surveyor's 台账 holds them."""
    to_gk = Transformer.from_crs(4326, 4548, always_xy=True)
    lines = ["序号,单位名称,类型,X坐标,Y坐标"]
    for i, (lon, lat) in enumerate(LONLAT, start=1):
        east, north = to_gk.transform(lon, lat)
        east += 39_000_000 if zone_prefix else 0
        lines.append(f"{i},危险源{i},加油站,{north:.2f},{east:.2f}")
    path = tmp_path / "危险源台账.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


def _recipe(tmp_path, registry, *, lon, lat, crs, language="zh"):
    return write_recipe(
        tmp_path,
        {
            "name": "gk",
            "area": {"bbox": [116.3489, 39.9567, 116.3551, 39.9637]},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "hazards": {
                    "type": "points",
                    "role": "hazard",
                    "path": str(registry),
                    "lon": lon,
                    "lat": lat,
                    "crs": crs,
                    "kind_column": "类型",
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": language},
        },
    )


def test_x_north_y_east_is_named_with_the_fix_in_chinese_and_english(tmp_path, capsys):
    registry = _registry(tmp_path)
    code, text = validated(_recipe(tmp_path, registry, lon="X坐标", lat="Y坐标", crs="EPSG:4548"), capsys)
    assert code == 2, text
    assert "recipe.yaml:" in text and "layers.hazards.lat" in text
    assert "'X坐标' 列是北坐标、'Y坐标' 列是东坐标（第 2 行的 4425" in text
    assert "请设置 lon: Y坐标、lat: X坐标" in text
    recipe = _recipe(tmp_path, registry, lon="X坐标", lat="Y坐标", crs="EPSG:4548", language="en")
    code, text = validated(recipe, capsys)
    assert code == 2 and "'X坐标' holds northings and 'Y坐标' eastings (4425" in text
    assert (
        "in row 2; Chinese surveying calls the north axis X" in text
        and "set lon: Y坐标 and lat: X坐标" in text
    )
    with pytest.raises(LayerError, match="set lon: Y坐标 and lat: X坐标"):  # the run's own reader too
        points_from_file(
            registry, layer="hazards", lon="X坐标", lat="Y坐标", crs="EPSG:4548", kind_column="类型"
        )


def test_the_fix_places_the_points_where_they_are(tmp_path, capsys):
    registry = _registry(tmp_path)
    recipe = _recipe(tmp_path, registry, lon="Y坐标", lat="X坐标", crs="EPSG:4548")
    code, text = validated(recipe, capsys)
    assert code == 0, text
    points = points_from_file(
        registry, layer="hazards", lon="Y坐标", lat="X坐标", crs="EPSG:4548", kind_column="类型"
    )
    assert np.c_[points.geometry.x, points.geometry.y] == pytest.approx(np.array(LONLAT), abs=1e-7)
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    assert len(result.screens.hazard_sources) == 3


def test_eastings_with_the_zone_number_name_the_crs_that_takes_it(tmp_path, capsys):
    registry = _registry(tmp_path, zone_prefix=True)
    code, text = validated(_recipe(tmp_path, registry, lon="Y坐标", lat="X坐标", crs="EPSG:4548"), capsys)
    assert code == 2, text
    assert "东坐标（如第 2 行的 39444" in text and "前带有带号 39，而 EPSG:4548 的东坐标不含带号" in text
    assert "请设置 crs: EPSG:4527（同一分带、东坐标含带号）" in text
    code, text = validated(_recipe(tmp_path, registry, lon="Y坐标", lat="X坐标", crs="EPSG:4527"), capsys)
    assert code == 0, text  # the CRS it names reads them
    points = points_from_file(
        registry, layer="h", lon="Y坐标", lat="X坐标", crs="EPSG:4527", kind_column="类型"
    )
    assert np.c_[points.geometry.x, points.geometry.y] == pytest.approx(np.array(LONLAT), abs=1e-7)
    (tmp_path / "plain").mkdir()
    plain = _registry(tmp_path / "plain")  # and the other way round: no zone number under EPSG:4527
    code, text = validated(
        _recipe(tmp_path, plain, lon="Y坐标", lat="X坐标", crs="EPSG:4527", language="en"), capsys
    )
    assert code == 2 and "have no zone number in front, which EPSG:4527 expects: set crs: EPSG:4548" in text
