"""Layer loaders on real extracts and hand-made files: standard schema, offline, clear errors."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import box

from conftest import BALTIMORE_PBF, BUPT_OSM, DATA, WUDAOKOU_HAZARDS, WUDAOKOU_OSM
from urbanrisk import LayerError
from urbanrisk.layers.buildings import footprint_crs, footprints
from urbanrisk.layers.coords import (
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from urbanrisk.layers.osm import osm_from_file, parse_levels
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.raster import raster_info

# (wgs lat, wgs lon, gcj lat, gcj lon): published reference pairs (eviltransform test suite)
GCJ_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), GCJ_PAIRS)
def test_gcj02_reference_pairs(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(np.array([wlon]), np.array([wlat]))
    assert abs(lon[0] - glon) < 1e-9 and abs(lat[0] - glat) < 1e-9
    lon, lat = gcj02_to_wgs84(np.array([glon]), np.array([glat]))
    assert abs(lon[0] - wlon) < 1e-8 and abs(lat[0] - wlat) < 1e-8  # ~1 mm


def test_bd09_reference_pairs():
    # Tiananmen, as published with the coordtransform library: BD-09 (116.404, 39.915)
    lon, lat = bd09_to_gcj02(np.array([116.404]), np.array([39.915]))
    assert abs(lon[0] - 116.39762729119315) < 1e-9 and abs(lat[0] - 39.90865673957631) < 1e-9
    lon, lat = gcj02_to_bd09(np.array([116.404]), np.array([39.915]))
    assert abs(lon[0] - 116.41036949371029) < 1e-9 and abs(lat[0] - 39.92133699351022) < 1e-9
    # round trip WGS84 -> GCJ-02 -> BD-09 -> WGS84
    wlon, wlat = np.array([116.3317, 121.5]), np.array([39.9916, 31.2])
    back = to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(wlon, wlat)), "bd09")
    assert np.allclose(back[0], wlon, atol=1e-8) and np.allclose(back[1], wlat, atol=1e-8)


def test_outside_china_is_unchanged():
    lon, lat = wgs84_to_gcj02(np.array([-76.6]), np.array([39.3]))
    assert lon[0] == -76.6 and lat[0] == 39.3


def test_wudaokou_extract_standard_layers():
    osm = osm_from_file(WUDAOKOU_OSM)
    assert osm.bounds == pytest.approx((116.3084, 39.9905, 116.3320, 40.0123))
    assert len(osm.buildings) == 521  # SOURCES.md counts 520 building ways + 1 multipolygon relation
    assert len(osm.streets) == 678  # highway ways that are not areas
    assert osm.stats["ways_missing_nodes"] == 0
    fuel = osm.pois[osm.pois["kind"] == "fuel"]
    assert fuel["osm_ref"].tolist() == ["node/380739844"]
    assert fuel["name"].tolist() == ["中国石化"]  # brand when no name
    assert set(osm.pois["kind"]) >= {"school", "hospital", "subway_entrance", "restaurant", "police"}
    assert (osm.buildings["floor_area_m2"] >= osm.buildings["footprint_m2"]).all()
    assert set(osm.buildings["levels_source"]) == {"tag", "default"}
    # footprints are projected a chunk at a time: the same metres as projecting the layer whole
    crs = footprint_crs(osm.buildings.total_bounds)
    projected = osm.buildings.to_crs(crs).area.to_numpy()
    assert np.array_equal(osm.buildings["footprint_m2"].to_numpy(), projected)
    assert np.array_equal(footprints(osm.buildings.geometry.to_numpy(), crs, chunk=100), projected)


def test_pbf_and_bz2_read_offline(tmp_path):
    balt = osm_from_file(BALTIMORE_PBF)
    kinds = balt.pois.drop_duplicates("osm_ref")["kind"].value_counts()
    assert kinds["fire_station"] == 10  # SOURCES.md: 8 nodes + 2 ways
    assert kinds["hospital"] == 10  # 6 nodes + 4 ways
    assert len(balt.streets) == 3841
    packed = tmp_path / "bupt.osm.bz2"
    packed.write_bytes(bz2.compress(BUPT_OSM.read_bytes()))
    plain, compressed = osm_from_file(BUPT_OSM), osm_from_file(packed)
    assert len(plain.buildings) == len(compressed.buildings) == 111
    assert plain.buildings["footprint_m2"].sum() == pytest.approx(compressed.buildings["footprint_m2"].sum())


def test_clipped_extract_drops_ways_with_missing_nodes_and_counts_them():
    osm = osm_from_file(DATA / "clipped.osm")
    assert osm.stats["ways_missing_nodes"] == 1
    assert osm.streets["way_id"].tolist() == [12]
    building = osm.buildings.iloc[0]
    assert building["levels"] == 5 and building["levels_source"] == "tag"
    # footprint: a 0.0002° x 0.0002° square at 39.9996° N, checked against a geodesic computation
    geodesic = abs(Geod(ellps="WGS84").geometry_area_perimeter(box(116.3095, 39.9995, 116.3097, 39.9997))[0])
    assert building["footprint_m2"] == pytest.approx(geodesic, rel=2e-3)
    assert building["floor_area_m2"] == pytest.approx(5 * building["footprint_m2"])
    # names are kept as text (escaped where HTML is written), never interpreted
    assert osm.pois["name"].tolist() == ["<img src=x onerror=alert(1)>"]


def test_cut_osm_file_is_a_clear_error(tmp_path):
    cut = tmp_path / "cut.osm"
    cut.write_bytes(WUDAOKOU_OSM.read_bytes()[:1_200_000])
    with pytest.raises(LayerError, match=r"cut\.osm: cannot read this OSM file .*is it complete\?"):
        osm_from_file(cut)


@pytest.mark.parametrize(
    ("text", "levels"), [("6", 6.0), ("5;7", 5.0), ("3,5", 3.5), ("0", None), ("x", None)]
)
def test_parse_levels(text, levels):
    value = parse_levels(text)
    assert (np.isnan(value) and levels is None) or value == levels


def test_hazard_registry_csv():
    pts = points_from_file(
        WUDAOKOU_HAZARDS, layer="hazards", lon="lon", lat="lat", severity_order="4_is_most_severe"
    )
    assert list(pts.columns) == ["id", "kind", "name", "severity", "source", "geometry"]
    assert pts["kind"].tolist() == ["fuel", "industrial"]
    assert pts.crs.to_epsg() == 4326
    assert pts.geometry.x.iloc[0] == pytest.approx(116.3096253)


def test_gcj02_registry_is_converted(tmp_path):
    wlon, wlat = 116.3096253, 39.9992962
    glon, glat = wgs84_to_gcj02(np.array([wlon]), np.array([wlat]))
    csv = tmp_path / "h.csv"
    csv.write_text(f"id,kind,x,y\nA,fuel,{glon[0]:.10f},{glat[0]:.10f}\n", encoding="utf-8")
    pts = points_from_file(csv, lon="x", lat="y", coords="gcj02")
    assert pts.geometry.x.iloc[0] == pytest.approx(wlon, abs=1e-8)
    assert pts.geometry.y.iloc[0] == pytest.approx(wlat, abs=1e-8)
    raw = points_from_file(csv, lon="x", lat="y")
    shift = Geod(ellps="WGS84").inv(raw.geometry.x.iloc[0], raw.geometry.y.iloc[0], wlon, wlat)[2]
    assert 100 < shift < 1000  # the offset a GCJ-02 registry would carry unconverted


def test_swapped_csv_columns_are_detected(tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text("id,kind,lon,lat\nA,fuel,39.99,116.31\n", encoding="utf-8")
    with pytest.raises(LayerError, match="lon and lat columns look swapped"):
        points_from_file(csv)


def test_geojson_without_crs_needs_crs(tmp_path):
    path = tmp_path / "h.geojson"
    feature = {
        "type": "Feature",
        "properties": {"id": "A", "kind": "gas"},
        "geometry": {"type": "Point", "coordinates": [452000.0, 4428000.0]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    # GeoJSON is WGS84 by definition, so GDAL assigns it; projected numbers then fail the range check
    with pytest.raises(LayerError, match="projected coordinates"):
        points_from_file(path)
    gpkg = tmp_path / "h.gpkg"
    frame = gpd.GeoDataFrame(
        {"id": ["A"], "kind": ["gas"]}, geometry=gpd.points_from_xy([452000.0], [4428000.0])
    )
    with pytest.warns(UserWarning, match="'crs' was not provided"):  # the registry we are testing for
        frame.to_file(gpkg)
    with pytest.raises(LayerError, match="has no coordinate reference system; say which it is with `crs:`"):
        points_from_file(gpkg)
    pts = points_from_file(gpkg, crs="EPSG:32650")
    assert pts.geometry.x.iloc[0] == pytest.approx(116.44, abs=0.01)  # UTM 50N -> Beijing


def test_registry_errors_are_explained(tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text("id,kind,lon,lat,severity\nA,fule,116.3,39.9,2\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"unknown hazard kind\(s\) 'fule' \(did you mean 'fuel'\?\)"):
        points_from_file(csv)
    csv.write_text("id,kind,lon,lat,severity\nA,fuel,116.3,39.9,7\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"column 'severity' .*row 2: '7' is not a grade"):
        points_from_file(csv, severity_order="4_is_most_severe")
    csv.write_text("id,kind,lon,lat\nA,fuel,116.3,north\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"non-numeric lon/lat .* in row 2"):
        points_from_file(csv)
    csv.write_text("id,kind,lon,lat\nA,fuel,116.3,39.9\nB,fuel,inf,39.9\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"non-numeric lon/lat .* in row 3 \(text, empty or infinite\)"):
        points_from_file(csv)
    # a GeoJSON point at NaN (or with no geometry) ran, dropped as "outside the area", with a shapely warning
    point = '{"type":"Feature","properties":{"kind":"fuel"},"geometry":%s}'
    features = [
        point % '{"type":"Point","coordinates":[116.3,39.9]}',
        point % '{"type":"Point","coordinates":[NaN,39.9]}',
    ]
    (tmp_path / "h.geojson").write_text(f'{{"type":"FeatureCollection","features":[{",".join(features)}]}}')
    with pytest.raises(LayerError, match=r"h\.geojson: feature\(s\) 2 have no finite lon/lat"):
        points_from_file(tmp_path / "h.geojson")
    features[1] = point % "null"  # read by GDAL and left out: one hazard fewer, without a word
    (tmp_path / "h.geojson").write_text(f'{{"type":"FeatureCollection","features":[{",".join(features)}]}}')
    with pytest.raises(LayerError, match=r"h\.geojson: feature\(s\) 2 have no geometry"):
        points_from_file(tmp_path / "h.geojson")
    csv.write_text("id,kind,lon,lat\n", encoding="utf-8")
    with pytest.raises(LayerError, match="holds no points"):
        points_from_file(csv)
    csv.write_text("id,kind,lon,lat\nA,fuel,116.3,39.9\nA,gas,116.3,39.9\n", encoding="utf-8")
    with pytest.raises(LayerError, match="id 'A' appears more than once"):
        points_from_file(csv)


def test_corrupt_raster_is_a_clear_error(tmp_path):
    bad = tmp_path / "pop.tif"
    bad.write_bytes(b"II*\x00" + b"garbage" * 100)
    with pytest.raises(LayerError, match=r"cannot read .*pop\.tif as a GeoTIFF"):
        raster_info(bad)


def test_registry_without_severity_takes_each_kinds_default(tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text("id,kind,lon,lat\nA,chemical,116.3,39.9\nB,power,116.3,39.9\n", encoding="utf-8")
    pts = points_from_file(csv)
    # the same defaults as hazards read from OSM (layers/tables/hazard_kinds.csv)
    assert pts["severity"].tolist() == [4, 2]
    assert points_from_file(csv, default_severity={"chemical": 3})["severity"].tolist() == [3, 2]


def test_street_nodes_come_from_way_vertices_and_a_way_without_length_is_dropped(tmp_path):
    path = tmp_path / "ways.osm"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <bounds minlat="39.99" minlon="116.30" maxlat="40.00" maxlon="116.31"/>
 <node id="1" lat="39.995" lon="116.305" version="1"/>
 <node id="2" lat="39.995" lon="116.305" version="1"/>
 <node id="3" lat="39.996" lon="116.306" version="1"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
 <way id="11" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>""",
        encoding="utf-8",
    )
    osm = osm_from_file(path)
    # way 10 has two nodes at one location: no line, dropped and counted
    assert osm.streets["way_id"].tolist() == [11]
    assert osm.stats["ways_degenerate"] == 1
    # way 11 keeps its repeated location, so that vertex i is node i
    assert osm.streets["node_ids"].iloc[0] == [1, 2, 3]
    assert osm.street_nodes.loc[[1, 2, 3], ["lon", "lat"]].to_numpy().tolist() == [
        [116.305, 39.995],
        [116.305, 39.995],
        [116.306, 39.996],
    ]


def test_url_inputs_are_copied_again_when_the_remote_file_changes():
    import time

    import fsspec

    from urbanrisk.layers.remote import local_copy

    fs = fsspec.filesystem("memory")
    url = "memory://urbanrisk-remote/registry.csv"
    fs.pipe("/urbanrisk-remote/registry.csv", b"one")
    first = local_copy(url)
    assert Path(first).read_text() == "one"
    mtime = Path(first).stat().st_mtime_ns
    assert local_copy(url) == first and Path(first).stat().st_mtime_ns == mtime  # unchanged: not fetched
    time.sleep(0.01)
    fs.pipe("/urbanrisk-remote/registry.csv", b"two")  # same size, new content
    assert Path(local_copy(url)).read_text() == "two"
