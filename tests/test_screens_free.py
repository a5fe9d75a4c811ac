"""The screens' coverage-free part on stored layers: each stored partition read once for all boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from urbanrisk.screens_free import _named_lines, _parts_read_once
from urbanrisk.stored_osm import StoredOsm


@dataclass
class _Store:
    """An ingested store as :class:`urbanrisk.stored_osm.StoredOsm` reads it: a manifest of boxes and
    its partitions' rows, counting the reads."""

    frames: dict[str, gpd.GeoDataFrame]
    manifest: dict = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        boxes = {part: {"bbox": list(frame.total_bounds)} for part, frame in self.frames.items()}
        self.manifest = {"layers": {"streets": boxes}}

    def parts(self, layer: str) -> list[str]:
        return sorted(self.manifest["layers"].get(layer, {}))

    def read_part(self, layer: str, part: str) -> gpd.GeoDataFrame:
        self.reads.append(part)
        return self.frames[part].copy()


def _streets(x: float, names: list[str | None]) -> gpd.GeoDataFrame:
    lines = [LineString([(x + i, 0), (x + i + 0.5, 1)]) for i in range(len(names))]
    return gpd.GeoDataFrame({"name": names, "highway": "residential"}, geometry=lines, crs=4326)


def test_a_reader_gives_the_stores_partitions_as_the_store_does_reading_each_once():
    first = _Store({"a": _streets(0, ["Main St", None, ""]), "b": _streets(10, ["Elm St", "Oak St"])})
    second = _Store({"c": _streets(5, [None, "Pine St"])})
    stored = StoredOsm(((first, {"streets": 0}), (second, {"streets": 100})), root="")
    reader = _parts_read_once(stored, "streets", _named_lines)
    boxes = [(0, 0, 1, 1), (-1, -1, 20, 2), (9, 0, 11, 1), (0, 0, 6, 1), (50, 50, 51, 51)]
    for box in boxes:
        got = list(reader(box))
        expected = [_named_lines(frame) for frame in stored.parts("streets", box)]
        assert len(got) == len(expected) > 0 or box[0] == 50
        for frame, want in zip(got, expected, strict=True):
            pd.testing.assert_frame_equal(frame, want)  # the row numbers offset once, as the store's
    assert [len(frame) for frame in reader((-1, -1, 20, 2))] == [1, 2, 1]  # the named streets only
    assert list(next(iter(reader((5, 0, 6, 1)))).index) == [101]
    # read once each by the reader, once each per box by the store's own reader
    assert first.reads.count("a") == 1 + 3 and first.reads.count("b") == 1 + 2
    assert second.reads == ["c"] * (1 + 2)
