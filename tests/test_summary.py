"""One run summary behind every output: manifest, report, map legend and CLI state the same numbers."""

from __future__ import annotations

import json
import re

import pandas as pd

from urbanrisk.cli import main
from urbanrisk.grid_dataset import read_grid
from urbanrisk.outputs.summary import run_summary
from urbanrisk.result import GRADES
from urbanrisk.run import run_recipe

#: A count of 1 before a plural count word ("1 cells", "1 residents"), not part of a larger number.
ONE_PLURAL = re.compile(
    r"(?<![\d.,])1 (cells|residents|units|sites|sources|layers|problems|resources|points)\b"
)


def test_every_output_states_the_summary(wudaokou_recipe, capsys):
    assert main(["run", str(wudaokou_recipe), "--scheduler", "synchronous"]) == 0
    printed = capsys.readouterr().out
    run_dir = next((wudaokou_recipe.parent / "out" / "runs").iterdir())
    grid = read_grid(run_dir, geometry=False)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))

    # the summary's numbers, computed independently from the written grid
    for grade in GRADES:
        rows = grid[grid["grade"] == grade]
        assert manifest["grades"][grade]["cells"] == len(rows)
        assert abs(manifest["grades"][grade]["residents"] - rows["residents"].sum()) < 1e-3
    assert sum(v["cells"] for v in manifest["grades"].values()) == len(grid) == manifest["counts"]["cells"]
    coverage = pd.read_parquet(run_dir / "coverage.parquet")
    unknown_cells = {}
    for name, entry in manifest["coverage"]["standards"].items():
        rows = coverage[coverage["standard"] == name]
        expected = rows["residents_uncovered"].sum() if len(rows) else None
        if expected is not None:
            # uncovered cells of unknown residents, from the grid's own flags: the sum is a lower bound
            known = grid["known_residents"].reindex(rows["h3_cell"]).to_numpy(dtype=bool)
            # a cell of unknown coverage (its streets leave the data: one here) is not uncovered
            uncovered = rows["covered"].eq(False).fillna(False).to_numpy(dtype=bool)  # unknown: NA
            assert not (uncovered & ~rows["travel_known"].to_numpy(dtype=bool)).any()
            unknown_uncovered = int((uncovered & ~known).sum())
            assert entry["cells_uncovered_residents_unknown"] == unknown_uncovered
            unknown_cells[name] = unknown_uncovered
            # nobody counted and some unknown: unknown (None), not 0
            expected = None if unknown_uncovered and expected <= 0 else expected
            area = grid["cell_area_m2"].reindex(rows["h3_cell"]).to_numpy()
            share = area[uncovered & ~known].sum() / area[uncovered].sum() if uncovered.any() else 0.0
            assert abs(entry["share_uncovered_area_residents_unknown"] - share) < 1e-4
        assert (entry["residents_uncovered"] is None) == (expected is None)
        if expected is not None:
            assert abs(entry["residents_uncovered"] - expected) < 1e-3
    # Wudaokou's one uncovered cell of unknown residents lies by streets that leave the data at the
    # extract's edge: its coverage is unknown, not uncovered (tests/test_leaving_data.py), so none is
    # left, and the report names it beside the sum
    assert not any(unknown_cells.values())
    assert manifest["coverage"]["standards"]["medical"]["cells_coverage_unknown"] == 1
    assert (~coverage["travel_known"]).sum() == 1
    # the CLI prints the same grade counts
    cli = dict(re.findall(r"(I{1,3}V?|IV) ([\d,]+)", printed.split("grades (cells):")[1].splitlines()[0]))
    assert {g: int(cli[g].replace(",", "")) for g in GRADES} == {
        g: manifest["grades"][g]["cells"] for g in GRADES
    }
    # the report's total and the legend's per-grade lines
    report = (run_dir / "report.html").read_text(encoding="utf-8")
    total = re.search(r'id="residents-total">([\d,]+)<', report).group(1)
    assert total == f"{manifest['counts']['residents']:,.0f}"
    # a grade's residents where some were never measured: the report says in how many cells (it read 0)
    unknown = {g: manifest["grades"][g]["cells_residents_unknown"] for g in GRADES}
    assert any(unknown.values())  # Wudaokou's buildings look incomplete in places
    assert "cells with residents unknown" in report
    rows = re.findall(r"<tr><td>(.*?)</tr>", report.split("Residents per grade")[1].split("</table>")[0])
    shown = {re.search(r'<span class="grade"[^>]*>([^<]+)<', r).group(1): r for r in rows}
    for grade in GRADES:
        assert re.findall(r'<td class="n">([\d,]+)</td>', shown[grade])[-1] == f"{unknown[grade]:,}"
    # and the coverage table gives each such sum as a lower bound, naming its unknown cells
    section = report.split("Emergency-resource coverage")[1].split("</table>")[0]
    for name, cells in unknown_cells.items():
        entry = manifest["coverage"]["standards"][name]
        uncovered, share = entry["residents_uncovered"], entry["share_uncovered_area_residents_unknown"]
        shown = "unknown" if uncovered is None else f"{uncovered:,.0f}"
        shown = f"≥ {shown}" if cells and uncovered is not None else shown
        shown += (
            f" ({cells:,} {'cell' if cells == 1 else 'cells'} with residents unknown, {share:.0%} of the "
            "uncovered area)"
            if cells
            else ""
        )
        assert shown in section, (name, shown)
    assert (
        "≥ 7,253; 1 cell outside the street data, on streets leaving it or in reach of a resource not used: "
        "coverage unknown" in section
    )
    page = (run_dir / "map.html").read_text(encoding="utf-8")
    for grade in GRADES:
        entry = manifest["grades"][grade]
        cells = f"{entry['cells']:,} {'cell' if entry['cells'] == 1 else 'cells'}"
        residents = f"{entry['residents']:,.0f}"
        assert f"{cells} · {residents} {'resident' if residents == '1' else 'residents'}" in page
    # every count word reads singular after a 1: report, map tooltips, CLI lines, tables' words
    texts = {"report": report, "map": page, "cli": printed}
    for name in ("gaps", "hazard_sources", "communities"):
        table = pd.read_parquet(run_dir / f"{name}.parquet")
        texts[name] = " ".join(
            " ".join(table[c].astype(str)) for c in table.columns if table[c].dtype == "str"
        )
    for name, text in texts.items():
        assert not ONE_PLURAL.findall(text), (name, ONE_PLURAL.findall(text))
    assert "(1 cell with residents unknown" in report  # Wudaokou has such a sum: the check above reads it


