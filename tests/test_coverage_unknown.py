"""Missing is not zero in coverage: uncovered cells whose residents are unknown are counted beside
every sum (gaps, status, N-1), never read as 0 people (cases by hand; the run's numbers against the
written grid are in tests/test_summary.py, the N-1 counts against a search per station in
tests/test_coverage_scale.py)."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from urbanrisk.coverage import gaps_from_coverage
from urbanrisk.coverage_unknown import OUTSIDE_STREETS, unknown_uncovered_words, with_unknown_flags
from urbanrisk.grid import grid_frame
from urbanrisk.outputs.i18n import data_text

CENTRE = h3.latlng_to_cell(39.99, 116.33, 10)


def _table(cells: list[str], covered, residents, known) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "standard": "fire",
            "covered": covered,
            "residents": residents,
            "residents_known": known,
            "travel": 900.0,
            "reached": True,
            "unit": "s",
        },
        index=pd.Index(cells, name="h3_cell"),
    )


def test_an_uncovered_cell_of_unknown_residents_is_a_gap_and_its_count_a_lower_bound(tmp_path):
    """A centre cell and its ring, a far cell alone. The centre holds 10 counted residents, uncovered;
    ring cell 1 is uncovered with residents unknown (0 counted); ring cell 2 is uncovered with 0
    residents measured (empty, no gap); the rest of the ring is covered. The far cell is uncovered and
    unknown. Gaps: {centre, ring 1}: ≥ 10 residents, 1 cell unknown; {far}: unknown (NaN), 1 cell unknown.
    Before, the far cell made no gap at all and the first read as exactly 10."""
    ring = sorted(h3.grid_ring(CENTRE, 1))
    far = h3.grid_ring(CENTRE, 5)[0]
    cells = [CENTRE, *ring, far]
    covered = [False, False, False, True, True, True, True, False]
    residents = [10.0, 0.0, 0.0, 4.0, 4.0, 4.0, 4.0, 0.0]
    known = [True, False, True, True, True, True, True, False]
    grid = grid_frame(cells)
    gaps = gaps_from_coverage(grid, _table(cells, covered, residents, known))
    _a_new_gap_says_unknown(gaps, tmp_path)
    assert gaps["cells"].tolist() == [2, 1]
    # the far gap: nobody counted and its residents unknown: unknown (NaN), not 0, and ranked last
    assert gaps["residents"].iloc[0] == 10.0 and np.isnan(gaps["residents"].iloc[1])
    assert gaps["cells_residents_unknown"].tolist() == [1, 1]
    assert gaps["gap"].tolist() == ["fire-gap-01", "fire-gap-02"]
    # every flag known: the rule of old (people counted > 0) is unchanged
    everyone = gaps_from_coverage(grid, _table(cells, covered, residents, [True] * 8))
    assert everyone["cells"].tolist() == [1] and everyone["cells_residents_unknown"].tolist() == [0]
    assert np.isclose(everyone["area_km2"].iloc[0], h3.cell_area(CENTRE, "km^2"))


def test_cells_outside_the_street_data_are_neither_covered_nor_uncovered():
    """The same cells; the far cell and ring cell 1 lie outside the OSM data (travel unknown): their
    uncovered residents are NaN (out of every sum), they join no gap, their reason says why, and the
    status counts them apart from the uncovered cells of unknown residents (none left inside)."""
    ring = sorted(h3.grid_ring(CENTRE, 1))
    far = h3.grid_ring(CENTRE, 5)[0]
    cells = [CENTRE, *ring, far]
    covered = [False, False, False, True, True, True, True, False]
    residents = [10.0, 7.0, 0.0, 4.0, 4.0, 4.0, 4.0, 0.0]
    grid = grid_frame(cells).assign(
        residents=residents,
        known_residents=[True, True, True, True, True, True, True, False],
        known_travel=[True, False, True, True, False, True, True, False],  # ring 3 covered: known
    )
    table = _table(cells, covered, residents, True).drop(columns="residents_known")
    table["residents_uncovered"] = np.where(covered, 0.0, residents)
    table["reason"] = np.where(covered, "", "beyond the limit")
    table = with_unknown_flags(table, grid)
    assert table["residents_uncovered"].sum() == 10.0  # ring 1's 7 are not known to be uncovered
    assert table["travel_known"].tolist() == [True, False, True, True, True, True, True, False]
    assert table["reason"].tolist()[1] == table["reason"].tolist()[-1] == OUTSIDE_STREETS
    gaps = gaps_from_coverage(grid, table)
    assert gaps["cells"].tolist() == [1] and gaps["residents"].tolist() == [10.0]
    assert (
        unknown_uncovered_words(table)
        == "; 2 cells outside the street data or on streets leaving it: coverage unknown there"
    )


def _a_new_gap_says_unknown(gaps, folder) -> None:
    """The changes since a run without gaps: the new gaps' words, "≥" and unknown, never "nan"."""
    from urbanrisk.changes import _new_gaps

    (folder / "new").mkdir()
    gaps.to_parquet(folder / "new" / "gaps.parquet")
    words = {row["id"]: row for row in _new_gaps(folder / "old", folder / "new")}
    assert words["fire-gap-01"]["explanation"] == (
        "≥ 10 residents beyond the fire standard (1 cell with residents unknown)"
    )
    assert words["fire-gap-02"]["explanation"] == "residents unknown in the 1 cell beyond the fire standard"
    assert words["fire-gap-02"]["residents_unknown_share"] == 1.0


