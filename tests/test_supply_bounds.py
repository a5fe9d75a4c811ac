"""Missing is not zero for 2SFCA supply, suggested sites and the coverage bar chart: cells of unknown
residents make a resource's supply an upper bound (or unknown), and the sites and the chart say so.
Small lattices computed by hand."""

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix

from urbanrisk.network import StreetGraph
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.i18n_bounds import ZH_BOUNDS
from urbanrisk.outputs.report_parts import BAR_BOUND, BAR_UNKNOWN, bar_chart
from urbanrisk.outputs.report_supply import sites_left_note, supply_section, supply_tips
from urbanrisk.result import Standard
from urbanrisk.siting import greedy_sites
from urbanrisk.supply import fca_tables, two_step_fca

UTM50 = "EPSG:32650"
X0, Y0 = 440_000.0, 4_428_000.0


def _line(n=4):
    """n street nodes 100 m apart on a line, both ways; one cell at each node."""
    xy = np.column_stack([X0 + 100.0 * np.arange(n), np.full(n, Y0)])
    rows = [*range(n - 1), *range(1, n)]
    cols = [*range(1, n), *range(n - 1)]
    length = csr_matrix((np.full(len(rows), 100.0), (rows, cols)), shape=(n, n))
    graph = StreetGraph("drive", np.arange(n) + 100, xy, length / 10.0, length, UTM50)
    return graph, xy


def _stations(graph, nodes, capacities):
    points = gpd.GeoSeries(gpd.points_from_xy(graph.xy[nodes, 0], graph.xy[nodes, 1]), crs=UTM50)
    return gpd.GeoDataFrame(
        {
            "id": [f"S{i}" for i in range(len(nodes))],
            "kind": "hospital",
            "name": ["A", "B", "C"][: len(nodes)],
            "capacity": capacities,
        },
        geometry=points.to_crs(4326),
        crs=4326,
    )


MEDICAL = Standard("medical", "hospital", "drive", 150.0, "m", 0.0, "hand-made: 150 m, one node each way")


def test_two_step_fca_bounds_by_hand():
    """A (node 0, 10 places) reaches c0, c1: 160 counted, exact 62.5 per 1,000. B (node 2, 20) reaches
    c1, c2, c3: 60 counted, c2 and c3 unknown: ≤ 333.3 per 1,000 (2/3 of its reach unknown). C (node 3,
    5) reaches c2, c3: nobody counted, both unknown: unknown. Cells: c0 = 10/160 exact; c1 = 10/160 +
    20/60, an upper bound; c2, c3 in C's reach: unknown."""
    graph, xy = _line()
    table = pd.DataFrame(
        {"residents": [100.0, 60.0, 0.0, 0.0], "residents_known": [True, True, False, False]},
        index=[f"c{i}" for i in range(4)],
    )
    resources = _stations(graph, [0, 2, 3], [10.0, 20.0, 5.0])
    cells, stations = fca_tables(table, graph, MEDICAL, resources, xy, max_snap_m=50.0)
    assert stations["catchment_cells"].tolist() == [2, 3, 2]
    assert stations["residents_counted"].tolist() == [160.0, 60.0, 0.0]
    assert stations["cells_residents_unknown"].tolist() == [0, 2, 2]
    assert stations["unknown_share"].to_numpy() == pytest.approx([0.0, 2 / 3, 1.0])
    assert stations["per_1000"].to_numpy()[:2] == pytest.approx([62.5, 1000 * 20 / 60])
    assert np.isnan(stations["per_1000"].iloc[2])
    assert stations["bound"].tolist() == ["exact", "upper bound", "unknown"]
    supply = cells["supply_per_person"].to_numpy()
    assert supply[:2] == pytest.approx([10 / 160, 10 / 160 + 20 / 60]) and np.isnan(supply[2:]).all()
    assert cells["supply_bound"].tolist() == ["exact", "upper bound", "unknown", "unknown"]
    alone = two_step_fca(table, graph, MEDICAL, resources, xy, max_snap_m=50.0)
    pd.testing.assert_series_equal(alone, cells["supply_per_person"])
    # the same residents all measured: every value exact, C's (nobody there) 0 as before
    known = table.assign(residents_known=True)
    cells, stations = fca_tables(known, graph, MEDICAL, resources, xy, max_snap_m=50.0)
    assert stations["bound"].tolist() == ["exact"] * 3 and stations["per_1000"].iloc[2] == 0.0
    assert cells["supply_per_person"].to_numpy() == pytest.approx(
        [10 / 160, 10 / 160 + 20 / 60, 20 / 60, 20 / 60]
    )
    assert (cells["supply_bound"] == "exact").all()


def _half_unknown() -> tuple[pd.DataFrame, pd.DataFrame]:
    """2SFCA on the line: c0 and c1 counted (100 and 60 residents), c2 and c3 of unknown residents."""
    graph, xy = _line()
    table = pd.DataFrame(
        {"residents": [100.0, 60.0, 0.0, 0.0], "residents_known": [True, True, False, False]},
        index=[f"c{i}" for i in range(4)],
    )
    return fca_tables(
        table, graph, MEDICAL, _stations(graph, [0, 2, 3], [10.0, 20.0, 5.0]), xy, max_snap_m=50.0
    )


