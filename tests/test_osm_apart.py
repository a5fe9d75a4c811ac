"""The OSM read with its streets' pass apart (on a worker process on ``processes``) gives the layers
and stats of the one pass: real extracts (.osm and .pbf), a clipped one and a cut one."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM
from urbanrisk._errors import LayerError
from urbanrisk.layers import osm as osm_module
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.layers.osm_streets import packed, street_columns, unpacked
from urbanrisk.parallel import apart

CLIPPED = Path(__file__).parent / "data" / "clipped.osm"
NAMES = ("buildings", "pois", "landuse", "streets", "street_nodes")


def _in_turn(task, side):
    """``beside`` without a worker: the task, then the side (what ``synchronous`` does)."""
    return task(), side()


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    if "geometry" in a:
        assert np.array_equal(shapely.to_wkb(a.geometry.to_numpy()), shapely.to_wkb(b.geometry.to_numpy()))


def _assert_same_read(one, two) -> None:
    for name in NAMES:
        _same(getattr(one, name), getattr(two, name))
    assert one.bounds == two.bounds
    assert list(one.stats.items()) == list(two.stats.items())  # the same counts, in the same order


@pytest.mark.parametrize("path", [WUDAOKOU_OSM, BUPT_OSM, BALTIMORE_PBF, CLIPPED], ids=lambda p: p.name)
def test_the_streets_read_apart_give_the_layers_and_stats_of_one_pass(path):
    whole = osm_from_file(path)
    assert whole.stats["streets"] > 0
    _assert_same_read(osm_from_file(path, beside=_in_turn), whole)


def test_on_processes_the_streets_pass_runs_on_a_worker_process_and_gives_the_same_layers(
    monkeypatch, tmp_path
):
    """Baltimore's .pbf: the street columns come back from a forked worker (their node ids and lines
    as flat arrays) while the driver assembles the areas."""
    import os

    seen = tmp_path / "pid"
    real = osm_module.streets_apart

    def spy(*args):
        seen.write_text(str(os.getpid()))  # in the worker: its own process
        return real(*args)

    monkeypatch.setattr(osm_module, "streets_apart", spy)
    got = osm_from_file(BALTIMORE_PBF, beside=functools.partial(apart, scheduler="processes"))
    assert int(seen.read_text()) != os.getpid()
    _assert_same_read(got, osm_from_file(BALTIMORE_PBF))
    seen.unlink()
    osm_from_file(BUPT_OSM, beside=functools.partial(apart, scheduler="synchronous"))
    assert int(seen.read_text()) == os.getpid()  # elsewhere: in this process, one after the other


def test_a_blocks_packed_columns_unpack_to_the_same_values():
    """Node id lists of 2 and 3 ids, one way dropped as degenerate (one location twice), lines back
    with the same coordinates; and a block left with no way at all."""
    import pyarrow as pa

    from urbanrisk.layers.osm_pass import StreetBatch
    from urbanrisk.layers.osm_streets import STREET_KEYS

    tags = {key: pa.array([None, None, None], pa.string()) for key in STREET_KEYS}
    tags["highway"] = pa.array(["primary", "service", "path"])
    lines = np.array(
        [
            shapely.LineString([(116.1, 39.9), (116.2, 39.95)]),
            shapely.LineString([(1.0, 1.0), (1.0, 1.0)]),  # degenerate: dropped
            shapely.LineString([(0.1234567, -0.1), (0.2, -0.2), (0.3, -0.3)]),
        ],
        dtype=object,
    )
    batch = StreetBatch(np.array([7, 8, 9]), tags, [[1, 2], [3, 3], [4, 5, 6]], lines, 0)
    stats: dict[str, int] = {}
    columns = street_columns(batch, stats)
    expected = {**columns, "geometry": shapely.to_wkb(columns["geometry"])}
    back = unpacked(packed(dict(columns)))
    assert stats == {"ways_degenerate": 1}
    assert back["node_ids"] == [[1, 2], [4, 5, 6]] == expected["node_ids"]
    assert list(back) == list(expected)  # the columns in their order
    assert np.array_equal(shapely.to_wkb(back["geometry"]), expected["geometry"])
    empty = {"node_ids": [], "geometry": np.array([], dtype=object)}
    assert unpacked(packed(empty)) == {"node_ids": [], "geometry": pytest.approx(np.array([], dtype=object))}


def test_a_cut_extract_read_apart_fails_with_the_one_passs_message(tmp_path):
    cut = tmp_path / "cut.osm"
    cut.write_bytes(WUDAOKOU_OSM.read_bytes()[:1_200_000])
    with pytest.raises(LayerError) as whole:
        osm_from_file(cut)
    for beside in (_in_turn, functools.partial(apart, scheduler="processes")):
        with pytest.raises(LayerError) as split:
            osm_from_file(cut, beside=beside)
        assert str(split.value) == str(whole.value)
        assert "cannot read this OSM file" in str(split.value)


def test_the_buildings_are_completed_beside_the_streets_task_not_after_it(monkeypatch):
    """On ``processes`` the driver completes the buildings (footprints, use, floor area) while the
    worker reads the streets: a ``beside`` that runs the side first sees them completed before the task
    (256 tiles: ~0.5 s the driver spent alone after the task); the same layers and stats."""
    calls = []
    real = osm_module.complete_buildings

    def spy(*args, **kwargs):
        calls.append("buildings")
        return real(*args, **kwargs)

    def side_first(task, side):
        side()
        calls.append("task")
        return task(), None

    monkeypatch.setattr(osm_module, "complete_buildings", spy)
    got = osm_from_file(BUPT_OSM, beside=side_first)
    assert calls == ["buildings", "task"]
    _assert_same_read(got, osm_from_file(BUPT_OSM))


def test_an_extract_of_streets_alone_read_apart_gives_the_layers_of_one_pass(tmp_path):
    """No tagged area: the areas' pass finds nothing to complete beside the task; after it, as before."""
    path = tmp_path / "streets.osm"
    nodes = "".join(f'<node id="{i}" version="1" lat="39.96{i}" lon="116.35{i}"/>' for i in range(1, 4))
    refs = "".join(f'<nd ref="{i}"/>' for i in range(1, 4))
    way = f'<way id="10" version="1">{refs}<tag k="highway" v="residential"/></way>'
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{way}</osm>')
    whole = osm_from_file(path)
    assert (whole.stats["streets"], whole.stats["buildings"]) == (1, 0)
    _assert_same_read(osm_from_file(path, beside=_in_turn), whole)
    _assert_same_read(osm_from_file(path, beside=functools.partial(apart, scheduler="processes")), whole)


def _big_part() -> np.ndarray:
    """A task's result of 8 MB."""
    return np.arange(1_000_000, dtype=np.int64)


def test_on_processes_the_task_apart_returns_through_a_file_not_the_pools_pipe(tmp_path, monkeypatch):
    """The streets' part (32 x 32 metropolis: 202 MB pickled) comes back as a temporary file's path,
    which the driver reads and removes: through the pool's pipe the driver held it pickled two or three
    times over beside the objects."""
    from dask.callbacks import Callback

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    received = []
    with Callback(posttask=lambda key, result, *_: received.append((key, result))):
        got, mine = apart(_big_part, lambda: "side", scheduler="processes")
    assert np.array_equal(got, _big_part()) and mine == "side"
    assert [key for key, _ in received] == ["apart"]
    assert isinstance(received[0][1], str) and received[0][1].startswith(str(tmp_path))  # a path
    assert list(tmp_path.iterdir()) == []  # read and removed