def test_the_status_names_the_unknown_cells_in_chinese_too():
    status = (
        "ok: fire: 5 min; 3 resources; 1,200 of 9,000 residents uncovered; 12 uncovered cells have "
        "residents unknown: the count is a lower bound; 40 cells outside the street data or on streets "
        "leaving it: coverage unknown there; 1 resource too far from a street, not used: "
        "F3 (612 m from a street)"
    )
    zh = data_text(status, "zh")
    assert zh.startswith("完成：3 处资源；9,000 人中 1,200 人未覆盖")
    assert zh.endswith(
        "；另有 12 个未覆盖单元常住人口未知：未覆盖人数为下限"
        "；另有 40 个单元在道路数据范围外或其道路伸出数据边界：覆盖情况未知"
        "；另有 1 处资源距道路过远、未计入：F3（距道路 612 米）"
    )


def test_a_gap_in_the_responsibility_list_carries_its_unknown_share():
    """A gap of 4 cells, 1 with residents unknown: its listed residents are a lower bound, share 1/4
    (shown "≥ N (25% …)" like a hazard source's reach); a red/orange cluster's alike (session 12: it
    was NaN, "its residents are counts", and a cluster of unknown cells listed 0 residents); a key
    district's residents are counts (NaN)."""
    from urbanrisk.screens.responsibility import _unknown_share

    gaps = pd.DataFrame({"cells": [4, 2], "cells_residents_unknown": [1, 0]})
    assert _unknown_share("coverage_gap", gaps).tolist() == [0.25, 0.0]
    assert _unknown_share("risk_cluster", gaps).tolist() == [0.25, 0.0]
    assert np.isnan(_unknown_share("key_district", gaps))


