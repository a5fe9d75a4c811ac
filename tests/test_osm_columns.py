"""The whole-file OSM read in bounded pieces (rows made columns batch by batch, streets parsed block by
block, street nodes gathered per block) gives the layers the read of everything at once gives."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely

from conftest import WUDAOKOU_OSM
from urbanrisk.layers import osm as osm_module
from urbanrisk.layers.osm import BUILDING_COLUMNS, osm_from_file
from urbanrisk.layers.osm_columns import LayerColumns, StreetNodes, frame_of
from urbanrisk.layers.osm_pass import system_arrow_pool


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    if "geometry" in a:
        assert np.array_equal(shapely.to_wkb(a.geometry.to_numpy()), shapely.to_wkb(b.geometry.to_numpy()))


def _square(x: float) -> bytes:
    return shapely.to_wkb(shapely.box(x, 0, x + 1, 1))


BOWTIE = shapely.to_wkb(shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]))  # invalid: made valid


def test_rows_taken_in_batches_make_the_frame_all_rows_make():
    """A column with no value in one batch and text in another is text; one with no value at all is
    object (as pandas infers it from the rows); invalid outlines made valid in each batch."""
    rows = [
        ("way/1", "yes", None, None, "", _square(0)),
        ("way/2", "house", None, None, "A", BOWTIE),
        ("way/3", "yes", "5", None, "", _square(2)),
        ("relation/4", "school", None, None, "校", _square(3)),
        ("way/5", "yes", "2;3", None, "", _square(4)),
    ]
    columns = LayerColumns(BUILDING_COLUMNS)
    for start in (0, 2, 4):
        batch = rows[start : start + 2]
        columns.take(batch)
        assert batch == []  # the rows go once they are columns
    frame = columns.frame()
    whole = frame_of(list(rows), BUILDING_COLUMNS)
    _same(frame, whole)
    assert str(frame["levels_tag"].dtype) == "str" and frame["height_tag"].dtype == object
    assert frame["levels_tag"].isna().tolist() == [True, True, False, True, False]
    assert frame.geometry.is_valid.all() and frame.geometry.iloc[1].geom_type == "MultiPolygon"
    assert columns.geometry == [] and columns.text == {}  # the batches go once they are a frame
    _same(LayerColumns(BUILDING_COLUMNS).frame(), frame_of([], BUILDING_COLUMNS))


def test_street_nodes_gathered_per_block_are_each_node_once_where_it_first_appears():
    import geopandas as gpd

    block = gpd.GeoDataFrame(
        {"node_ids": [[30, 10], [10, 20, 40]]},
        geometry=[shapely.LineString([(3, 0), (1, 0)]), shapely.LineString([(1.5, 0), (2, 0), (4, 0)])],
    )
    unaligned = gpd.GeoDataFrame(
        {"node_ids": [[50, 60, 70]]}, geometry=[shapely.LineString([(5, 0), (6, 0)])]
    )
    nodes = StreetNodes()
    for part in (block, block.iloc[:0], unaligned, block.iloc[1:]):  # node 10 moved later: first wins
        nodes.add(part["node_ids"].tolist(), part.geometry.to_numpy())
    found = nodes.frame()
    assert found.index.name == "osmid" and found.index.dtype == np.int64
    assert found.index.tolist() == [10, 20, 30, 40]  # sorted; the unaligned way's nodes left out
    assert found["lon"].tolist() == [1.0, 2.0, 3.0, 4.0] and (found["lat"] == 0).all()


def test_a_read_in_small_batches_and_blocks_gives_the_layers_of_one_batch(monkeypatch):
    """Wudaokou read with 64-row batches and 8 KB blocks of street text (~10 of each) and in one."""
    whole = osm_from_file(WUDAOKOU_OSM)
    taken, blocks = [], []
    take, street_columns = LayerColumns.take, osm_module.street_columns
    monkeypatch.setattr(LayerColumns, "take", lambda self, rows: taken.append(len(rows)) or take(self, rows))
    monkeypatch.setattr(osm_module, "street_columns", lambda *args: blocks.append(1) or street_columns(*args))
    monkeypatch.setattr(osm_module, "BATCH_ROWS", 64)
    small_blocks = functools.partial(osm_module.read_pass, street_block=1 << 13)
    monkeypatch.setattr(osm_module, "read_pass", small_blocks)
    pieces = osm_from_file(WUDAOKOU_OSM)
    assert sum(rows > 0 for rows in taken) > 10 and len(blocks) > 5
    for name in ("buildings", "pois", "landuse", "streets", "street_nodes"):
        _same(getattr(pieces, name), getattr(whole, name))
    assert pieces.stats == whole.stats and pieces.bounds == whole.bounds


def test_the_opl_parse_takes_the_system_pool_and_gives_the_default_back():
    before = pa.default_memory_pool()
    with pytest.raises(ValueError, match="cut"), system_arrow_pool():
        assert pa.default_memory_pool().backend_name == "system"
        raise ValueError("cut")
    assert pa.default_memory_pool().backend_name == before.backend_name
