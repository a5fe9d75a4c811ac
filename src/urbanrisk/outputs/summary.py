"""The run summary: the few numbers every output states, computed once.

Residents and cells per grade, uncovered residents per coverage standard, each screen's and
standard's status, the totals of the grid. The manifest, the report, the map legend and the CLI all
read this one summary, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..coarse_grid import coarse_coverage_warning
from ..coverage_unknown import travel_unknown_cells, uncovered_summary
from ..result import GRADE_CLASSES, GRADES, RunResult
from ..wording import count_text
from .assumed_kinds import run_assumed_note
from .census_compare import census_lines
from .i18n_datum import is_datum_note
from .i18n_exposure import exposure_counts, exposure_warning


@dataclass(frozen=True)
class RunSummary:
    """What a run found, in numbers (see :func:`run_summary`)."""

    title: str
    resolution: int
    cells: int
    residents: float
    population_source: str
    counts: dict[str, Any]
    grades: dict[str, dict[str, float]]  # grade -> {"cells": n, "residents": r}; {} when ungraded
    coverage: dict[str, dict[str, Any]]  # standard -> status, standard, source, residents_uncovered
    statuses: dict[str, str]  # screens by name, coverage standards as "coverage <name>"
    notes: list[str] = field(default_factory=list)
    completeness: dict[str, Any] = field(default_factory=dict)  # urbanrisk.completeness summary
    #: per unit level: units (without the unassigned rows), residents, cells (they equal the grid's)
    registers: dict[str, dict[str, float]] = field(default_factory=dict)
    #: risk items of the responsibility list by type, and GB 18218 major hazard sources by grade
    responsibility: dict[str, int] = field(default_factory=dict)
    major_hazards: dict[str, int] = field(default_factory=dict)
    hazard_exposure: dict[str, int] = field(default_factory=dict)  # i18n_exposure.exposure_counts
    datum: list[str] = field(default_factory=list)  # registries that look like GCJ-02 / BD-09 (datum_check)
    #: a census table's totals beside the raster's and each register level's cells ({"en", "zh"} each)
    census: list[dict[str, str]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What a planner must know before trusting the numbers (e.g. incomplete buildings)."""
        out = list(self.datum) + ([self.completeness["warning"]] if self.completeness.get("warning") else [])
        out += [
            f"{text}; lack of coping leaves it out, so grades may be lower than with it known"
            for text in self.completeness.get("coverage_unknown", {}).values()
        ]
        no_data = self.grades.get("no data", {}).get("cells", 0)
        if no_data:
            out.append(
                f"{count_text(no_data, 'cells', spec=',')} {'has' if no_data == 1 else 'have'} no grade "
                "(no data): too little could be measured there; "
                "they are grey on the map, not low risk"
            )
        if any(v.get("evaluated") for v in self.coverage.values()):  # each cell's travel is its centre's
            out += [w for w in [coarse_coverage_warning(self.counts.get("resolution", 15))] if w]
        return out + [w for w in [exposure_warning(self.hazard_exposure)] if w]

    @property
    def graded(self) -> bool:
        """True when the grid carries grades (possibly all "no data")."""
        return bool(self.grades)

    @property
    def any_graded(self) -> bool:
        """True when at least one cell has a grade I-IV."""
        return any(v["cells"] for g, v in self.grades.items() if g in GRADES)


def grade_counts(grid: Any) -> dict[str, dict[str, float]]:
    """Cells and residents per grade and for "no data", and how many of those cells' residents are
    unknown (an empty dict for an ungraded grid)."""
    if "grade" not in grid.columns:
        return {}
    unknown = ~grid["known_residents"].astype(bool) if "known_residents" in grid.columns else None
    return {
        grade: {
            "cells": int((grid["grade"] == grade).sum()),
            "residents": round(float(grid.loc[grid["grade"] == grade, "residents"].sum()), 3),
            # cells whose residents could not be measured: their count above is not theirs (missing ≠ 0)
            "cells_residents_unknown": int((unknown & (grid["grade"] == grade)).sum())
            if unknown is not None
            else 0,
        }
        for grade in GRADE_CLASSES
    }