def _stations(points: dict[str, tuple[float, float]]):
    import geopandas as gpd

    from test_coverage import ORIGIN, SPACING, _lonlat

    xs = np.array([ORIGIN[0] + SPACING * i for i, _ in points.values()])
    ys = np.array([ORIGIN[1] + SPACING * j for _, j in points.values()])
    lon, lat = _lonlat(xs, ys)
    return gpd.GeoDataFrame(
        {"id": list(points), "kind": "fire_station", "name": list(points), "capacity": np.nan, "source": "t"},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


def test_n1_by_hand_a_loss_of_unknown_residents_is_unknown_not_none_and_ranks_before_no_loss():
    """A 100 m lattice at 10 s a block, a 35 s standard (3 blocks); S1 at (0, 0), S2 at (7, 0) (their
    reaches do not meet), A4 at (12, 12), beyond every cell (its id sorts first). Cells east of S1
    (i >= 1) have residents unknown (0 counted), the others 100 each. By hand: closing S1 loses its
    covered cells (|i| + |j| <= 3), ≥ 100 x those with i <= 0, and names those with i >= 1;
    closing S2 loses only unknown cells: unknown (NaN), not 0, and it ranks before A4, which loses
    nothing."""
    from test_coverage import ORIGIN, SPACING, UTM50, _grid_over, _speeds, _street_grid
    from urbanrisk.coverage import cover_cells
    from urbanrisk.grade import cell_centres_xy
    from urbanrisk.network import street_graph
    from urbanrisk.resilience import station_losses
    from urbanrisk.result import Standard

    streets, nodes = _street_grid(12)
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    grid, _ = _grid_over(550.0)
    xy = cell_centres_xy(grid.index, UTM50)
    i = np.round((xy[:, 0] - ORIGIN[0]) / SPACING)
    j = np.round((xy[:, 1] - ORIGIN[1]) / SPACING)
    known = i <= 0
    grid["residents"] = np.where(known, 100.0, 0.0)
    stations = _stations({"S1": (0, 0), "S2": (7, 0), "A4": (12, 12)})
    standard = Standard("fire", "fire_station", "drive", 35.0, "s", 0.0, "hand-made: 35 s")
    table = cover_cells(graph, standard, grid, stations, max_snap_m=500.0, cells_xy=xy).cells
    table["residents_known"] = known
    losses = station_losses(graph, standard, table, stations, cells_xy=xy, max_snap_m=500.0).set_index(
        "resource_id"
    )
    one, two = np.abs(i) + np.abs(j) <= 3, np.abs(i - 7) + np.abs(j) <= 3
    assert one.sum() > 0 and (one & ~known).sum() > 0 and two.sum() > 0 and not (two & known).any()
    assert losses["rank"].to_dict() == {"S1": 1, "S2": 2, "A4": 3}
    assert losses.loc["S1", "residents_lost"] == pytest.approx(100.0 * (one & known).sum())
    assert losses.loc["S1", "cells_lost"] == one.sum()
    assert losses.loc["S1", "cells_lost_residents_unknown"] == (one & ~known).sum()
    assert np.isnan(losses.loc["S2", "residents_lost"])  # every lost cell unknown: unknown, not 0
    assert losses.loc["S2", "cells_lost"] == losses.loc["S2", "cells_lost_residents_unknown"] == two.sum()
    assert np.isnan(losses.loc["S2", "residents_served"])
    assert losses.loc["S2", "cells_served_residents_unknown"] == two.sum()
    assert losses.loc["A4", ["residents_lost", "cells_lost", "cells_lost_residents_unknown"]].tolist() == [
        0,
        0,
        0,
    ]
    # after S1's loss: every uncovered cell now plus its lost ones; ≥ their counted residents
    uncovered = ~(one | two)
    assert losses.loc["S1", "residents_uncovered_after"] == pytest.approx(
        100.0 * ((uncovered | one) & known).sum()
    )
    assert losses.loc["S1", "cells_uncovered_after_residents_unknown"] == ((uncovered | one) & ~known).sum()


def test_a_standards_uncovered_residents_by_hand_lower_bound_and_unknown():
    """Four cells of 1 km² (the last 2 km²): covered and 5 residents; uncovered with 7; uncovered with
    residents unknown (0 counted); uncovered, unknown. Uncovered ≥ 7, 2 unknown cells of 3 km² =
    75 % of the 4 km² uncovered; with the 7 unknown too: unknown (None), not 0; the report's words."""
    from urbanrisk.coverage_unknown import uncovered_summary
    from urbanrisk.outputs.i18n import translator
    from urbanrisk.outputs.report_parts import at_least

    rows = pd.DataFrame(
        {
            "h3_cell": ["a", "b", "c", "d"],
            "covered": [True, False, False, False],
            "residents": [5.0, 7.0, 0.0, 0.0],
            "residents_uncovered": [0.0, 7.0, 0.0, 0.0],
            "residents_known": [True, True, False, False],
        }
    )
    area = pd.Series({"a": 1e6, "b": 1e6, "c": 1e6, "d": 2e6})
    bound = uncovered_summary(rows, area)
    assert bound["residents_uncovered"] == 7.0 and bound["cells_uncovered"] == 3
    assert bound["cells_uncovered_residents_unknown"] == 2
    assert bound["area_km2_uncovered_residents_unknown"] == 3.0
    assert bound["share_uncovered_area_residents_unknown"] == 0.75
    unknown = uncovered_summary(
        rows.assign(residents_uncovered=[0.0, 0.0, 0.0, 0.0], residents_known=[True, False, False, False]),
        area,
    )
    assert unknown["residents_uncovered"] is None and unknown["cells_uncovered_residents_unknown"] == 3
    everyone = uncovered_summary(rows.assign(residents_known=True), area)
    assert everyone["residents_uncovered"] == 7.0 and everyone["cells_uncovered_residents_unknown"] == 0
    en, zh = translator("en"), translator("zh")
    assert at_least(7.0, 2, en, 0.75) == "≥ 7 (2 cells with residents unknown, 75% of the uncovered area)"
    assert (
        at_least(None, 3, en, 1.0) == "unknown (3 cells with residents unknown, 100% of the uncovered area)"
    )
    assert at_least(None, 3, zh, 1.0) == "未知（3 个单元常住人口未知，占未覆盖面积 100%）"
    assert at_least(7.0, 0, en) == "7"


def test_baltimore_west_edge_past_the_extract_says_unknown_not_zero(tmp_path):
    """Real data: Baltimore's 2015 extract with an area running past its western box (population from
    buildings: residents unknown where the buildings are). Past the extract no street was read: those
    cells are neither covered nor uncovered (the summary counts them apart, none is in a gap); inside
    it every cell is covered; an N-1 loss where nobody was
    counted is unknown (NaN), not 0, and ranks before no loss."""
    from conftest import BALTIMORE_PBF, write_recipe
    from urbanrisk.outputs.summary import run_summary
    from urbanrisk.pipeline import compute_run
    from urbanrisk.recipe import load_recipe

    body = {
        "name": "baltimore-west",
        "area": {"bbox": [-76.63, 39.283, -76.58, 39.312]},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(BALTIMORE_PBF)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 60,
            },
        },
        "coverage": {"standards": "nfpa1710"},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    result = compute_run(load_recipe(write_recipe(tmp_path, body)), scheduler="synchronous")
    summary = run_summary(result)
    table = result.coverage.coverage
    for name, entry in summary.coverage.items():
        rows = table[table["standard"] == name]
        uncovered, known = ~rows["covered"].to_numpy(), rows["residents_known"].to_numpy()
        inside = rows["travel_known"].to_numpy()
        assert entry["evaluated"] and entry["cells_coverage_unknown"] == (~inside).sum() > 100
        assert rows.loc[~inside, "residents_uncovered"].isna().all()  # not 0: unknown there
        assert entry["cells_uncovered_residents_unknown"] == (uncovered & inside & ~known).sum()
        assert entry["cells_uncovered"] == (uncovered & inside).sum()
        assert "outside the street data" in entry["status"]
    assert not len(result.coverage.gaps)  # no gap: the cells past the extract are not uncovered
    losses = result.coverage.resilience
    for _, rows in losses.groupby("standard"):
        rows = rows.sort_values("rank")
        loses = (rows["residents_lost"].fillna(0) > 0) | (rows["cells_lost_residents_unknown"] > 0)
        # ranks: those that lose someone (known, or unknown cells) before those that lose nobody
        assert loses.to_numpy().tolist() == sorted(loses.to_numpy().tolist(), reverse=True)
    unknown_loss = losses["residents_lost"].isna()
    assert unknown_loss.any() and (losses.loc[unknown_loss, "cells_lost_residents_unknown"] > 0).all()


