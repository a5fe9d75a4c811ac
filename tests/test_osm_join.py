"""The OSM layers of extracts read whole, joined once for the run and for validate (layers/osm_join)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

from urbanrisk.layers.osm import OsmLayers
from urbanrisk.layers.osm_join import BUILDING_COLUMNS, POI_COLUMNS, osm_frames


def _extract(way: int, nodes: dict[int, tuple[float, float]], bounds: tuple) -> OsmLayers:
    empty = gpd.GeoDataFrame({"osm_ref": []}, geometry=[], crs=4326)
    ids = list(nodes)
    streets = gpd.GeoDataFrame(
        {"way_id": [way], "highway": ["residential"], "name": [f"W{way}"], "node_ids": [ids]},
        geometry=[LineString(list(nodes.values()))],
        crs=4326,
    )
    street_nodes = pd.DataFrame(
        {"lon": [p[0] for p in nodes.values()], "lat": [p[1] for p in nodes.values()]},
        index=pd.Index(ids, name="osmid"),
    )
    pois = gpd.GeoDataFrame(
        {"osm_ref": [f"node/{way}"], "kind": ["school"]}, geometry=[Point(0, 0)], crs=4326
    )
    return OsmLayers(empty, pois, empty, streets, bounds, {"streets": 1}, street_nodes)


def test_extracts_are_joined_in_order_a_shared_node_once_at_its_first_location():
    first = _extract(1, {10: (0.0, 0.0), 11: (1.0, 0.0)}, (0, 0, 1, 1))
    second = _extract(2, {11: (1.5, 0.0), 12: (2.0, 0.0)}, (1, 0, 2, 1))  # node 11 in both extracts
    joined = osm_frames({"a": first, "b": second})
    assert joined["streets"]["way_id"].tolist() == [1, 2]
    assert joined["streets"].index.tolist() == [0, 1]  # numbered anew
    assert joined["pois"]["osm_ref"].tolist() == ["node/1", "node/2"]
    assert joined["street_nodes"].index.tolist() == [10, 11, 12]
    assert joined["street_nodes"].loc[11, "lon"] == 1.0  # the first extract's
    assert joined["osm_bounds"] == {"a": (0, 0, 1, 1), "b": (1, 0, 2, 1)}
    assert joined["stats"] == {"a": {"streets": 1}, "b": {"streets": 1}}
    # an extract without buildings: the layer empty, with the standard columns and CRS
    assert list(joined["buildings"].columns) == [*BUILDING_COLUMNS, "geometry"]
    assert joined["buildings"].crs == "EPSG:4326"


def test_no_extract_gives_empty_layers_of_the_standard_columns():
    joined = osm_frames({})
    assert list(joined["pois"].columns) == [*POI_COLUMNS, "geometry"] and not len(joined["pois"])
    assert list(joined["street_nodes"].columns) == ["lon", "lat"] and not len(joined["street_nodes"])
    assert joined["osm_bounds"] == {} and joined["stats"] == {}
