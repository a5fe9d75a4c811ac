"""A cell whose only nearby streets are a piece of the network cut off by the extract's edge has its
coverage unknown, not uncovered (session 14, edge14): the data stop there, not the street.

The clip: ``tests/data/baltimore_sw_clip.osm.pbf``, south-west Baltimore cut from the shipped extract
(``osmium sort layers/baltimore/baltimore_2015.osm.pbf -o sorted.osm.pbf; osmium extract --set-bounds
-b -76.6081,39.2586,-76.585,39.2835 sorted.osm.pbf``; complete ways, so a cut street runs past the
box). Before, 99 of its cells (4,667 of 10,609 residents at r10) were uncovered, "no street of the
connected network within 500 m". Checked against networkx on the run's own network tables: the
strongly connected components, the pieces of the other nodes (directions ignored), and which of them
has a node outside the header box or within 50 m of it (lon/lat to metres on the local scale)."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from conftest import DATA
from leaving_reference import clip_run, expected_leaving
from urbanrisk.snap_reasons import LEAVES_DATA, NOT_CONNECTED

CLIP = DATA / "baltimore_sw_clip.osm.pbf"
BOX = (-76.6081, 39.2586, -76.585, 39.2835)  # the clip's header bounds


def _run(folder, partitioned: bool):
    return clip_run(folder, CLIP, "baltimore-sw", {"layer": "osm"}, partitioned=partitioned)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("whole"), False), _run(tmp_path_factory.mktemp("parts"), True)


def _outside_the_box(nodes: pd.DataFrame, utm_crs: str) -> np.ndarray:
    """Per node: outside the header box or within 50 m of it (lon/lat to metres on the local scale)."""
    to_lonlat = Transformer.from_crs(utm_crs, 4326, always_xy=True)
    lon, lat = to_lonlat.transform(nodes["x"].to_numpy(), nodes["y"].to_numpy())
    scale = 111_320.0 * np.cos(np.radians(lat)), 110_574.0  # metres per degree here
    inside = np.minimum.reduce(
        [(lon - BOX[0]) * scale[0], (BOX[2] - lon) * scale[0], (lat - BOX[1]) * scale[1]]
    )
    inside = np.minimum(inside, (BOX[3] - lat) * scale[1])  # metres inside the box (< 0: outside)
    return inside <= 50.0


def test_cells_on_pieces_cut_by_the_extracts_edge_are_unknown_not_uncovered(runs):
    run = runs[0]
    coverage = pd.read_parquet(run / "coverage.parquet")
    table = coverage[coverage["standard"] == "fire"].reset_index(drop=True)
    far, near_leaving = expected_leaving(run, table, _outside_the_box)
    leaving = table["reason"].to_numpy() == LEAVES_DATA
    assert (leaving == (far & near_leaving)).all()
    assert leaving.sum() == 99
    assert table.loc[leaving, "residents"].sum() == pytest.approx(4667, abs=1)
    assert table.loc[leaving, "travel"].isna().all() and not table.loc[leaving, "covered"].any()
    assert not table.loc[leaving, "travel_known"].any()
    assert table.loc[leaving, "residents_uncovered"].isna().all()  # unknown, not uncovered
    # a far piece that does not reach the edge stays uncovered, as before
    campus = table["reason"].to_numpy() == NOT_CONNECTED.format(metres="500")
    assert (campus == (far & ~near_leaving & table["reason"].str.startswith("no street of").to_numpy())).all()
    assert table.loc[campus, "travel_known"].all()
    # covered + uncovered + unknown = every resident
    known = table["travel_known"].to_numpy()
    covered = table.loc[table["covered"], "residents"].sum()
    uncovered = table.loc[~table["covered"] & known, "residents"].sum()
    assert covered + uncovered + table.loc[~known, "residents"].sum() == pytest.approx(
        table["residents"].sum()
    )
    assert table["residents_uncovered"].sum() == pytest.approx(uncovered)
    # no gap holds an unknown cell; N-1 counts only the uncovered cells whose travel is known
    gaps = pd.read_parquet(run / "gaps.parquet")
    if len(gaps):
        cells = [
            shapely.Point(lng, lat) for lat, lng in map(h3.cell_to_latlng, table.loc[leaving, "h3_cell"])
        ]
        joined = shapely.union_all(shapely.from_wkb(gaps["geometry"]))
        assert not shapely.contains(joined, cells).any()
    losses = pd.read_parquet(run / "resilience.parquet")
    losses = losses[losses["standard"] == "fire"]
    after = (losses["residents_uncovered_after"] - losses["residents_lost"]).to_numpy()
    assert after == pytest.approx(np.full(len(losses), uncovered))


def test_the_partitioned_path_gives_the_same_table(runs):
    whole, parts = (pd.read_parquet(run / "coverage.parquet") for run in runs)
    columns = [
        "h3_cell",
        "standard",
        "covered",
        "reason",
        "travel_known",
        "residents_uncovered",
        "cell_snap_m",
    ]
    pd.testing.assert_frame_equal(whole[columns], parts[columns])


def test_the_leaving_nodes_are_found_once_per_mode(monkeypatch):
    """Two standards on one mode route on one graph: its leaving nodes are found once (session 15),
    and the second standard's table is the first's (the doctest's graph: the piece at y = 2000-2100
    reaches the nodes' box, the cell 50 m from it is unknown, the one 475 m from the inner piece not)."""
    from types import SimpleNamespace

    from scipy.sparse import csr_matrix

    import urbanrisk.snap_reasons as snap_reasons

    xy = np.array([[0.0, 0.0], [1e3, 0.0], [0.0, 2000.0], [0.0, 2100.0], [400.0, 900.0], [500.0, 900.0]])
    streets = csr_matrix((np.ones(6), ([0, 1, 2, 3, 4, 5], [1, 0, 3, 2, 5, 4])), shape=(6, 6))
    graph = SimpleNamespace(xy=xy, time_s=streets, main_component=np.array([0, 1]), mode="drive")
    cells = np.array([[50.0, 0.0], [0.0, 1950.0], [450.0, 1300.0]])
    calls = []
    found = snap_reasons.leaving_nodes
    monkeypatch.setattr(snap_reasons, "leaving_nodes", lambda *a: calls.append(a) or found(*a))

    def table() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "cell_snap_m": [50.0, 1950.0, 1375.0],
                "residents_uncovered": [0.0, 7.0, 5.0],
                "reason": ["", "far", "far"],
                "travel_known": True,
            }
        )

    kept: dict[str, np.ndarray] = {}
    first = snap_reasons.leaving_unknown(table(), graph, cells, 500.0, None, kept)
    second = snap_reasons.leaving_unknown(table(), graph, cells, 500.0, None, kept)
    assert len(calls) == 1 and kept["drive"].tolist() == [False, False, True, True, False, False]
    pd.testing.assert_frame_equal(first, second)
    assert first["travel_known"].tolist() == [True, False, True]
    assert first["reason"].tolist() == ["", LEAVES_DATA, "far"]
    snap_reasons.leaving_unknown(
        table(), SimpleNamespace(**{**vars(graph), "mode": "walk"}), cells, 500.0, None, kept
    )
    assert len(calls) == 2 and set(kept) == {"drive", "walk"}  # another mode: its own graph


def test_covered_is_unknown_not_false_where_coverage_is_unknown(runs):
    """Missing is not zero: ``covered`` is NA (a nullable boolean) in exactly the cells whose coverage
    is unknown (travel_known false: the 99 on cut pieces, and any outside the data), True or False in
    every other, on both paths; the grid's ``fire_covered`` is missing there too."""
    from urbanrisk.grid_dataset import read_grid

    for run in runs:
        coverage = pd.read_parquet(run / "coverage.parquet")
        assert str(coverage["covered"].dtype) == "boolean"
        unknown = ~coverage["travel_known"].to_numpy(dtype=bool)
        assert (coverage["covered"].isna().to_numpy() == unknown).all() and unknown.sum() >= 99
        fire = coverage[coverage["standard"] == "fire"].set_index("h3_cell")
        grid = read_grid(run)
        assert grid["fire_covered"].reindex(fire.index).isna().to_numpy().tolist() == (
            fire["covered"].isna().to_numpy().tolist()
        )