def test_a_units_uncovered_residents_are_unknown_where_nobody_was_counted_and_cells_are_unknown():
    """Registers by hand: every cell of the two western communities is uncovered; those in the
    north-west one have residents unknown (0 counted). Its uncovered sum is unknown (NaN), not 0, with its
    unknown cells counted; the south-west one counts its residents, unknown cells 0; the parents add
    the unknown cells up."""
    from test_deliverables import UTM50, _graded_grid, _units
    from urbanrisk.cell_units import cell_units
    from urbanrisk.screens.registers import level_registers

    grid = _graded_grid()
    units = _units()
    community = cell_units(grid.index, units[units["level"] == "community"]).to_numpy()
    west = np.isin(community, ["C-WN", "C-WS"])
    known = community != "C-WN"
    grid["residents"] = grid["residents"].where(known, 0.0)
    coverage = pd.DataFrame(
        {
            "h3_cell": grid.index,
            "standard": "fire",
            "covered": ~west,
            "residents_known": known,
            "residents_uncovered": np.where(west, grid["residents"], 0.0),
        }
    )
    registers = level_registers(grid, units, hazard_sources=None, coverage=coverage, utm_crs=UTM50)
    community = registers["community"].set_index("id")
    assert np.isnan(community.loc["C-WN", "uncovered_fire"])
    assert community.loc["C-WN", "unknown_uncovered_fire"] > 0
    assert (
        community.loc["C-WS", "uncovered_fire"] > 0 and community.loc["C-WS", "unknown_uncovered_fire"] == 0
    )
    assert (
        community.loc["C-EN", "uncovered_fire"] == 0 and community.loc["C-EN", "unknown_uncovered_fire"] == 0
    )
    for table in registers.values():  # each level's unknown uncovered cells add up to the grid's
        assert table["unknown_uncovered_fire"].sum() == (west & ~known).sum()