def _counts(result: RunResult) -> dict[str, Any]:
    grid = result.grid
    return {
        "cells": len(grid),
        "resolution": result.recipe.grid.resolution,
        "residents": round(float(grid["residents"].sum()), 3),
        "buildings": int(grid["buildings"].sum()),
        "footprint_m2": round(float(grid["footprint_m2"].sum()), 1),
        "crowd_places": int(grid["crowd_places"].sum()),
        "vulnerable_sites": int(grid["vulnerable_sites"].sum()),
        "hazards": int(grid["hazards"].sum()),
        "resources": int(grid.filter(like="resource_").sum().sum()),
        "street_length_km": round(float(grid["street_length_m"].sum()) / 1000, 3),
    }


_NOT_EVALUATED = dict.fromkeys(
    [
        "residents_uncovered",
        "cells_uncovered",
        "cells_uncovered_residents_unknown",
        "area_km2_uncovered_residents_unknown",
        "share_uncovered_area_residents_unknown",
    ]
)


def coverage_by_standard(result: RunResult) -> dict[str, dict[str, Any]]:
    """Per coverage standard: its status, the standard in words, its source, residents uncovered."""
    coverage = result.coverage
    if coverage is None:
        return {}
    table = coverage.coverage
    out = {}
    for standard in coverage.standards:
        rows = table[table["standard"] == standard.name] if len(table) else table
        # uncovered cells whose residents are unknown: the sum is then a lower bound, or None (unknown,
        # not 0) where nobody was counted; None too when not evaluated (see "evaluated")
        unknown = uncovered_summary(rows, result.grid["cell_area_m2"]) if len(rows) else _NOT_EVALUATED
        out[standard.name] = {
            "status": coverage.status.get(standard.name, ""),
            "standard": standard.describe(),
            "source": standard.source,
            **unknown,
            # cells outside the street data: neither covered nor uncovered, left out of the sum above
            "cells_coverage_unknown": travel_unknown_cells(rows) if len(rows) else None,
            "resource_kind": standard.resource_kind,
            "mode": standard.mode,
            "limit": standard.limit,
            "unit": standard.unit,
            "turnout_s": standard.turnout_s,
            "declared_complete": standard.declared_complete,
            "evaluated": bool(len(rows)),  # False: skipped (no street graph, or unknown: no resource)
        }
    return out


def register_totals(result: RunResult) -> dict[str, dict[str, float]]:
    """Per unit level: units, residents and cells of its register."""
    registers = result.screens.registers if result.screens is not None else {}
    return {
        level: {
            "units": int((~table["id"].astype(str).str.startswith("unassigned")).sum()),
            "residents": round(float(table["residents"].sum()), 3),
            "cells": int(table["cells"].sum()),
        }
        for level, table in registers.items()
    }


def _item_counts(result: RunResult) -> tuple[dict[str, int], dict[str, int]]:
    screens = result.screens
    if screens is None:
        return {}, {}
    items = screens.responsibility
    by_type = {k: int(v) for k, v in items["item_type"].value_counts().items()} if items is not None else {}
    hz = screens.hazard_sources
    major: dict[str, int] = {}
    if len(hz) and "gb18218_grade" in hz.columns:
        graded = hz["gb18218_grade"][hz["gb18218_grade"] != ""]
        major = {str(k): int(v) for k, v in graded.value_counts().items()}
    return by_type, major


def run_summary(result: RunResult) -> RunSummary:
    """The summary of a run's result."""
    statuses = dict(result.screens.status) if result.screens is not None else {}
    if result.coverage is not None:
        statuses.update({f"coverage {k}": v for k, v in result.coverage.status.items()})
    counts = _counts(result)
    return RunSummary(
        title=result.recipe.title or result.recipe.name,
        resolution=result.recipe.grid.resolution,
        cells=counts["cells"],
        residents=float(result.grid["residents"].sum()),
        population_source=result.layers.population_source,
        counts=counts,
        grades=grade_counts(result.grid),
        coverage=coverage_by_standard(result),
        statuses=statuses,
        notes=[note for note in result.notes if not is_datum_note(note)] + run_assumed_note(result),
        datum=[note for note in result.notes if is_datum_note(note)],
        completeness=dict(result.screens.completeness) if result.screens is not None else {},
        registers=register_totals(result),
        responsibility=_item_counts(result)[0],
        major_hazards=_item_counts(result)[1],
        hazard_exposure=exposure_counts(
            result.screens.hazard_sources if result.screens is not None else None
        ),
        census=census_lines(
            result.screens.registers if result.screens is not None else None, result.layers.population_table
        ),
    )
