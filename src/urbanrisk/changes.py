"""What changed between two runs of a recipe: escalations, new hazards, lost coverage, new gaps.

:func:`compare_runs` reads two run folders and returns one table of changes (``changes.parquet``)
and the escalations a person should look at (``alerts.json``): cells whose grade rose, hazard
sources added or worse, communities whose worst grade rose — each with its explanation — when the
new grade reaches the alert grade (default II: grades I and II alert). The hazard sources' part, and
how a source is known as the same one in both runs: :mod:`urbanrisk.hazard_changes`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .cell_units import UNASSIGNED, point_units
from .coverage_unknown import gap_change_words
from .grid_dataset import has_grid, read_grid
from .hazard_changes import direction_of, hazard_changes
from .loss_units import units_of_cells, units_text
from .result import GRADE_RANK, GRADES
from .wording import count_text

#: ``residents_unknown_share`` above 0: the residents are a lower bound (a hazard source's reach)
COLUMNS = [
    "kind",
    "id",
    "name",
    "old",
    "new",
    "direction",
    "residents",
    "residents_unknown_share",
    "explanation",
    "geometry",
]


@dataclass
class Changes:
    """Changes between two runs and the escalations among them."""

    table: gpd.GeoDataFrame
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """How many changes of each kind and direction."""
        if not len(self.table):
            return {}
        counts = self.table.groupby(["kind", "direction"]).size()
        return {f"{kind} {direction}": int(n) for (kind, direction), n in counts.items()}


def no_changes() -> Changes:
    """The changes of a run with nothing to compare (first run, or inputs unchanged)."""
    return Changes(gpd.GeoDataFrame(pd.DataFrame(columns=COLUMNS), geometry="geometry", crs=4326), [])


def _read(folder: Path, name: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
    if name == "grid":  # the grid/ dataset, or the single file of an older run
        return read_grid(folder) if has_grid(folder) else None
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        return None
    try:
        return gpd.read_parquet(path)
    except ValueError:  # not a GeoParquet file (the long coverage table)
        return pd.read_parquet(path)


def _grade_changes(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    kind: str,
    grade: str,
    name: str,
    residents: str,
    explain: str,
    key: str | None = None,
    share: str = "",
) -> list[dict[str, Any]]:
    old = old.set_index(key) if key else old
    new = new.set_index(key) if key else new
    rows = []
    both = new.index.intersection(old.index)
    changed = both[(old.loc[both, grade] != new.loc[both, grade]).to_numpy()]
    for ident in changed:
        o, n = str(old.loc[ident, grade]), str(new.loc[ident, grade])
        rows.append(
            {
                "kind": kind,
                "id": str(ident),
                "name": str(new.loc[ident, name]) if name else "",
                "old": o,
                "new": n,
                "direction": direction_of(o, n),
                "residents": float(new.loc[ident, residents]),
                "residents_unknown_share": float(new.loc[ident, share]) if share in new.columns else np.nan,
                "explanation": str(new.loc[ident, explain]),
                "geometry": new.loc[ident, "geometry"],
            }
        )
    return rows


def compare_runs(old_dir: str | Path, new_dir: str | Path, *, alert_grade: str = "II") -> Changes:
    """Compare two run folders of one recipe.

    Parameters
    ----------
    old_dir, new_dir
        Run folders (``runs/<stamp>``).
    alert_grade
        An escalation alerts when its new grade is this grade or more severe (I alerts only on I).
    """
    if alert_grade not in GRADES:
        msg = f"alert grade must be one of {', '.join(GRADES)}, got {alert_grade!r}"
        raise ValueError(msg)
    rows: list[dict[str, Any]] = []
    old_grid, new_grid = _read(old_dir, "grid"), _read(new_dir, "grid")
    if old_grid is not None and new_grid is not None:
        cell_rows = _grade_changes(
            old_grid, new_grid, kind="cell", grade="grade", name="", residents="residents", explain="factors"
        )
        for row in cell_rows:  # say what changed in reach of the cell, not only its top factors
            cell = row["id"]
            lost = _coverage_lost(old_grid.loc[cell], new_grid.loc[cell])
            if lost:  # a removed station raises lack of coping, which the top factors may not show
                row["explanation"] = f"{', '.join(lost)} coverage lost; {row['explanation']}"
            before, after = old_grid.loc[cell, "top_hazard"], new_grid.loc[cell, "top_hazard"]
            if after and after != before:
                row["explanation"] = f"hazard source {after} now in reach; {row['explanation']}"
            was, now = (g.loc[cell].get("known_residents", True) for g in (old_grid, new_grid))
            if not was and now:  # the grade moved with the data (a census count added), not on the ground
                row["explanation"] = f"residents unknown in the last run, counted now; {row['explanation']}"
        rows += cell_rows
        for ident in new_grid.index.difference(old_grid.index):
            rows.append(
                {
                    "kind": "cell",
                    "id": ident,
                    "name": "",
                    "old": "",
                    "new": new_grid.loc[ident, "grade"],
                    "direction": "added",
                    "residents": float(new_grid.loc[ident, "residents"]),
                    "explanation": "cell newly in the study area",
                    "geometry": new_grid.loc[ident, "geometry"],
                }
            )
    old_hz, new_hz = _read(old_dir, "hazard_sources"), _read(new_dir, "hazard_sources")
    if old_hz is not None and new_hz is not None:
        rows += hazard_changes(old_hz, new_hz)  # added, removed, graded otherwise, GB 18218
    old_cm, new_cm = _read(old_dir, "communities"), _read(new_dir, "communities")
    if old_cm is not None and new_cm is not None and len(old_cm) and len(new_cm):
        rows += _grade_changes(
            old_cm,
            new_cm,
            kind="community",
            grade="worst_grade",
            name="name",
            residents="residents",
            explain="top_hazards",
            key="id",
        )
    rows += _coverage_changes(old_dir, new_dir, new_grid)
    rows += _new_gaps(old_dir, new_dir)
    table = gpd.GeoDataFrame(pd.DataFrame(rows, columns=COLUMNS), geometry="geometry", crs=4326)
    table = table.sort_values(["kind", "direction", "id"], kind="stable").reset_index(drop=True)
    threshold = GRADE_RANK[alert_grade]
    alerts = []
    for row in table.itertuples():
        # a cell newly graded (from "no data") at the alert grade is no escalation, but nobody has seen it
        worse = row.direction in ("escalation", "newly graded") or (
            row.direction == "added" and row.kind == "hazard_source"
        )
        if worse and row.new in GRADE_RANK and GRADE_RANK[row.new] <= threshold:
            centre = row.geometry.centroid if row.geometry is not None else None
            bound = row.residents_unknown_share  # above 0: the residents are a lower bound
            alerts.append(
                {
                    "kind": row.kind,
                    "id": row.id,
                    "name": row.name,
                    "old_grade": row.old or None,
                    "new_grade": row.new,
                    "residents": round(row.residents, 1),
                    **({"residents_unknown_share": row.residents_unknown_share} if bound > 0 else {}),
                    "explanation": row.explanation,
                    "lon": round(centre.x, 6) if centre is not None else None,
                    "lat": round(centre.y, 6) if centre is not None else None,
                }
            )
    alerts += _coverage_loss_alerts(table, Path(old_dir), Path(new_dir))
    return Changes(table, _with_places(alerts, Path(new_dir)))


LEVEL_ZH = {"district": "区", "street": "街道", "community": "社区", "grid": "网格"}


def _unit_levels(folder: Path) -> dict[str, gpd.GeoDataFrame]:
    """The run's units per level (its registers; else its communities as the 社区 level)."""
    levels = {}
    for level in LEVEL_ZH:
        table = _read(folder, f"register_{level}")
        if isinstance(table, gpd.GeoDataFrame) and len(table):
            levels[level] = table[~table["id"].astype(str).str.startswith("unassigned")]
    if not levels:
        table = _read(folder, "communities")
        if isinstance(table, gpd.GeoDataFrame) and len(table):
            levels["community"] = table
    return levels