def test_a_units_cells_outside_the_street_data_make_its_uncovered_sum_a_bound_not_0():
    """Registers by hand: the north-east community lies outside the street data (not covered, travel
    unknown): its uncovered residents are unknown (NaN), not 0, its cells counted as coverage unknown;
    the south-west one, uncovered, has one such cell beside counted uncovered residents (a lower
    bound); the north-west one is covered; the report words them."""
    from test_deliverables import LAT, LON, UTM50, D, _graded_grid, _units
    from urbanrisk.cell_units import cell_units
    from urbanrisk.grade import cell_centres_xy
    from urbanrisk.outputs.i18n import translator
    from urbanrisk.outputs.report_parts import bounded_sum
    from urbanrisk.screens.registers import level_registers

    grid = _graded_grid()
    units = _units()
    community = cell_units(grid.index, units[units["level"] == "community"]).to_numpy()
    lonlat = cell_centres_xy(grid.index, "EPSG:4326")
    margin = D / 5  # well inside the south-west community: its cells there are its own on every rule
    south_west = (
        (lonlat[:, 0] > LON - D + margin) & (lonlat[:, 0] < LON - margin)
        & (lonlat[:, 1] > LAT - D + margin) & (lonlat[:, 1] < LAT - margin)
    )  # fmt: skip
    outside = (community == "C-EN") | (grid.index == grid.index[south_west][0])
    coverage = pd.DataFrame(
        {
            "h3_cell": grid.index,
            "standard": "fire",
            "covered": ~(outside | south_west),
            "residents_known": True,
            "travel_known": ~outside,
            "residents_uncovered": np.where(south_west & ~outside, grid["residents"], np.nan),
        }
    )
    coverage.loc[~(outside | south_west), "residents_uncovered"] = 0.0
    registers = level_registers(grid, units, hazard_sources=None, coverage=coverage, utm_crs=UTM50)
    table = registers["community"].set_index("id")
    assert np.isnan(table.loc["C-EN", "uncovered_fire"])
    assert table.loc["C-EN", "coverage_unknown_fire"] > 0
    counted = grid["residents"].to_numpy()[south_west & ~outside].sum()
    assert counted > 0 and table.loc["C-WS", "uncovered_fire"] == pytest.approx(counted)
    assert table.loc["C-WS", "coverage_unknown_fire"] == 1
    assert table.loc["C-WN", "uncovered_fire"] == 0 and table.loc["C-WN", "coverage_unknown_fire"] == 0
    for level in registers.values():  # each level's counts add up to the grid's
        assert level["coverage_unknown_fire"].sum() == outside.sum()
    en = translator("en")  # the report's words for a register's sum (report_parts.bounded_sum)
    words = {
        unit: bounded_sum(
            row.uncovered_fire, row.unknown_uncovered_fire, en, outside_cells=row.coverage_unknown_fire
        )
        for unit, row in table.iterrows()
    }
    assert words["C-EN"].startswith("unknown; ") and "outside the street data" in words["C-EN"]
    assert (
        words["C-WS"]
        == f"≥ {counted:,.0f}; 1 cell outside the street data, on streets leaving it or in reach of a "
        "resource not used: coverage unknown"
    )
    assert words["C-WN"] == "0"


