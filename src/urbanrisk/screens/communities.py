"""Communities (街道社区): cell risk aggregated per community unit — a risk register per unit.

Units come from a ``polygons`` layer when the recipe gives one; otherwise from OSM residential land
use (``landuse=residential`` areas of at least :data:`MIN_RESIDENTIAL_HA`), with the cells outside any
such area grouped by their H3 parent cell; with neither, from H3 parent cells alone. Each unit says
where it came from (``unit_source``). A cell belongs to a unit as in the registers
(:func:`urbanrisk.cell_units.cell_units`: the unit holding its centre, else the one covering the
largest part of it); only a cell that no unit covers goes to its H3 parent.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from ..cell_disks import cell_parents
from ..cell_units import UNASSIGNED, cell_units
from ..clusters import dissolve_each
from ..coverage_unknown import bounded, known_flags
from ..result import GRADE_RANK, GRADES, NO_DATA
from ..wording import counted
from .registers import LEVELS, reaching_texts

MIN_RESIDENTIAL_HA = 1.0
PARENT_OFFSET = 2  # H3 parent units are this many resolutions coarser than the grid

COLUMNS = [
    "id",
    "name",
    "unit_source",
    "cells",
    "residents",
    "cells_residents_unknown",
    "residents_I",
    "residents_II",
    "residents_III",
    "residents_IV",
    "residents_no_data",
    "worst_grade",
    "red_cells",
    "mean_risk",
    "top_hazards",
    "top_hazards_zh",
    "geometry",
]


def community_units(
    grid: gpd.GeoDataFrame,
    *,
    polygons: gpd.GeoDataFrame | None,
    landuse: gpd.GeoDataFrame | None,
    utm_crs: str,
    outlines_of: Callable[[list[list[str]]], list] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.Series, str]:
    """Units (id, name, unit_source, geometry), the unit id of each cell, and how units were derived
    (``outlines_of`` replaces :func:`urbanrisk.clusters.dissolve_each`: its per-partition twin)."""
    assignment = pd.Series("", index=grid.index, dtype="str")
    units = []
    if polygons is not None and len(polygons):
        label = "recipe polygons layer"
        candidates = polygons.assign(unit_source="polygons")
    elif landuse is not None and len(landuse):
        res = landuse[(landuse["key"] == "landuse") & (landuse["value"] == "residential")]
        res = res[res.to_crs(utm_crs).area >= MIN_RESIDENTIAL_HA * 1e4]
        candidates = gpd.GeoDataFrame(
            {
                "id": "osm:" + res["osm_ref"].astype(str),
                "name": [
                    n or f"residential area {r}" for n, r in zip(res["name"], res["osm_ref"], strict=True)
                ],
                "unit_source": "osm_residential_landuse",
            },
            geometry=res.geometry.to_numpy(),
            crs=4326,
        )
        label = "OSM residential land use, other cells by H3 parent cell"
    else:
        candidates = None
        label = "H3 parent cells"
    if candidates is not None and len(candidates):
        found = cell_units(grid.index, candidates)  # the polygons of the cells it needs, made there
        assignment = found.where(found != UNASSIGNED, "")
        used = candidates[candidates["id"].astype(str).isin(found.unique())]  # not a set of every cell
        units.append(used[["id", "name", "unit_source", "geometry"]])
    rest = assignment.index[assignment == ""]
    if len(rest):
        parent_res = max(0, h3.get_resolution(rest[0]) - PARENT_OFFSET)
        parents = pd.Series(cell_parents(rest, parent_res), index=rest)
        assignment.loc[rest] = "h3:" + parents
        keys, which = np.unique(parents.to_numpy(dtype=str), return_inverse=True)
        order = np.argsort(which, kind="stable")  # each parent's cells in grid order, parents sorted
        ordered = np.asarray(rest.tolist(), dtype=object)[order]
        split = np.split(ordered, np.cumsum(np.bincount(which))[:-1])
        groups = dict(zip(keys.tolist(), split, strict=True))
        units.append(
            gpd.GeoDataFrame(
                {
                    "id": [f"h3:{p}" for p in groups],
                    "name": [f"H3 cell {p}" for p in groups],
                    "unit_source": "h3_parent",
                },
                geometry=(outlines_of or dissolve_each)([part.tolist() for part in groups.values()]),
                crs=4326,
            )
        )
    table = gpd.GeoDataFrame(pd.concat(units, ignore_index=True), crs=4326) if units else None
    if polygons is not None and len(polygons) and len(rest):  # say how many units are the recipe's
        drawn = int((table["unit_source"] == "polygons").sum())
        rest_units = len(table) - drawn
        label = (
            f"{label} ({counted(drawn, 'unit')}), other cells by H3 parent cell "
            f"({counted(rest_units, 'unit')})"
        )
    elif label.startswith("OSM") and (table is None or not (table["unit_source"] != "h3_parent").any()):
        label = "H3 parent cells"  # no residential area holds a cell (an area past the extract)
    return table, assignment, label


def units_of_cells(cells: pd.Index, units: gpd.GeoDataFrame, polygons: np.ndarray | None = None) -> pd.Series:
    """The unit of each cell by :func:`community_units`' rule, given the units it made (its table or the
    communities screen's: ``id``, ``unit_source``, geometry), indexed by cell; :data:`UNASSIGNED` where
    none (a cell no drawn unit covers whose H3 parent is no unit: not one of the grid's cells).

    The rule is cell by cell, so any subset of a grid's cells gets the units the screen gave them.
    ``polygons``: the cells' polygons (a grid's geometry), when made already.
    """
    cells = pd.Index(cells)
    drawn = units[units["unit_source"] != "h3_parent"]
    if len(drawn):
        out = cell_units(cells, drawn, polygons=polygons)
    else:
        out = pd.Series(UNASSIGNED, index=cells, dtype="str")
    rest = out.index[out == UNASSIGNED]
    if len(rest):
        parent_res = max(0, h3.get_resolution(rest[0]) - PARENT_OFFSET)
        parents = pd.Series("h3:" + np.asarray(cell_parents(rest, parent_res), dtype=object), index=rest)
        known = parents.isin(set(units["id"].astype(str)))
        out.loc[parents.index[known]] = parents[known].to_numpy()
    return out


def communities_screen(
    grid: gpd.GeoDataFrame,
    hazard_sources: gpd.GeoDataFrame,
    *,
    polygons: gpd.GeoDataFrame | None = None,
    landuse: gpd.GeoDataFrame | None = None,
    utm_crs: str,
    outlines_of: Callable[[list[list[str]]], list] | None = None,
    units: tuple[gpd.GeoDataFrame, pd.Series, str] | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """The community risk register, worst first, and how units were derived (``units``:
    :func:`community_units` of these cells, when computed already; it needs no grade)."""
    if units is None:
        units = community_units(
            grid, polygons=polygons, landuse=landuse, utm_crs=utm_crs, outlines_of=outlines_of
        )
    units, assignment, how = units
    frame = pd.DataFrame(
        {"unit": assignment, "grade": grid["grade"], "residents": grid["residents"], "risk": grid["risk"]}
    )
    frame["unknown"] = ~known_flags(grid)  # residents unknown: the unit's sum is a lower bound
    frame["rank"] = frame["grade"].map(GRADE_RANK)
    groups = frame.groupby("unit")
    by_grade = frame.pivot_table(
        index="unit", columns="grade", values="residents", aggfunc="sum", fill_value=0.0
    )
    stats = pd.DataFrame(
        {
            "cells": groups.size(),
            "residents": groups["residents"].sum(),
            "cells_residents_unknown": groups["unknown"].sum(),
            "worst_rank": groups["rank"].min(),
            "red_cells": (frame["grade"] == "I").groupby(frame["unit"]).sum(),
            "mean_risk": groups["risk"].mean(),
        }
    ).reindex(units["id"])
    top = reaching_texts(units, hazard_sources, utm_crs, most=3)  # worst first; en and zh
    unknown = stats["cells_residents_unknown"].fillna(0)
    rows = {
        "id": units["id"].to_numpy(),
        "name": units["name"].to_numpy(),
        "unit_source": units["unit_source"].to_numpy(),
        "cells": stats["cells"].fillna(0).astype(int).to_numpy(),
        # nobody counted and some cells unknown: unknown (NaN), not 0 (coverage_unknown.bounded)
        "residents": [
            bounded(r, int(k)) for r, k in zip(stats["residents"].fillna(0.0), unknown, strict=True)
        ],
        "cells_residents_unknown": stats["cells_residents_unknown"].fillna(0).astype(int).to_numpy(),
        **{
            f"residents_{g}": by_grade.get(g, pd.Series(dtype=float))
            .reindex(units["id"])
            .fillna(0.0)
            .to_numpy()
            for g in GRADES
        },
        "residents_no_data": by_grade.get(NO_DATA, pd.Series(dtype=float))
        .reindex(units["id"])
        .fillna(0.0)
        .to_numpy(),
        "worst_grade": [GRADES[int(r)] if pd.notna(r) else NO_DATA for r in stats["worst_rank"]],
        "red_cells": stats["red_cells"].fillna(0).astype(int).to_numpy(),
        "mean_risk": stats["mean_risk"].to_numpy(),  # NaN: no cell of the unit could be graded
        "top_hazards": top["en"].to_numpy(),
        "top_hazards_zh": top["zh"].to_numpy(),
        "geometry": units.geometry.to_numpy(),
    }
    table = gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs=4326)
    table["_rank"] = table["worst_grade"].map(GRADE_RANK).fillna(len(GRADES))
    table = table.sort_values(["_rank", "red_cells", "mean_risk", "id"], ascending=[True, False, False, True])
    return table.drop(columns="_rank").reset_index(drop=True), how


def community_polygons(units: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The polygons of the communities screen: the 社区 level when declared, else the finest level."""
    if units is None or "level" not in units.columns or not units["level"].notna().any():
        return units
    levels = [lv for lv in LEVELS if (units["level"] == lv).any()]
    chosen = "community" if "community" in levels else levels[-1]
    return units[units["level"] == chosen]
