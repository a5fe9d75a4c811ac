"""Resources declared complete (issue #14): none of a kind then means nobody is reached, not unknown.

Hand cases on the 100 m street lattice of test_coverage (10 m/s: 10 s a block); the BUPT runs that
remove the last real station are in test_hostile.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from conftest import write_recipe
from test_coverage import ORIGIN, SPACING, UTM50, _grid_over, _lonlat, _speeds, _street_grid
from urbanrisk.coverage import coverage_stage, declare_complete, standards_for
from urbanrisk.coverage_dask import partitioned_coverage_stage
from urbanrisk.grade import grade_cells
from urbanrisk.recipe import GradingSpecModel
from urbanrisk.result import GRADE_RANK, NO_DATA, Standard

FIRE = Standard("fire", "fire_station", "drive", 65.0, "s", 0.0, "hand-made: 65 s")
COMPLETE = "a registry declared complete (layer 'stations', complete_for)"
#: three stations on the lattice, at block (i, j)
STATIONS = {"W": (-4, 0), "C": (0, 0), "E": (4, 2)}
RANK = {**GRADE_RANK, NO_DATA: len(GRADE_RANK)}


@pytest.fixture(scope="module")
def lattice(tmp_path_factory):
    streets, nodes = _street_grid()
    grid, area = _grid_over(550.0)
    grid["residents"] = 150.0
    speeds = tmp_path_factory.mktemp("speeds") / "speeds.csv"
    _speeds().reset_index().to_csv(speeds, index=False)
    return streets, nodes, grid, area, str(speeds)


def _stations(names) -> gpd.GeoDataFrame:
    names = sorted(names)
    ij = np.array([STATIONS[n] for n in names], dtype=float).reshape(-1, 2)
    lon, lat = _lonlat(ORIGIN[0] + SPACING * ij[:, 0], ORIGIN[1] + SPACING * ij[:, 1])
    return gpd.GeoDataFrame(
        {"id": names, "kind": "fire_station", "name": names, "capacity": np.nan, "source": "test"},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


def _stage(lattice, names, *, declared: str = COMPLETE, partitioned: bool = False):
    streets, nodes, grid, area, speeds = lattice
    options = {
        "standards": [Standard(**{**FIRE.__dict__, "declared_complete": declared})],
        "utm_crs": UTM50,
        "speeds_path": speeds,
        "sites": 2,
    }
    if partitioned:
        return partitioned_coverage_stage(
            grid, streets, nodes, None, _stations(names), area, partition_resolution=8, **options
        )
    return coverage_stage(grid, streets, nodes, None, _stations(names), area, **options)


def _grades(lattice, coping) -> pd.Series:
    grid = lattice[2].assign(crowd_places=2.0, coverage_ratio=0.3, vulnerable_sites=1.0)
    spec = GradingSpecModel(thresholds=[5.0, 4.0, 3.0])
    graded = grade_cells(
        grid, None, pd.Series(0.0, index=grid.index), utm_crs=UTM50, spec=spec, coping=coping
    )
    return graded["grade"].map(RANK)


def test_no_resource_in_a_complete_registry_reaches_nobody(lattice):
    result = _stage(lattice, [])
    table = result.coverage.set_index("h3_cell")
    # every resident uncovered, no travel time made up: none (NaN), not reached
    assert not table["covered"].any() and not table["reached"].any()
    assert table["travel"].isna().all()
    assert table["residents_uncovered"].sum() == pytest.approx(150.0 * len(table))
    assert set(table["reason"]) == {"no fire_station at all (declared complete)"}
    assert result.status["fire"] == (
        f"ok: {FIRE.describe()}; no fire_station in {COMPLETE}: every resident uncovered; 0 resources; "
        f"{150.0 * len(table):,.0f} of {150.0 * len(table):,.0f} residents uncovered"
    )
    assert result.unknown == {}
    assert result.coping.to_numpy() == pytest.approx(10.0)  # unreachable: the worst coping score
    # one gap of every cell, unreachable; sites for the first station; nothing to lose (N-1); no 2SFCA
    assert len(result.gaps) == 1 and result.gaps["worst_travel"].iloc[0] == np.inf
    assert result.gaps["unreachable_cells"].iloc[0] == len(table)
    assert list(result.sites["rank"]) == [1, 2] and (result.sites["residents_added"] > 0).all()
    assert result.resilience.empty and table["supply_per_person"].isna().all()
    # the partitioned (Dask) path says the same
    parts = _stage(lattice, [], partitioned=True)
    pd.testing.assert_frame_equal(
        parts.coverage.set_index("h3_cell").sort_index(), table.sort_index(), check_like=True
    )
    assert parts.status == result.status and parts.coping.equals(result.coping)


def test_without_the_declaration_no_resource_is_unknown_not_none(lattice):
    result = _stage(lattice, [], declared="")
    assert result.coverage.empty and result.coping is None
    assert result.status["fire"].startswith("skipped: no fire_station in the data")
    assert "fire coverage unknown" in result.status["fire"]
    assert "complete_for: [fire_station]" in result.unknown["fire"]


def test_removing_any_station_from_a_complete_registry_never_lowers_a_grade(lattice):
    """Every subset of three stations, each station removed in turn (down to none): lack of coping never
    falls and no grade falls; the first station added lowers some grades (the case can fail)."""
    subsets = [frozenset(c) for k in range(4) for c in itertools.combinations(STATIONS, k)]
    coping = {s: _stage(lattice, s).coping for s in subsets}
    grades = {s: _grades(lattice, coping[s]) for s in subsets}
    for subset in subsets:
        for name in subset:
            fewer = subset - {name}
            assert (coping[fewer] >= coping[subset] - 1e-12).all(), (sorted(subset), name)
            assert (grades[fewer] <= grades[subset]).all(), (sorted(subset), name)
    none, one = frozenset(), frozenset({"C"})
    assert (grades[none] < grades[one]).any()  # none at all is graded worse than one station
    # without the declaration, none is unknown: left out of lack of coping, grades fall (the bug)
    unknown = _grades(lattice, _stage(lattice, none, declared="").coping)
    assert (unknown > grades[one]).any()


def test_recipe_declarations_reach_the_standards(tmp_path):
    from urbanrisk.recipe import load_recipe

    assert standards_for("cn", {"fire": {"resources_complete": True}})[0].declared_complete == (
        "data declared complete (coverage.overrides.fire.resources_complete)"
    )
    assert [s.declared_complete for s in declare_complete(standards_for("cn"), {"fire_station": "st"})] == [
        "a registry declared complete (layer 'st', complete_for)",
        "",
        "",
    ]
    body = {
        "name": "t",
        "area": {"bbox": [116.3, 39.9, 116.31, 39.91]},
        "grid": {"resolution": 9},
        "layers": {"h": {"type": "points", "path": "h.csv", "complete_for": ["fire_station"]}},
        "outputs": {"dir": "out"},
    }
    (tmp_path / "h.csv").write_text("id,kind,lon,lat\n", encoding="utf-8")
    with pytest.raises(
        Exception, match=r"complete_for \['fire_station'\] is for resource registries: add role"
    ):
        load_recipe(write_recipe(tmp_path, body))
    body["layers"]["h"]["role"] = "resource"
    body["coverage"] = {"overrides": {"fire": {"resources_complete": True}}}
    recipe = load_recipe(write_recipe(tmp_path, body))
    assert recipe.layers["h"].complete_for == ["fire_station"]
    assert recipe.coverage.override_dict() == {"fire": {"resources_complete": True}}


def test_validate_refuses_a_complete_for_that_names_no_resource_kind(tmp_path, capsys):
    from urbanrisk.cli import main

    (tmp_path / "s.csv").write_text("id,kind,lon,lat\n", encoding="utf-8")
    body = {
        "name": "t",
        "area": {"bbox": [116.3, 39.9, 116.31, 39.91]},
        "grid": {"resolution": 9},
        "layers": {
            "s": {
                "type": "points",
                "role": "resource",
                "path": "s.csv",
                "complete_for": ["消防站", "fire_statoin"],
            }
        },
        "outputs": {"dir": "out"},
    }
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    printed = capsys.readouterr()
    assert "layers.s.complete_for: complete_for names ['fire_statoin'], not resource kinds" in (
        printed.out + printed.err
    )


def test_the_chinese_report_says_none_and_unknown_apart(lattice):
    from urbanrisk.outputs.i18n import data_text

    none = _stage(lattice, [])
    assert data_text(none.status["fire"], "zh").startswith(
        "完成：配方声明消防站数据完整而其中没有消防站：全部居民未覆盖"
    )
    unknown = _stage(lattice, [], declared="")
    assert data_text(unknown.status["fire"], "zh").startswith(
        "跳过：研究区及其 2000 米范围内的数据中没有消防站"
    )
    assert data_text(unknown.unknown["fire"], "zh").startswith(
        "数据中没有消防站：该覆盖标准未知（缺失不等于没有）"
    )
