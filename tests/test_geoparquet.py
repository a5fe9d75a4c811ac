"""The direct Arrow GeoParquet writer: the same file geopandas writes, and a content digest."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from geopandas.testing import assert_geodataframe_equal

from conftest import BUPT_OSM
from urbanrisk.geoparquet import geoparquet_table, table_digest, write_geoparquet
from urbanrisk.layer_store import read_bbox
from urbanrisk.layers.osm import osm_from_file


@pytest.fixture(scope="module")
def bupt():
    return osm_from_file(BUPT_OSM)


@pytest.mark.parametrize("layer", ["buildings", "pois", "landuse", "streets"])
def test_the_file_is_the_one_geopandas_writes(bupt, layer, tmp_path):
    frame = getattr(bupt, layer).reset_index(names="_row")
    ours, theirs = tmp_path / "ours.parquet", tmp_path / "theirs.parquet"
    frame.to_parquet(theirs, index=False, write_covering_bbox=True, row_group_size=16)
    write_geoparquet(geoparquet_table(frame), str(ours), row_group_size=16)
    a, b = pq.read_schema(theirs), pq.read_schema(ours)
    assert b.remove_metadata() == a.remove_metadata()  # names, order and types, bbox struct included
    assert b.field("geometry").metadata == a.field("geometry").metadata  # geoarrow.wkb with its CRS
    assert json.loads(b.metadata[b"geo"]) == json.loads(a.metadata[b"geo"])  # bbox, covering, CRS, types
    assert pq.ParquetFile(ours).metadata.num_row_groups == pq.ParquetFile(theirs).metadata.num_row_groups > 1
    assert_geodataframe_equal(gpd.read_parquet(ours), gpd.read_parquet(theirs))
    west, south, east, north = frame.total_bounds
    bounds = (west, south, (west + east) / 2, (south + north) / 2)
    mine, reference = read_bbox(pq.ParquetFile(ours), bounds), read_bbox(pq.ParquetFile(theirs), bounds)
    assert 0 < len(mine) < len(frame)
    assert_geodataframe_equal(mine, reference)


def test_the_digest_follows_the_content_not_the_skipped_columns(bupt):
    frame = bupt.buildings.reset_index(names="_row")
    digest = table_digest(geoparquet_table(frame), skip=("_row", "bbox"))
    renumbered = frame.assign(_row=frame["_row"] + 1000)
    assert table_digest(geoparquet_table(renumbered), skip=("_row", "bbox")) == digest
    edited = frame.copy()
    edited.loc[3, "floor_area_m2"] += 1.0
    assert table_digest(geoparquet_table(edited), skip=("_row", "bbox")) != digest
    moved = frame.copy()
    moved.loc[5, "geometry"] = moved.geometry.iloc[5].buffer(1e-6)
    assert table_digest(geoparquet_table(moved), skip=("_row", "bbox")) != digest
    reordered = pd.concat([frame.iloc[1:], frame.iloc[:1]])
    assert table_digest(geoparquet_table(reordered), skip=("_row", "bbox")) != digest


def test_the_digest_does_not_depend_on_memory_layout(bupt):
    # a partition taken by a mask (fresh arrays) or as a slice of the rows grouped by partition (views
    # into larger arrays, nulls in shape_wkb, lists in node_ids) digests the same
    for frame in (bupt.pois, bupt.streets):
        frame = frame.reset_index(names="_row")
        group = np.arange(len(frame)) % 3
        masked = frame[group == 1]
        sliced = frame.iloc[np.argsort(group, kind="stable")].iloc[(group == 0).sum() :][: len(masked)]
        assert_geodataframe_equal(sliced, masked)
        tables = [geoparquet_table(part) for part in (masked, sliced)]
        assert table_digest(tables[0], skip=("bbox",)) == table_digest(tables[1], skip=("bbox",))
