"""A building mapped as a multipolygon relation and as its tagged outer ways is one building: the relation
(:mod:`urbanrisk.layers.building_outers`), in the whole-file reader and in the partitioned ingest alike."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from conftest import BALTIMORE_PBF
from urbanrisk.ingest import ingest_osm
from urbanrisk.layers.building_outers import renumbered
from urbanrisk.layers.buildings import footprint_crs, footprints
from urbanrisk.layers.osm import osm_from_file

# closed square ways: id -> (west, south, east, north), tags
SQUARES = {
    60: ((116.3000, 39.9900, 116.3010, 39.9910), {"building": "yes", "building:levels": "3"}),  # outer of 50
    61: ((116.3030, 39.9900, 116.3040, 39.9910), {"building": "yes", "name": "Shop"}),  # outer of 50, no role
    62: ((116.3100, 39.9900, 116.3120, 39.9920), {}),  # relation 51's untagged outer
    63: ((116.3105, 39.9905, 116.3115, 39.9915), {"building": "yes"}),  # in 51's courtyard: another building
    64: ((116.3200, 39.9900, 116.3210, 39.9910), {"building": "retail"}),  # outer of 52, a land use
    65: ((116.3300, 39.9900, 116.3320, 39.9920), {"building": "yes"}),
    66: ((116.3305, 39.9905, 116.3310, 39.9910), {"building": "yes"}),  # inside 65, no relation: stays
    67: ((116.3312, 39.9912, 116.3318, 39.9918), {"building:part": "yes", "building:levels": "9"}),  # in 65
    68: ((116.3400, 39.9900, 116.3410, 39.9910), {"building": "yes"}),  # outer of 53, which cannot be made
}
RELATIONS = [
    (50, [(60, "outer"), (61, "")], {"type": "multipolygon", "building": "yes", "name": "Plant"}),
    (51, [(62, "outer"), (63, "inner")], {"type": "multipolygon", "building": "yes"}),
    (52, [(64, "outer")], {"type": "multipolygon", "landuse": "retail"}),
    (53, [(68, "outer"), (99, "outer")], {"type": "multipolygon", "building": "yes"}),  # way 99 missing
]
KEPT = ["relation/50", "way/63", "relation/51", "way/64", "way/65", "way/66", "way/68"]


def _write(path, squares=SQUARES, relations_given=RELATIONS) -> None:
    nodes, ways = [], []
    for way_id, ((west, south, east, north), tags) in squares.items():
        first = way_id * 10
        corners = [(west, south), (east, south), (east, north), (west, north)]
        nodes += [
            f'<node id="{first + i}" version="1" lon="{x}" lat="{y}"/>' for i, (x, y) in enumerate(corners)
        ]
        ways.append(f'<way id="{way_id}" version="1">')
        ways += [f'<nd ref="{first + i}"/>' for i in (0, 1, 2, 3, 0)]
        ways += [f'<tag k="{k}" v="{escape(v)}"/>' for k, v in tags.items()]
        ways.append("</way>")
    relations = []
    for relation, members, tags in relations_given:
        relations.append(f'<relation id="{relation}" version="1">')
        relations += [f'<member type="way" ref="{ref}" role="{role}"/>' for ref, role in members]
        relations += [f'<tag k="{k}" v="{escape(v)}"/>' for k, v in tags.items()]
        relations.append("</relation>")
    text = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6">',
        *nodes,
        *ways,
        *relations,
        "</osm>",
    ]
    path.write_text("\n".join(text), encoding="utf-8")


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "outers.osm"
    _write(path)
    return path


def test_a_building_relations_tagged_outer_ways_are_counted_once_as_the_relation(extract):
    osm = osm_from_file(extract)
    buildings = osm.buildings
    # ways 60 and 61 are the relation's outers (61 by libosmium's empty role); 63 is an inner, 64 the
    # outer of a land use, 66 inside another building, 68 the outer of a relation not made: all stay;
    # the building:part 67 is no building
    assert sorted(buildings["osm_ref"]) == sorted(KEPT)
    assert buildings.index.tolist() == list(range(len(KEPT)))
    assert osm.stats["building_outer_ways"] == 2
    assert osm.stats["buildings"] == len(KEPT)
    plant = buildings.set_index("osm_ref").loc["relation/50"]
    assert plant["name"] == "Plant"
    # its footprint is its two rings', once (not three times: the relation and each way)
    rings = np.array([shapely.box(*SQUARES[way][0]) for way in (60, 61)])
    crs = footprint_crs(buildings.total_bounds)
    assert plant["footprint_m2"] == pytest.approx(footprints(rings, crs).sum(), rel=1e-9)
    assert 2 * 85 * 111 < plant["footprint_m2"] < 2 * 86 * 112  # ~85.2 m x 111.2 m each, at 40° N
    # relation 51's courtyard is no footprint of its own; the building in it is one
    courtyard = buildings.set_index("osm_ref").loc[["relation/51", "way/63"], "footprint_m2"]
    outer, inner = (footprints(np.array([shapely.box(*SQUARES[way][0])]), crs)[0] for way in (62, 63))
    assert courtyard.tolist() == pytest.approx([outer - inner, inner], rel=1e-9)
    # the land use and the POIs keep every area (the rule is the buildings')
    assert "relation/52" in set(osm.landuse["osm_ref"])


@pytest.mark.parametrize("flush_rows", [1, 1000])
def test_the_ingest_drops_the_same_rows_and_numbers_the_rest_as_the_whole_file_reader(extract, flush_rows):
    whole = osm_from_file(extract)
    # resolution 12 (~10 m cells): way 61 alone in its partition, which the rule leaves empty
    store = ingest_osm(
        extract, f"memory://outers-{flush_rows}", partition_resolution=12, flush_rows=flush_rows
    )
    parts = [store.read_part("buildings", part) for part in store.parts("buildings")]
    union = pd.concat(parts).sort_index()
    assert_geodataframe_equal(union, whole.buildings, check_index_type="equiv")
    assert store.manifest["stats"] == whole.stats
    assert all(len(part) for part in parts)  # no empty partition listed


def test_renumbered_takes_off_the_dropped_rows_before_each_row():
    rows = np.array([0, 1, 3, 4, 6, 9])
    assert renumbered(rows, np.array([2, 5, 7, 8])).tolist() == [0, 1, 2, 3, 4, 5]
    assert renumbered(rows, np.array([], dtype=np.int64)).tolist() == rows.tolist()


def test_baltimores_power_plant_is_one_building_not_four():
    """Relation 2380253 ("The Power Plant") and its three outer ways, each tagged building=yes: the
    only such case in the shipped extracts (osm13's report, session 13)."""
    osm = osm_from_file(BALTIMORE_PBF)
    refs = set(osm.buildings["osm_ref"])
    assert "relation/2380253" in refs
    assert not refs & {"way/178328552", "way/178328319", "way/178328614"}
    assert osm.stats["building_outer_ways"] == 3
    assert len(osm.buildings) == 1733  # 1,736 before


# relations lacking tags their outer ways give: 80 (its ways agree on a name and floors; one gives a
# height), 81 (they disagree), 82 (one way gives floors, the other none; the relation its own name),
# 83 (every way the same height, no floors)
TAGGED_WAYS = {
    90: (
        (116.3000, 39.9900, 116.3010, 39.9910),
        {"building": "yes", "name": "Barnes & Noble", "building:levels": "2"},
    ),
    91: ((116.3010, 39.9900, 116.3020, 39.9910), {"building": "yes", "building:levels": "2", "height": "30"}),
    92: ((116.3100, 39.9900, 116.3110, 39.9910), {"building": "yes", "name": "A", "building:levels": "2"}),
    93: ((116.3120, 39.9900, 116.3130, 39.9910), {"building": "yes", "name": "B", "building:levels": "4"}),
    94: ((116.3200, 39.9900, 116.3210, 39.9910), {"building": "yes", "name": "Shop", "building:levels": "3"}),
    95: ((116.3220, 39.9900, 116.3230, 39.9910), {"building": "yes"}),
    96: ((116.3300, 39.9900, 116.3310, 39.9910), {"building": "yes", "height": "15"}),
    97: ((116.3320, 39.9900, 116.3330, 39.9910), {"building": "yes", "height": "15"}),
}
TAGGED_RELATIONS = [
    (80, [(90, "outer"), (91, "outer")], {"type": "multipolygon", "building": "yes"}),
    (81, [(92, "outer"), (93, "outer")], {"type": "multipolygon", "building": "yes"}),
    (82, [(94, "outer"), (95, "outer")], {"type": "multipolygon", "building": "yes", "name": "Plant"}),
    (83, [(96, "outer"), (97, "outer")], {"type": "multipolygon", "building": "yes"}),
]


@pytest.mark.parametrize("flush_rows", [1, 1000])
def test_a_kept_relation_takes_the_tags_it_lacks_from_its_outer_ways(tmp_path, flush_rows):
    """The name its named outer ways agree on; a floor count or height only when every outer way gives
    the same (one way's is no count of the other's); its own tags stand. Before: relation 80 unnamed,
    its floors the default, its ways' name and floors lost with them."""
    path = tmp_path / "tagged.osm"
    _write(path, TAGGED_WAYS, TAGGED_RELATIONS)
    osm = osm_from_file(path)
    rows = osm.buildings.set_index("osm_ref")
    assert sorted(rows.index) == ["relation/80", "relation/81", "relation/82", "relation/83"]
    assert osm.stats["building_outer_ways"] == 8
    columns = ["name", "levels", "levels_source"]
    assert rows.loc["relation/80", columns].tolist() == ["Barnes & Noble", 2.0, "tag"]  # not 30 m: one way's
    assert rows.loc["relation/81", columns].tolist() == ["", 4.0, "default"]
    assert rows.loc["relation/82", columns].tolist() == ["Plant", 4.0, "default"]
    assert rows.loc["relation/83", columns].tolist() == ["", 5.0, "height"]  # 15 m / 3 m a floor
    store = ingest_osm(path, f"memory://tagged-{flush_rows}", partition_resolution=12, flush_rows=flush_rows)
    union = pd.concat([store.read_part("buildings", part) for part in store.parts("buildings")]).sort_index()
    assert_geodataframe_equal(union, osm.buildings, check_index_type="equiv")


def test_the_inherited_positions_are_the_readers_columns():
    from urbanrisk.layers.building_outers import INHERITED
    from urbanrisk.layers.osm import BUILDING_COLUMNS

    assert [BUILDING_COLUMNS[position] for position, _, _ in INHERITED.values()] == list(INHERITED)
