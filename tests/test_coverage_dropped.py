"""A resource that could not be used (past the street data, or too far from a street) makes the cells
it might reach within the limit unknown, not uncovered (:mod:`urbanrisk.coverage_dropped`), on the
whole graph and per partition alike."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from scipy.sparse import csr_matrix

import urbanrisk as ur
from conftest import WUDAOKOU_OSM, write_recipe
from urbanrisk.coverage import coping_score, coverage_stage, standards_for
from urbanrisk.coverage_dask import partitioned_coverage_stage
from urbanrisk.coverage_dropped import dropped_reach_unknown
from urbanrisk.network import StreetGraph
from urbanrisk.outputs.i18n import data_text, translator
from urbanrisk.outputs.map_unknown import (
    DROPPED,
    parent_tip_words,
    tip_words,
    unknown_kinds,
    unknown_legend_html,
)
from urbanrisk.pipeline import build_grid, load_layers, study_area, utm_crs_for
from urbanrisk.result import Standard

#: a clip of Wudaokou (about 2.0 × 2.4 km, 91 r9 cells)
BOX = [116.3084, 39.9905, 116.3320, 40.0123]
#: F1 inside the clip; F2 1.4 km east of its street data (they end at 116.3341), S1 0.7 km east of them
STATIONS = (
    "id,name,kind,lon,lat\nF1,inside,fire_station,116.3300,39.9950\nF2,east,fire_station,116.3500,39.9950\n"
    "S1,east,shelter,116.3420,40.0014\n"
)
#: the clip's fastest drive edge: 60 km/h (the speed table's, on its primary roads), in m/s
FASTEST = 60 / 3.6


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dropped")
    (folder / "fire.csv").write_text(STATIONS, encoding="utf-8")
    fire = {
        "type": "points",
        "path": str(folder / "fire.csv"),
        "role": "resource",
        "lon": "lon",
        "lat": "lat",
    }
    body = {
        "name": "dropped",
        "area": {"bbox": BOX},
        "grid": {"resolution": 9},
        "layers": {
            "osm": {"type": "osm", "path": str(WUDAOKOU_OSM)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 38.6,
            },
            "fire": {**fire, "kind_column": "kind", "id_column": "id"},
        },
        "outputs": {"dir": str(folder / "out")},
    }
    recipe = ur.load_recipe(write_recipe(folder, body))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    frames = (grid, layers.streets, layers.street_nodes, layers.pois, layers.resources, area)
    options = {"standards": standards_for("cn"), "utm_crs": utm_crs_for(area)}
    eager = coverage_stage(*frames, **options)
    parts = partitioned_coverage_stage(*frames, partition_resolution=8, scheduler="synchronous", **options)
    return eager, parts


def _hand_reach(table: pd.DataFrame, lon: float, lat: float, reach_m: float) -> tuple[np.ndarray, ...]:
    """Per cell of a standard's table: within the optimistic reach (geodesic distance from the
    resource < ``reach_m`` + the cell's snap, 30 m short for the 0.1 % margin and the projection),
    beyond it (30 m past), on the network (snap <= 500 m), and its coverage unknown."""
    cell_lat, cell_lon = np.array([h3.cell_to_latlng(c) for c in table.index]).T
    distance = Geod(ellps="WGS84").inv(
        np.full(len(table), lon), np.full(len(table), lat), cell_lon, cell_lat
    )[2]
    reach = reach_m + table["cell_snap_m"].to_numpy()
    on_network = (table["cell_snap_m"] <= 500).to_numpy()
    unknown = ~table["travel_known"].to_numpy(dtype=bool)
    return distance < reach - 30, distance > reach + 30, on_network, unknown


def test_cells_a_station_past_the_street_data_could_reach_are_unknown_not_uncovered(clip):
    """F2 lies past the extract and is not used. By hand: a cell is within its optimistic reach when
    its centre is within 60 km/h × (300 s − 60 s turnout) + 500 m (F2's snap) + the cell's own snap of
    F2 (geodesic): 4.5 km, every cell of the clip. The 58 F1 does not cover but the 9 far from a street
    have coverage unknown (none of their residents uncovered, no gap, fire left out of their lack of
    coping); F1's 24 stay covered. On main all 58 were "beyond the limit" (30,282 residents counted
    uncovered of 38,259)."""
    eager, _ = clip
    fire = eager.coverage[eager.coverage["standard"] == "fire"].set_index("h3_cell")
    near, _far, on_network, unknown = _hand_reach(fire, 116.35, 39.995, FASTEST * 240 + 500)
    covered = fire["covered"].fillna(False).to_numpy(dtype=bool)
    assert (fire["covered"].isna().to_numpy() == unknown).all()  # neither covered nor uncovered: NA
    assert covered.sum() == 24 and not unknown[covered].any()  # a known cover wins
    assert near.all() and (unknown == (on_network & ~covered)).all() and unknown.sum() == 58
    assert fire["residents_uncovered"][unknown].isna().all()
    assert round(fire["residents"][unknown].sum()) == 30_282  # once counted uncovered
    assert round(fire["residents_uncovered"].sum()) == 7_977  # the 9 cells far from a street
    assert (
        fire["reason"][unknown].str.match(r"a fire_station \d\.\d km away lies outside the street data").all()
    )
    # no gap holds them; their lack of coping is the other standards' alone (medical, shelter)
    gaps = eager.gaps[eager.gaps["standard"] == "fire"]
    cells = set(fire.index[unknown])
    assert not any(cells & {c for g in gaps.geometry for c in h3.geo_to_cells(g, 9)})
    scores = []
    for name in ("medical", "shelter"):
        other = (
            eager.coverage[eager.coverage["standard"] == name].set_index("h3_cell").loc[fire.index[unknown]]
        )
        ratio = (other["travel"] / other["limit"]).where(other["reached"], np.inf).fillna(np.inf)
        scores.append(pd.Series(coping_score(ratio), index=other.index).where(other["travel_known"]))
    expected = pd.concat(scores, axis=1).mean(axis=1)
    assert np.allclose(eager.coping.loc[fire.index[unknown]], expected)
    status = eager.status["fire"]
    assert "; 58 cells in reach of a resource not used: coverage unknown there" in status
    assert "另有 58 个单元可能在未用资源的可达范围内：覆盖情况未知" in data_text(status, "zh")


def test_a_standard_whose_every_resource_is_past_the_data_is_unknown_near_it_uncovered_beyond(clip):
    """S1, the only shelter, lies 0.7 km past the walk streets: not used. By hand its optimistic reach
    is 500 m (the limit, ~1 m/m on foot) + 500 m (its snap) + the cell's snap: the cells within it are
    unknown, the others stay uncovered ("no route to any resource"), with their residents counted."""
    eager, _ = clip
    shelter = eager.coverage[eager.coverage["standard"] == "shelter"].set_index("h3_cell")
    near, far, on_network, unknown = _hand_reach(shelter, 116.342, 40.0014, 500 + 500)
    assert not shelter["covered"].any()
    assert unknown[near & on_network].all() and not unknown[far].any() and unknown.sum() == 6
    assert (shelter["reason"][far & on_network] == "no route to any resource").all()
    assert shelter["residents_uncovered"][unknown].isna().all()
    assert shelter["residents_uncovered"][~unknown].notna().all()


def test_the_partitioned_path_gives_the_same_unknown_cells(clip):
    eager, parts = clip
    columns = [
        "h3_cell",
        "standard",
        "covered",
        "travel_known",
        "reason",
        "residents_uncovered",
        "cell_snap_m",
    ]
    pd.testing.assert_frame_equal(eager.coverage[columns], parts.coverage[columns], check_exact=True)
    pd.testing.assert_series_equal(eager.coping, parts.coping, check_exact=True)
    assert eager.status == parts.status
    same = ["standard", "gap", "cells", "residents"]
    pd.testing.assert_frame_equal(pd.DataFrame(eager.gaps[same]), pd.DataFrame(parts.gaps[same]))


def _line_graph() -> StreetGraph:
    """Nodes every 100 m along y = 0 from x = 0 to 6,000 m, and one at (0, 2,000) joined to (0, 0):
    10 m/s both ways."""
    xy = np.vstack([np.column_stack([np.arange(0, 6001, 100.0), np.zeros(61)]), [[0.0, 2000.0]]])
    pairs = [(i, i + 1) for i in range(60)] + [(0, 61)]
    rows = [a for a, b in pairs] + [b for a, b in pairs]
    cols = [b for a, b in pairs] + [a for a, b in pairs]
    length = np.hypot(*(xy[rows] - xy[cols]).T)
    shape = (len(xy), len(xy))
    return StreetGraph(
        "drive",
        np.arange(len(xy)),
        xy,
        csr_matrix((length / 10.0, (rows, cols)), shape=shape),
        csr_matrix((length, (rows, cols)), shape=shape),
        "EPSG:32650",
    )


def test_a_resource_inside_the_data_too_far_from_a_street_by_hand():
    """R at (1,000, 1,000) is 1,000 m from the street at y = 0, inside the data's box: not used. Reach
    by hand: 10 m/s × 240 s (× 1.001) + 500 + 1 = 2,903.4 m, plus the cell's snap. A (1,000, 100):
    0.9 km away, unknown. B (3,500, 0): 2,693 m, unknown. C (5,000, 50): 4,111 m, stays. D covered
    stays covered. E (1,000, 900): 900 m from a street, keeps its own reason. A resource without
    coordinates is ignored; S at (6,000, 0) is used and changes nothing here."""
    standard = Standard("fire", "fire_station", "drive", 5, "min", 60.0, "test")
    cells_xy = np.array([[1000.0, 100.0], [3500.0, 0.0], [5000.0, 50.0], [1000.0, 60.0], [1000.0, 900.0]])
    table = pd.DataFrame(
        {
            "covered": [False, False, False, True, False],
            "travel_known": True,
            "cell_snap_m": [100.0, 0.0, 50.0, 60.0, 900.0],
            "residents_uncovered": [5.0, 6.0, 7.0, 0.0, 9.0],
            "reason": ["beyond the limit"] * 3 + ["", "no street within 500 m"],
        }
    )
    resources = gpd.GeoDataFrame(
        {"id": ["R", "S", "N"], "kind": "fire_station"},
        geometry=gpd.GeoSeries.from_wkt(["POINT (1000 1000)", "POINT (6000 0)", "POINT EMPTY"]),
        crs="EPSG:32650",
    )
    out = dropped_reach_unknown(table.copy(), _line_graph(), standard, resources, cells_xy, 500.0)
    assert out["travel_known"].tolist() == [False, False, True, True, True]
    assert out["residents_uncovered"].isna().tolist() == [True, True, False, False, False]
    assert (
        out["reason"].iloc[0]
        == "a fire_station 0.9 km away is 1000 m from a street, not used: coverage unknown"
    )
    assert out["reason"].iloc[2:].tolist() == ["beyond the limit", "", "no street within 500 m"]
    # every resource used: nothing changes
    used = resources.iloc[[1]]
    assert dropped_reach_unknown(table.copy(), _line_graph(), standard, used, cells_xy, 500.0).equals(table)


def test_the_map_says_why_those_cells_are_unknown(clip):
    """The map's tips and legend named such a cell "its streets leave the data" (any unknown cell not
    outside the data): they now say a resource not used may reach it, in English and Chinese."""
    eager, _ = clip
    kinds = unknown_kinds(SimpleNamespace(coverage=eager))
    assert set(kinds["fire"].values()) == {DROPPED} and len(kinds["fire"]) == 58
    assert set(kinds["shelter"].values()) == {DROPPED} and len(kinds["shelter"]) == 6
    cell = next(iter(kinds["fire"]))
    assert tip_words(kinds, translator("zh"))["fire"][cell] == "未知（未用资源可能可达）"
    parents = parent_tip_words({"fire": {cell: DROPPED}}, 8, translator("en"))["fire"]
    assert list(parents.values()) == ["unknown in 1 of its r9 cells: a resource not used may reach them"]
    assert "未用资源可能可达：63 个单元（消防 58、应急避难场所 6）" in unknown_legend_html(
        kinds, "zh"
    )  # once each
