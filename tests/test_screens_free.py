"""The screens' coverage-free part on stored layers: a box's rows, partition by partition, each stored
partition read about once and only the last few kept."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Polygon

from urbanrisk.osm_store import PartsKept
from urbanrisk.screens_free import _box_reader, _named_lines
from urbanrisk.stored_osm import StoredOsm


@dataclass
class _Store:
    """An ingested store as :class:`urbanrisk.stored_osm.StoredOsm` reads it: a manifest of boxes and
    its partitions' rows, counting the reads."""

    frames: dict[str, gpd.GeoDataFrame]
    layer: str = "streets"
    manifest: dict = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        boxes = {part: {"bbox": list(frame.total_bounds)} for part, frame in self.frames.items()}
        self.manifest = {"layers": {self.layer: boxes}}

    def parts(self, layer: str) -> list[str]:
        return sorted(self.manifest["layers"].get(layer, {}))

    def read_part(self, layer: str, part: str, offset: int = 0) -> gpd.GeoDataFrame:
        self.reads.append(part)
        frame = self.frames[part].copy()
        frame.index = frame.index + offset
        return frame


def _streets(x: float, names: list[str | None]) -> gpd.GeoDataFrame:
    lines = [LineString([(x + i, 0), (x + i + 0.5, 1)]) for i in range(len(names))]
    return gpd.GeoDataFrame({"name": names, "highway": "residential"}, geometry=lines, crs=4326)


def test_a_box_reader_gives_the_named_streets_near_the_box_reading_each_partition_once():
    first = _Store({"a": _streets(0, ["Main St", None, ""]), "b": _streets(10, ["Elm St", "Oak St"])})
    second = _Store({"c": _streets(5, [None, "Pine St"])})
    stored = StoredOsm(((first, {"streets": 0}), (second, {"streets": 100})), root="")
    reader = _box_reader(stored, "streets", _named_lines, exact=False, most=None)

    def rows(box):
        return [list(frame.index) for frame in reader(box)]

    # row numbers as the store's (the second store's 100 further); unnamed and far streets left out
    assert rows((0, 0, 1, 1)) == [[0]]
    assert rows((-1, -1, 20, 2)) == [[0], [0, 1], [101]]
    assert rows((9, 0, 10.7, 1)) == [[0]]
    assert rows((5.7, 0, 6.2, 1)) == [[101]]
    assert rows((50, 50, 51, 51)) == []
    assert [list(f.columns) for f in reader((10.2, 0, 10.3, 1))] == [["name", "geometry"]]
    assert list(next(iter(reader((10.9, 0, 11.6, 1))))["name"]) == ["Oak St"]
    assert first.reads == ["a", "b"] and second.reads == ["c"]  # each once for all the boxes


def test_buildings_are_given_by_their_outline_streets_by_their_box():
    triangle = Polygon([(0, 0), (1, 0), (0, 1)])  # its box meets (0.8, 0.8, 0.9, 0.9), it does not
    frame = gpd.GeoDataFrame({"name": ["T"]}, geometry=[triangle], crs=4326)
    store = _Store({"p": frame}, layer="buildings")
    stored = StoredOsm(((store, {}),), root="")
    exact = _box_reader(stored, "buildings", lambda f: f[["geometry"]], exact=True)
    boxes = _box_reader(stored, "buildings", lambda f: f[["geometry"]], exact=False)
    assert list(exact((0.8, 0.8, 0.9, 0.9))) == []
    assert [len(f) for f in boxes((0.8, 0.8, 0.9, 0.9))] == [1]
    assert [len(f) for f in exact((0.1, 0.1, 0.2, 0.2))] == [1]


