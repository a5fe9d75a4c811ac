"""``access=no`` ways (session 15, fresh15): osmnx's drive filter drops ``access=private`` but keeps
``access=no``, so the fire standard on the shipped Baltimore extract routed through the closed streets
by Fort McHenry (Nimitz Drive, Leahy Street). urbanrisk drops them from every mode unless a more
specific tag of the mode opens them: ``vehicle``/``motor_vehicle``/``motorcar``/``emergency`` for the
driving modes (the standards' vehicles are fire engines and ambulances), ``foot`` for walking.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from conftest import BALTIMORE_PBF
from urbanrisk.coverage import Standard, cover_cells
from urbanrisk.grid import grid_frame
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.network import street_graph
from urbanrisk.street_rules import usable_ways

NIMITZ_DRIVE, LEAHY_STREET = 6003495, 6004426  # access=no, no other access tag
EMERGENCY_ONLY = 183321679  # service road: access=no, vehicle=no, motor_vehicle=official, emergency=yes
VEHICLE_NO_ALLEY = 292628815  # service=alley, vehicle=no, no other access tag (fix17)


@pytest.fixture(scope="module")
def baltimore():
    return osm_from_file(BALTIMORE_PBF)


def test_the_closed_fort_mchenry_streets_are_in_no_network_and_an_emergency_road_is_in_drive_service(
    baltimore,
):
    streets = baltimore.streets.set_index("way_id", drop=False)
    assert (streets.loc[[NIMITZ_DRIVE, LEAHY_STREET], "access"] == "no").all()
    assert streets.loc[EMERGENCY_ONLY, "emergency"] == "yes"
    for mode in ("drive", "drive_service", "walk"):
        graph = street_graph(baltimore.streets, baltimore.street_nodes, mode=mode, utm_crs="EPSG:32618")
        ways = set(graph.edges["way_id"])
        assert not ways & {NIMITZ_DRIVE, LEAHY_STREET}, mode
        assert (EMERGENCY_ONLY in ways) == (mode == "drive_service"), mode  # a service road; foot=no
    closed = baltimore.streets["access"].eq("no").to_numpy()
    assert closed.sum() >= 3 and not (usable_ways(baltimore.streets, mode="drive") & closed).any()


def test_a_vehicle_no_alley_in_baltimore_is_walked_not_driven(baltimore):
    """vehicle=no without access=no: osmnx's drive_service keeps it (it drops motor_vehicle=no and
    motorcar=no only); the access hierarchy says no vehicle, motor vehicles included, may use it."""
    streets = baltimore.streets.set_index("way_id", drop=False)
    tags = streets.loc[VEHICLE_NO_ALLEY, ["vehicle", "access", "motor_vehicle", "motorcar", "emergency"]]
    assert tags.tolist() == ["no", "", "", "", ""]
    position = streets.index.get_loc(VEHICLE_NO_ALLEY)
    assert not usable_ways(baltimore.streets, mode="drive_service")[position]
    assert usable_ways(baltimore.streets, mode="walk")[position]
    driven = baltimore.streets["vehicle"].eq("no").to_numpy() & usable_ways(
        baltimore.streets, mode="drive_service"
    )
    assert (baltimore.streets.loc[driven, "emergency"] == "yes").all()  # only emergency roads stay


# A hand case: a station and a cell 1 km apart on a straight residential street whose middle 200 m
# carry the tags under test; the way round (2.2 km more) is open to all.
ORIGIN = (445_000.0, 4_427_000.0)
CASES = [  # middle way's tags, drive reaches through it, walk reaches through it
    ({}, True, True),
    ({"access": "no"}, False, False),
    ({"access": "no", "motor_vehicle": "yes"}, True, False),
    ({"access": "no", "vehicle": "designated"}, True, False),
    ({"access": "no", "emergency": "yes"}, True, False),
    ({"access": "no", "emergency": "no"}, False, False),
    ({"access": "no", "motor_vehicle": "yes", "motorcar": "no"}, False, False),  # osmnx's motorcar=no
    ({"access": "no", "foot": "yes"}, False, True),
    ({"access": "private", "emergency": "yes"}, False, False),  # osmnx's access=private, unchanged
    # vehicle=no (fix17): no vehicles, motor vehicles included (osmnx keeps it); a more specific tag of
    # the driving modes lifts it, a bicycle or foot tag does not; walking ignores it
    ({"vehicle": "no"}, False, True),
    ({"access": "yes", "vehicle": "no"}, False, True),  # the more specific tag wins
    ({"vehicle": "no", "motor_vehicle": "yes"}, True, True),
    ({"vehicle": "no", "motorcar": "designated"}, True, True),
    ({"vehicle": "no", "emergency": "yes"}, True, True),
    ({"vehicle": "no", "bicycle": "yes"}, False, True),
    ({"vehicle": "no", "foot": "yes"}, False, True),
    ({"access": "no", "vehicle": "no", "foot": "designated"}, False, True),
    ({"vehicle": "no", "motor_vehicle": "yes", "motorcar": "no"}, False, True),  # osmnx's motorcar=no
]


def _case(tags: dict[str, str]):
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
    x0, y0 = ORIGIN
    xy = {1: (x0, y0), 2: (x0 + 400, y0), 3: (x0 + 600, y0), 4: (x0 + 1000, y0), 5: (x0, y0 + 600)}
    xy[6] = (x0 + 1000, y0 + 600)
    lon, lat = to_lonlat.transform(*zip(*xy.values(), strict=True))
    nodes = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index(list(xy), name="node_id"))
    ways = [([1, 2], {}), ([2, 3], tags), ([3, 4], {}), ([1, 5, 6, 4], {})]
    columns = ["access", "vehicle", "motor_vehicle", "motorcar", "emergency", "foot", "bicycle"]
    rows = [
        {"way_id": i, "highway": "residential", "oneway": "", "maxspeed": "30", "node_ids": ids}
        | {c: t.get(c, "") for c in columns}
        for i, (ids, t) in enumerate(ways, 1)
    ]
    lines = [LineString([(nodes.loc[n, "lon"], nodes.loc[n, "lat"]) for n in ids]) for ids, _ in ways]
    streets = gpd.GeoDataFrame(rows, geometry=lines, crs=4326)
    cell = grid_frame(["8a31aa5a8007fff"])  # any cell: its centre is given below
    station = gpd.GeoDataFrame(
        {"id": ["s-1"], "kind": ["fire_station"]}, geometry=[Point(lon[0], lat[0])], crs=4326
    )
    return streets, nodes, cell.assign(residents=1.0), station, np.array([[x0 + 1000, y0]])


@pytest.mark.parametrize(("tags", "drives", "walks"), CASES)
def test_an_access_no_way_is_used_only_where_a_tag_of_the_mode_opens_it(tags, drives, walks):
    streets, nodes, cell, station, centre = _case(tags)
    for mode, through in (("drive", drives), ("walk", walks)):
        graph = street_graph(streets, nodes, mode=mode, utm_crs="EPSG:32650")
        standard = Standard("fire", "fire_station", mode, 1e6, "m", 0.0, "test")
        travel = (
            cover_cells(graph, standard, cell, station, max_snap_m=500.0, cells_xy=centre)
            .cells["travel"]
            .iloc[0]
        )
        length = 1000.0 if through else 1000.0 + 2 * 600.0  # straight through, or the way round
        assert travel == pytest.approx(length, rel=1e-3), (mode, tags)