def test_supply_in_the_report_and_map_says_which_values_are_bounds():
    cells, stations = _half_unknown()
    coverage = SimpleNamespace(supply=stations, coverage=cells.assign(standard="medical"))
    result = SimpleNamespace(coverage=coverage)
    en = supply_section(result, translator("en"))
    assert '<td class="n">62.5</td>' in en  # numbers right-aligned, as in every table
    assert '<td class="n">≤ 333.3 (67% of the cells in reach with residents unknown)</td>' in en
    assert "unknown (nobody counted in reach, 2 cells with residents unknown)" in en
    assert "≥ 60 (2 cells with residents unknown)" in en  # B's counted residents: a lower bound
    assert "upper bound in 1 cell, unknown in 2 cells" in en
    zh = supply_section(result, translator("zh"), "zh")
    assert "≤ 333.3（服务范围内 67% 单元常住人口未知）" in zh and "每千人资源供给" in zh
    assert "未知（服务范围内无计入人口，2 个单元常住人口未知）" in zh
    tips = supply_tips(result, translator("en"))
    assert (
        tips[("hospital", "S1")]
        == "<br/>medical: ≤ 333.3 (67% of the cells in reach with residents unknown) "
        "capacity per 1,000 residents"
    )


def test_greedy_sites_count_the_unknown_cells_they_cover_and_leave():
    """Uncovered: c0 100 counted; c3 40 counted but unknown (a lower bound); c2 unknown, 0 counted.
    Site 1 at node 0 (100, first of the ties) covers no unknown cell; site 2 at node 2 (40) covers c2
    and c3: 2 unknown cells, none left. With k = 1, 2 unknown cells stay uncovered: the note says so."""
    graph, xy = _line()
    table = pd.DataFrame(
        {
            "residents_uncovered": [100.0, 0.0, 0.0, 40.0],
            "covered": False,
            "residents_known": [True, True, False, False],
            "travel_known": True,
            "cell_snap_m": 0.0,
        }
    )
    candidates = np.arange(4)
    sites = greedy_sites(graph, MEDICAL, table, candidates, k=3, cells_xy=xy, max_snap_m=50.0)
    assert sites["node"].tolist() == [100, 102]
    assert sites["residents_added"].tolist() == [100.0, 40.0]  # the weight: counted residents only
    assert sites["unknown_cells_added"].tolist() == [0, 2]
    assert sites["unknown_cells_left"].tolist() == [2, 0]
    assert sites_left_note(sites, translator("en")) == ""  # nothing left: no note
    one = greedy_sites(graph, MEDICAL, table, candidates, k=1, cells_xy=xy, max_snap_m=50.0)
    note = sites_left_note(one, translator("en"))
    assert "2 uncovered cells whose residents are unknown stay uncovered" in note
    assert "仍有 2 个常住人口未知的单元未被覆盖" in sites_left_note(one, translator("zh"), "zh")


def test_bar_chart_marks_bounded_and_unknown_bars():
    svg = bar_chart(
        {"fire": 1234.0, "medical": float("nan"), "shelter": 10.0}, {}, "uncovered", {"fire": "bound"}
    )
    assert "≥ 1,234 uncovered" in svg and 'class="bar-bound"' in svg and "url(#bound-hatch)" in svg
    assert 'class="bar-unknown"' in svg and ">unknown uncovered<" in svg and "nan" not in svg
    assert BAR_BOUND in svg.replace("&#x27;", "'") and BAR_UNKNOWN in svg.replace("&#x27;", "'")
    plain = bar_chart({"shelter": 10.0}, {}, "uncovered", {})
    assert "bar-legend" not in plain and "≥" not in plain
    zh = bar_chart({"消防": 5.0}, {}, "未覆盖", {"消防": "bound"}, translator("zh"))
    assert ZH_BOUNDS[BAR_BOUND] in zh and "≥ 5 未覆盖" in zh


def test_map_cells_tooltips_give_the_cells_supply_with_its_bounds():
    """The map's cell tooltips carry each cell's 2SFCA supply per 1,000 residents (coverage.parquet's
    supply_per_person), as the report's figures: c0 exact 62.5 (10/160), c1 an upper bound (62.5 +
    333.3), c2 and c3 unknown; a cell without a row none; the standard's name escaped; a large
    grid's parents none (a sum over child cells means nothing)."""
    from urbanrisk.outputs.map_cells import supply_lines

    cells, stations = _half_unknown()
    cells = cells.rename_axis("h3_cell").reset_index()
    odd = cells.assign(standard="<b>", supply_bound="exact", supply_per_person=0.001)
    coverage = SimpleNamespace(
        supply=pd.concat([stations, stations.assign(standard="<b>")]),
        coverage=pd.concat([cells.assign(standard="medical"), odd]),
    )
    result = SimpleNamespace(coverage=coverage)
    grid = pd.DataFrame({"residents": [1.0] * 5}, index=["c0", "c1", "c2", "c3", "c9"])
    en = supply_lines(result, grid, "en")
    assert en[0] == "<br/>supply per 1,000 residents (2SFCA): medical 62.5 · &lt;b&gt; 1.0"
    assert en[1].startswith("<br/>supply per 1,000 residents (2SFCA): medical ≤ 395.8 · ")
    assert en[2].startswith("<br/>supply per 1,000 residents (2SFCA): medical unknown · ")
    assert en[4] == ""
    zh = supply_lines(result, grid, "zh")
    assert zh[1].startswith("<br/>每千人资源供给（2SFCA）：医疗急救 ≤ 395.8 · ") and "医疗急救 未知" in zh[3]
    parents = grid.assign(display_children=7, cells_residents_unknown=0)
    assert supply_lines(result, parents, "en") == [""] * 5