def test_a_registers_residents_count_its_cells_of_unknown_residents_as_the_community_register():
    """Level registers by hand: the north-west community's cells have residents unknown (0 counted):
    its residents unknown (NaN), not 0; two unknown cells of the south-west one beside counted ones
    make its sum a lower bound; every level counts them all (the report words them ≥ N / unknown, as
    the community register: the level registers showed a bare sum)."""
    from test_deliverables import LAT, LON, UTM50, D, _graded_grid, _units
    from urbanrisk.grade import cell_centres_xy
    from urbanrisk.screens.registers import level_registers

    grid = _graded_grid()
    lonlat = cell_centres_xy(grid.index, "EPSG:4326")
    north_west = (lonlat[:, 0] < LON) & (lonlat[:, 1] > LAT)  # the quadrant: edge cells overlap C-WN most
    margin = D / 5
    south_west = (
        (lonlat[:, 0] > LON - D + margin) & (lonlat[:, 0] < LON - margin)
        & (lonlat[:, 1] > LAT - D + margin) & (lonlat[:, 1] < LAT - margin)
    )  # fmt: skip
    known = ~north_west & ~np.isin(np.arange(len(grid)), np.flatnonzero(south_west)[:2])
    grid["known_residents"] = known
    grid["residents"] = grid["residents"].where(known, 0.0)
    registers = level_registers(grid, _units(), hazard_sources=None, coverage=None, utm_crs=UTM50)
    table = registers["community"].set_index("id")
    assert np.isnan(table.loc["C-WN", "residents"])
    assert table.loc["C-WN", "cells_residents_unknown"] == table.loc["C-WN", "cells"] > 0
    assert table.loc["C-WS", "cells_residents_unknown"] == 2 and table.loc["C-WS", "residents"] > 0
    assert table.loc["C-EN", "cells_residents_unknown"] == 0
    for level in registers.values():  # every level adds the cells up; a counted sum stays a number
        assert level["cells_residents_unknown"].sum() == (~known).sum()
    assert registers["street"].set_index("id").loc["S-W", "residents"] > 0


def test_covered_na_where_coverage_is_unknown_leaves_every_reader_unchanged():
    """The cells of the test above with ``covered`` NA where travel is unknown (was False): the gaps,
    the status, the summary's counts and the registers' flags read as they did."""
    from urbanrisk.coverage_unknown import covered_flags, uncovered_summary, with_coverage_unknown

    ring = sorted(h3.grid_ring(CENTRE, 1))
    cells = [CENTRE, *ring, h3.grid_ring(CENTRE, 5)[0]]
    covered = [False, False, False, True, True, True, True, False]
    residents = [10.0, 7.0, 0.0, 4.0, 4.0, 4.0, 4.0, 0.0]
    grid = grid_frame(cells).assign(
        residents=residents,
        known_residents=[True, False, True, True, True, True, True, False],
        known_travel=[True, False, True, True, False, True, True, False],
    )
    table = _table(cells, covered, residents, True).drop(columns="residents_known")
    table["residents_uncovered"] = np.where(covered, 0.0, residents)
    table["reason"] = np.where(covered, "", "beyond the limit")
    before = with_unknown_flags(table, grid)
    after = with_coverage_unknown(before.copy())  # in place: before stays as main wrote it
    assert before["covered"].dtype == bool and str(after["covered"].dtype) == "boolean"
    assert after["covered"].isna().tolist() == [False, True, False, False, False, False, False, True]
    assert covered_flags(after).tolist() == covered
    pd.testing.assert_frame_equal(gaps_from_coverage(grid, before), gaps_from_coverage(grid, after))
    assert unknown_uncovered_words(after) == unknown_uncovered_words(before)
    area = pd.Series(1e4, index=cells)
    rows = before.rename_axis("h3_cell").reset_index()
    assert uncovered_summary(rows.assign(covered=after["covered"].to_numpy()), area) == uncovered_summary(
        rows, area
    )