def test_parts_kept_keeps_the_last_used_and_reads_again_what_it_let_go():
    kept = PartsKept(len, most=2)
    read = []

    def reader(key):
        return lambda: read.append(key) or gpd.GeoDataFrame(geometry=[None] * len(key[1]))

    got = [kept.get(key, reader(key)) for key in [(0, "a"), (0, "bb"), (0, "a"), (0, "ccc"), (0, "bb")]]
    assert got == [1, 2, 1, 3, 2]
    assert read == [(0, "a"), (0, "bb"), (0, "ccc"), (0, "bb")]  # "bb" was the least recently used
    assert kept.reads == 4 and list(kept.kept) == [(0, "ccc"), (0, "bb")]
    assert PartsKept(len).get((1, "x"), lambda: None) is None  # a partition without rows keeps nothing


def test_the_stored_parts_are_the_partitions_whose_box_meets_with_their_row_numbers():
    first = _Store({"a": _streets(0, ["Main St", None]), "b": _streets(10, ["Elm St"])})
    second = _Store({"c": _streets(5, ["Pine St"])})
    stored = StoredOsm(((first, {"streets": 0}), (second, {"streets": 2})), root="")
    assert [list(f.index) for f in stored.parts("streets", (4, 0, 12, 1))] == [[0], [2]]
    kept = PartsKept(lambda f: list(f.index))
    assert list(stored.parts("streets", (4, 0, 12, 1), kept=kept)) == [[0], [2]]
    assert list(stored.parts("streets", kept=kept)) == [[0, 1], [0], [2]]
    assert first.reads == ["b", "b", "a"] and second.reads == ["c", "c"]  # kept: read once more each


def test_a_district_is_named_alike_from_the_stored_streets_and_from_the_frame():
    from shapely.geometry import box

    from urbanrisk.screens.district_names import district_names

    lines = [
        LineString([(0.1, 0.1), (0.1, 0.6)]),  # A, 0.5 inside
        LineString([(0.2, 0.1), (0.2, 0.6)]),  # A again, 0.5 inside: A has 1.0
        LineString([(-1.0, 0.5), (0.8, 0.5)]),  # B, 0.8 inside
        LineString([(0.5, 0.0), (0.5, 5.0)]),  # unnamed, 1.0 inside: not a name
        LineString([(3.0, 0.0), (3.0, 1.0)]),  # C, outside
    ]
    frame = gpd.GeoDataFrame({"name": ["A", "A", "B", None, "C"]}, geometry=lines, crs=4326)
    store = _Store({"p": frame.iloc[:3], "q": frame.iloc[3:]})
    reader = _box_reader(StoredOsm(((store, {"streets": 0}),), root=""), "streets", _named_lines, exact=False)
    outline, venues = box(0.0, 0.0, 1.0, 1.0), [(None, None)]
    stored = district_names([outline], venues, None, None, reader)
    assert stored == district_names([outline], venues, None, None, frame)
    assert stored[0][0] == "A" and stored[0][1].startswith("street (")


def test_districts_are_visited_in_place_order_and_named_in_theirs():
    from shapely.geometry import box

    from urbanrisk.screens.district_names import district_names

    def streets(y: float, names: list[str]) -> gpd.GeoDataFrame:  # one street across each unit box
        lines = [LineString([(i + 0.2, y), (i + 0.8, y)]) for i in range(len(names))]
        return gpd.GeoDataFrame({"name": names}, geometry=lines, crs=4326)

    frame = pd.concat([streets(0.5, ["P1", "P2"]), streets(10.5, ["Q1", "Q2"])], ignore_index=True)
    store = _Store({"p": frame.iloc[:2], "q": frame.iloc[2:]})
    reader = _box_reader(
        StoredOsm(((store, {"streets": 0}),), root=""), "streets", _named_lines, exact=False, most=1
    )
    # asked south, north, south, north: in that order a reader keeping one partition reads four times
    outlines = [box(0, 0, 1, 1), box(0, 10, 1, 11), box(1, 0, 2, 1), box(1, 10, 2, 11)]
    venues = [(None, None)] * 4
    named = district_names(outlines, venues, None, None, reader)
    assert [name for name, _ in named] == ["P1", "Q1", "P2", "Q2"]
    assert named == district_names(outlines, venues, None, None, frame)
    assert store.reads == ["p", "q"]  # visited south, south, north, north: each partition once