def _with_places(alerts: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """Each alert with its unit at every level and its point in WGS84 and GCJ-02 (Chinese map services)."""
    from .layers.coords import wgs84_to_gcj02

    if not alerts:
        return alerts
    levels = _unit_levels(folder)
    lon = np.array([a["lon"] if a.get("lon") is not None else np.nan for a in alerts], dtype=float)
    lat = np.array([a["lat"] if a.get("lat") is not None else np.nan for a in alerts], dtype=float)
    glon, glat = wgs84_to_gcj02(lon, lat)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    units: dict[str, list[dict[str, str] | None]] = {}
    for level, table in levels.items():
        first = table.drop_duplicates("id")
        names = dict(zip(first["id"].astype(str), first["name"], strict=True))
        units[level] = [
            {"id": i, "name": str(names[i])} if i != UNASSIGNED else None
            for i in point_units(points.geometry, table)
        ]
    out = []
    for k, alert in enumerate(alerts):
        alert = dict(alert)
        alert["units"] = {level: units[level][k] for level in units}
        # lon / lat stay WGS84 (as before); gcj02 is the point Amap and Tencent maps expect
        finite = np.isfinite(glon[k]) and np.isfinite(glat[k])
        alert["gcj02"] = (
            {"lon": round(float(glon[k]), 6), "lat": round(float(glat[k]), 6)} if finite else None
        )
        out.append(alert)
    return out


def _resource_names(folder: Path) -> dict[str, str]:
    """Resource id -> name in a run folder's resources.parquet (empty when the run has none)."""
    path = folder / "resources.parquet"
    if not path.is_file():
        return {}
    frame = pd.read_parquet(path, columns=["id", "name"])
    return {str(i): str(n) for i, n in zip(frame["id"], frame["name"], strict=True) if isinstance(n, str)}


def _resource_ids(folder: Path) -> set[str] | None:
    import pyogrio

    path = folder / "risk.gpkg"
    if not path.is_file() or "resources" not in {name for name, _ in pyogrio.list_layers(path)}:
        return set() if path.is_file() else None
    return set(
        pyogrio.read_dataframe(path, layer="resources", columns=["id"], read_geometry=False)["id"].astype(str)
    )


def _coverage_lost(old: pd.Series, new: pd.Series) -> list[str]:
    """The standards whose ``<standard>_covered`` went from True to False in one cell (unknown is neither).

    Examples
    --------
    >>> _coverage_lost(pd.Series({"fire_covered": True, "medical_covered": True}),
    ...                pd.Series({"fire_covered": False, "medical_covered": True}))
    ['fire']
    """

    def flag(row: pd.Series, column: str) -> bool | None:
        value = row.get(column)
        return None if value is None or pd.isna(value) else bool(value)

    columns = [c for c in new.index if str(c).endswith("_covered") and c in old.index]
    return [c[: -len("_covered")] for c in columns if flag(old, c) is True and flag(new, c) is False]


def _coverage_loss_alerts(table: gpd.GeoDataFrame, old_dir: Path, new_dir: Path) -> list[dict[str, Any]]:
    """One alert per standard whose coverage some residents lost (e.g. a resource was removed)."""
    lost = table[table["kind"].str.startswith("coverage ") & (table["direction"] == "lost")]
    lost = lost[lost["residents"] > 0]
    if not len(lost):
        return []
    old_cov = _read(old_dir, "coverage")
    old_ids, new_ids = _resource_ids(old_dir), _resource_ids(new_dir)
    removed = sorted(old_ids - new_ids) if old_ids is not None and new_ids is not None else []
    names = _resource_names(old_dir)
    levels = _unit_levels(new_dir)
    alerts = []
    for kind, rows in lost.groupby("kind"):
        standard = kind[len("coverage ") :]
        nearest: list[str] = []
        if old_cov is not None and "nearest_resource" in old_cov.columns:
            before = old_cov[(old_cov["standard"] == standard) & old_cov["h3_cell"].isin(set(rows["id"]))]
            nearest = sorted({str(r) for r in before["nearest_resource"].dropna() if str(r)})
        gone = [r for r in nearest if r in removed]
        centre = gpd.GeoSeries(list(rows.geometry), crs=4326).union_all().centroid
        why = f"resource(s) {', '.join(gone)} removed; " if gone else ""
        units = units_of_cells(rows.set_index("id")["residents"], levels)
        alerts.append(
            {
                "kind": kind,
                "id": f"{standard}-coverage-lost",
                "name": "、".join(names.get(r, "") or r for r in gone),  # the stations' names, not only ids
                "old_grade": None,
                "new_grade": None,
                "residents": round(float(rows["residents"].sum()), 1),
                "cells": len(rows),
                "removed_resources": gone,
                "units_lost": units,  # every unit the lost cells fall in, residents lost, largest first
                "explanation": f"{why}{count_text(rows['residents'].sum(), 'residents')} in "
                f"{count_text(len(rows), 'cells', spec=',')} "
                f"no longer reached within the {standard} standard{units_text(units)}",
                "lon": round(centre.x, 6),
                "lat": round(centre.y, 6),
            }
        )
    return alerts


def _coverage_changes(
    old_dir: Path, new_dir: Path, new_grid: gpd.GeoDataFrame | None
) -> list[dict[str, Any]]:
    old, new = _read(old_dir, "coverage"), _read(new_dir, "coverage")
    if old is None or new is None or not len(old) or not len(new) or new_grid is None:
        return []
    merged = old.merge(new, on=["h3_cell", "standard"], suffixes=("_old", "_new"))
    old_flag, new_flag = (merged[c].astype("boolean") for c in ("covered_old", "covered_new"))
    flips = merged[(old_flag != new_flag).fillna(False).to_numpy(dtype=bool)]  # unknown: neither
    rows = []
    for row in flips.itertuples():
        lost = bool(row.covered_old) and not bool(row.covered_new)
        geometry = new_grid.loc[row.h3_cell, "geometry"] if row.h3_cell in new_grid.index else None
        rows.append(
            {
                "kind": f"coverage {row.standard}",
                "id": row.h3_cell,
                "name": "",
                "old": "covered" if row.covered_old else "uncovered",
                "new": "covered" if row.covered_new else "uncovered",
                "direction": "lost" if lost else "gained",
                "residents": float(row.residents_new),
                "explanation": f"travel {row.travel_old:.0f} -> {row.travel_new:.0f} {row.unit_new}"
                if np.isfinite(row.travel_old) and np.isfinite(row.travel_new)
                else "reach changed",
                "geometry": geometry,
            }
        )
    return rows


def _new_gaps(old_dir: Path, new_dir: Path) -> list[dict[str, Any]]:
    old, new = _read(old_dir, "gaps"), _read(new_dir, "gaps")
    if new is None or not len(new):
        return []
    rows = []
    for row in new.itertuples():
        before = old[old["standard"] == row.standard] if old is not None and len(old) else None
        if before is not None and before.intersects(row.geometry).any():
            continue
        rows.append(
            {
                "kind": f"gap {row.standard}",
                "id": row.gap,
                "name": "",
                "old": "",
                "new": "gap",
                "direction": "new",
                "residents": float(row.residents),  # NaN: nobody counted, cells unknown (not 0)
                "residents_unknown_share": getattr(row, "cells_residents_unknown", 0) / row.cells,
                "explanation": gap_change_words(row),
                "geometry": row.geometry,
            }
        )
    return rows


def write_changes(
    changes: Changes, folder: Path, *, previous: str | None, alert_grade: str
) -> dict[str, Any]:
    """Write ``changes.parquet`` and ``alerts.json`` into a run folder; returns manifest entries."""
    changes.table.to_parquet(folder / "changes.parquet", index=False)
    document = {"previous_run": previous, "alert_grade": alert_grade, "escalations": changes.alerts}
    (folder / "alerts.json").write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return {
        "rescan": {
            "previous_run": previous,
            "alert_grade": alert_grade,
            "escalations": len(changes.alerts),
            "changes": changes.summary(),
        }
    }
