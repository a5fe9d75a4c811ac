"""The layers read from each shipped extract are pinned: a change to the OSM reader (its filters, its
location index, its columns) must give the same frames, value for value, row for row (issue #17).

The digests in ``data/osm_layer_digests.json`` were made by ``tests/osm_fingerprint.py`` on main
``a6a6c27``; a change that means to alter the layers regenerates them and says why in its commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM
from osm_fingerprint import frame_digest, layer_digests

PINNED = json.loads((Path(__file__).parent / "data" / "osm_layer_digests.json").read_text())


@pytest.mark.parametrize("path", [BUPT_OSM, WUDAOKOU_OSM, BALTIMORE_PBF], ids=lambda path: path.name)
def test_each_shipped_extract_reads_the_pinned_layers(path):
    assert layer_digests(path) == PINNED[path.name]


def test_the_digest_sees_one_changed_value_a_reordered_row_and_a_moved_vertex():
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"name": ["a", "b"], "levels": [1.0, float("nan")]},
        geometry=[shapely.Point(116.3, 39.9), shapely.Point(116.4, 39.95)],
        crs="EPSG:4326",
    )
    base = frame_digest(frame)
    assert frame_digest(frame.copy()) == base
    renamed = frame.copy()
    renamed.loc[1, "name"] = "c"
    moved = frame.copy()
    moved.loc[1, "geometry"] = shapely.Point(116.4, 39.9500001)
    missing = frame.copy()
    missing["levels"] = [1.0, 0.0]
    flipped = frame.iloc[::-1].reset_index(drop=True)
    digests = {frame_digest(other) for other in (renamed, moved, missing, flipped)}
    assert base not in digests and len(digests) == 4
