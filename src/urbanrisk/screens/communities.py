"""Communities (街道社区): cell risk aggregated per community unit — a risk register per unit.

Units come from a ``polygons`` layer when the recipe gives one; otherwise from OSM residential land
use (``landuse=residential`` areas of at least :data:`MIN_RESIDENTIAL_HA`), with the cells outside any
such area grouped by their H3 parent cell; with neither, from H3 parent cells alone. Each unit says
where it came from (``unit_source``). A cell belongs to the unit that contains its centre.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from ..grade import GRADE_RANK, GRADES
from ._clusters import dissolve_cells

MIN_RESIDENTIAL_HA = 1.0
PARENT_OFFSET = 2  # H3 parent units are this many resolutions coarser than the grid

COLUMNS = [
    "id",
    "name",
    "unit_source",
    "cells",
    "residents",
    "residents_I",
    "residents_II",
    "residents_III",
    "residents_IV",
    "worst_grade",
    "red_cells",
    "mean_risk",
    "top_hazards",
    "geometry",
]


def community_units(
    grid: gpd.GeoDataFrame,
    *,
    polygons: gpd.GeoDataFrame | None,
    landuse: gpd.GeoDataFrame | None,
    utm_crs: str,
) -> tuple[gpd.GeoDataFrame, pd.Series, str]:
    """Units (id, name, unit_source, geometry), the unit id of each cell, and how units were derived."""
    centres = gpd.GeoSeries(
        gpd.points_from_xy(*np.array([h3.cell_to_latlng(c)[::-1] for c in grid.index]).reshape(-1, 2).T),
        index=grid.index,
        crs=4326,
    )
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
        hits = gpd.sjoin(
            gpd.GeoDataFrame(geometry=centres),
            candidates[["id", "geometry"]],
            predicate="within",
            how="inner",
        )
        hits = hits[~hits.index.duplicated(keep="first")]
        assignment.loc[hits.index] = hits["id"].astype(str)
        used = candidates[candidates["id"].isin(set(hits["id"]))]
        units.append(used[["id", "name", "unit_source", "geometry"]])
    rest = assignment.index[assignment == ""]
    if len(rest):
        parent_res = max(0, h3.get_resolution(rest[0]) - PARENT_OFFSET)
        parents = pd.Series([h3.cell_to_parent(c, parent_res) for c in rest], index=rest)
        assignment.loc[rest] = "h3:" + parents
        groups = parents.groupby(parents).groups
        units.append(
            gpd.GeoDataFrame(
                {
                    "id": [f"h3:{p}" for p in groups],
                    "name": [f"H3 cell {p}" for p in groups],
                    "unit_source": "h3_parent",
                },
                geometry=[dissolve_cells(list(cells)) for cells in groups.values()],
                crs=4326,
            )
        )
    table = gpd.GeoDataFrame(pd.concat(units, ignore_index=True), crs=4326) if units else None
    return table, assignment, label


def communities_screen(
    grid: gpd.GeoDataFrame,
    hazard_sources: gpd.GeoDataFrame,
    *,
    polygons: gpd.GeoDataFrame | None,
    landuse: gpd.GeoDataFrame | None,
    utm_crs: str,
) -> tuple[gpd.GeoDataFrame, str]:
    """The community risk register, worst first, and how units were derived."""
    units, assignment, how = community_units(grid, polygons=polygons, landuse=landuse, utm_crs=utm_crs)
    frame = pd.DataFrame(
        {"unit": assignment, "grade": grid["grade"], "residents": grid["residents"], "risk": grid["risk"]}
    )
    rows = []
    hz = hazard_sources if hazard_sources is not None and len(hazard_sources) else None
    if hz is not None:
        circles = hz.to_crs(utm_crs).buffer(hz["impact_radius_m"].to_numpy())
    for unit in units.itertuples():
        part = frame[frame["unit"] == unit.id]
        by_grade = part.groupby("grade")["residents"].sum()
        worst = min(part["grade"], key=GRADE_RANK.get) if len(part) else "IV"
        top = ""
        if hz is not None:
            outline = gpd.GeoSeries([unit.geometry], crs=4326).to_crs(utm_crs).iloc[0]
            touching = hz[circles.intersects(outline).to_numpy()]
            touching = touching.assign(rank=touching["grade"].map(GRADE_RANK)).sort_values(["rank", "id"])
            top = "; ".join(f"{r.label} {r.name or r.id} ({r.grade})" for r in touching.head(3).itertuples())
        rows.append(
            {
                "id": unit.id,
                "name": unit.name,
                "unit_source": unit.unit_source,
                "cells": len(part),
                "residents": float(part["residents"].sum()),
                **{f"residents_{g}": float(by_grade.get(g, 0.0)) for g in GRADES},
                "worst_grade": worst,
                "red_cells": int((part["grade"] == "I").sum()),
                "mean_risk": float(part["risk"].mean()) if len(part) else 0.0,
                "top_hazards": top,
                "geometry": unit.geometry,
            }
        )
    table = gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs=4326)
    table["_rank"] = table["worst_grade"].map(GRADE_RANK)
    table = table.sort_values(["_rank", "red_cells", "mean_risk", "id"], ascending=[True, False, False, True])
    return table.drop(columns="_rank").reset_index(drop=True), how