def test_summary_of_an_ungraded_grid_has_no_grades(tmp_path, wudaokou_recipe):
    result = run_recipe(wudaokou_recipe, write=False, scheduler="synchronous")
    summary = run_summary(result)
    assert summary.graded and summary.cells == len(result.grid)
    result.grid = result.grid.drop(columns=["grade"])
    assert run_summary(result).grades == {}
    assert result.map() is not None  # the notebook map still draws (residents instead of grades)


def test_a_grade_row_says_when_its_residents_are_unknown_not_zero():
    """Beyond an extract the "no data" row read "0 residents"; cells whose residents could not be
    measured are counted and the map's legend says "residents unknown" instead of a 0 it never measured."""
    import pandas as pd

    from urbanrisk.outputs.map import _residents
    from urbanrisk.outputs.summary import grade_counts

    grid = pd.DataFrame(
        {
            "grade": ["IV", "IV", "no data", "no data"],
            "residents": [100.0, 0.0, 0.0, 0.0],
            "known_residents": [True, False, False, False],
        }
    )
    counts = grade_counts(grid)
    assert counts["IV"] == {"cells": 2, "residents": 100.0, "cells_residents_unknown": 1}
    assert counts["no data"]["cells_residents_unknown"] == 2
    assert _residents(counts["no data"]) == "residents unknown"
    assert _residents(counts["IV"]) == "100 residents (unknown in 1 cell)"
    assert _residents(counts["I"]) == "0 residents"  # no cell: nothing unknown


def test_one_ungraded_cell_is_worded_in_the_singular_in_both_languages():
    """ "1 cells have no grade" read wrong: "1 cell has no grade"; the zh pattern reads both forms."""
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.outputs.summary import RunSummary

    def warning(cells: int) -> str:
        grades = {"no data": {"cells": cells, "residents": 0.0}}
        summary = RunSummary("t", 10, 5, 0.0, "raster", {}, grades, {}, {})
        return next(w for w in summary.warnings if "no grade" in w)

    assert warning(1).startswith("1 cell has no grade (no data)")
    assert warning(1_200).startswith("1,200 cells have no grade (no data)")
    assert data_text(warning(1), "zh").startswith("1 个单元无等级（无数据）")
    assert data_text(warning(1_200), "zh").startswith("1,200 个单元无等级（无数据）")
