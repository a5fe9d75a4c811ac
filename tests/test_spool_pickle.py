"""A call pickled for a worker of the write stage, its geometries a chunk at a time
(:mod:`urbanrisk.outputs.spool_pickle`): the worker gets the same frames back and no file is left."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, box

from urbanrisk.outputs import spool_pickle


def test_a_call_with_geometries_comes_back_the_same_and_its_files_go(tmp_path, monkeypatch):
    monkeypatch.setattr(spool_pickle, "GEOMETRY_CHUNK", 2)  # five shapes: three chunks
    shapes = [box(0, 0, 1, 1), None, Point(116.3, 39.9), LineString([(0, 0), (1, 2), (3, 3)]), Polygon()]
    buildings = gpd.GeoDataFrame({"kind": list("abcde")}, geometry=shapes, crs="EPSG:4326")
    streets = gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[LineString([(1, 1), (2, 2)])], crs=32650)
    empty = buildings.iloc[:0]
    path = str(tmp_path / "call.pickle")
    spool_pickle.dump_call(path, len, ({"buildings": buildings, "streets": streets, "none": empty}, 3))
    assert (tmp_path / "call.pickle.shapes").stat().st_size > 0  # the shapes beside the pickle
    func, (layers, number) = spool_pickle.load_call(path)
    assert func is len and number == 3 and not list(tmp_path.iterdir())
    for name, frame in (("buildings", buildings), ("streets", streets), ("none", empty)):
        got = layers[name]
        assert isinstance(got, gpd.GeoDataFrame) and got.crs == frame.crs, name
        pd.testing.assert_frame_equal(got.drop(columns="geometry"), frame.drop(columns="geometry"))
        assert got.geometry.to_wkb().tolist() == frame.geometry.to_wkb().tolist(), name
