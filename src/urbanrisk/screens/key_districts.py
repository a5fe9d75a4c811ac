"""Key districts (重点地区): contiguous clusters of cells where crowd-gathering places and people are
both dense — commerce, culture, transport hubs, schools, hospitals — dissolved to polygons.

A cell is dense when, over its ~100 m neighbourhood (the cell and one ring of neighbours at
resolution 10, three rings at resolution 11; :func:`urbanrisk.grade.neighbourhood_rings`),

- crowd-gathering places reach :data:`urbanrisk.settings.key_district_crowd_min_per_km2`, and
- people present reach ``key_district_people_min_per_km2``, counting residents plus the daytime occupants of
  non-residential floor space (one per :data:`OCCUPANT_M2` m²; an urbanrisk assumption).

Dense cells that are H3 neighbours form one district; districts of fewer than ``min_cells`` cells
or holding fewer than ``min_crowd_places`` crowd-gathering places are dropped. Each takes the name a
planner uses for the place (:func:`urbanrisk.screens.district_names.district_names`: a place node,
a named area, the biggest crowd venue, a street, then a food venue), with ``name_source`` saying
which, and ``factors`` saying in words why it is a key district.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from .. import settings
from ..clusters import cell_clusters, dissolve_each
from ..grade import disk_sum
from ..grid import cell_ints_to_str, points_to_cells
from .district_names import district_names, venue_names, venue_sizes

OCCUPANT_M2 = 20.0
NAME_PRIORITY = ("transport", "commerce", "culture", "education", "health", "leisure")

COLUMNS = [
    "id",
    "name",
    "name_source",
    "cells",
    "area_km2",
    "residents",
    "residents_peak_cell",
    "people_present",
    "crowd_places",
    "poi_summary",
    "places",
    "factors",
    "geometry",
]


def dense_cells(
    grid: gpd.GeoDataFrame,
    *,
    crowd_min_per_km2: float | None = None,
    people_min_per_km2: float | None = None,
) -> pd.DataFrame:
    """Per cell: crowd places and people present per km² over its disk, and whether both are dense.

    Thresholds left None take :data:`urbanrisk.settings.key_district_crowd_min_per_km2` and
    ``key_district_people_min_per_km2``.
    """
    if crowd_min_per_km2 is None:
        crowd_min_per_km2 = settings.key_district_crowd_min_per_km2
    if people_min_per_km2 is None:
        people_min_per_km2 = settings.key_district_people_min_per_km2
    area = disk_sum(grid["cell_area_m2"] / 1e6)
    nonresidential = (grid["floor_area_m2"] - grid["residential_floor_m2"]).clip(lower=0.0)
    people = grid["residents"] + nonresidential / OCCUPANT_M2
    out = pd.DataFrame(index=grid.index)
    out["people_present"] = people
    out["crowd_per_km2"] = disk_sum(grid["crowd_places"]) / area
    out["people_per_km2"] = disk_sum(people) / area
    out["dense"] = (out["crowd_per_km2"] >= crowd_min_per_km2) & (out["people_per_km2"] >= people_min_per_km2)
    return out


def key_districts_screen(
    grid: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame | None,
    *,
    min_cells: int | None = None,
    min_crowd_places: int | None = None,
    crowd_min_per_km2: float | None = None,
    people_min_per_km2: float | None = None,
    clusters_of: Callable[[pd.Index], np.ndarray] | None = None,
    outlines_of: Callable[[list[list[str]]], list] | None = None,
    landuse: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Key districts as dissolved polygons, largest crowd first (None: the ``key_district_*`` settings;
    ``clusters_of`` and ``outlines_of`` replace :func:`urbanrisk.clusters.cell_clusters` and
    :func:`urbanrisk.clusters.dissolve_each`: their per-partition twins; ``landuse`` and ``streets``
    give names: named areas and streets)."""
    min_cells = settings.key_district_min_cells if min_cells is None else min_cells
    if min_crowd_places is None:
        min_crowd_places = settings.key_district_min_crowd_places
    density = dense_cells(grid, crowd_min_per_km2=crowd_min_per_km2, people_min_per_km2=people_min_per_km2)
    chosen = density.index[density["dense"]]
    if not len(chosen):
        return gpd.GeoDataFrame({c: [] for c in COLUMNS[:-1]}, geometry=[], crs=4326)
    labels = (clusters_of or cell_clusters)(chosen)
    crowd = None
    if pois is not None and len(pois):
        is_crowd = ("|" + pois["roles"].fillna("").astype(str) + "|").str.contains("|crowd|", regex=False)
        crowd = pois[is_crowd.to_numpy(dtype=bool)].drop_duplicates("osm_ref")
        resolution = h3.get_resolution(grid.index[0])
        crowd = crowd.assign(
            cell=cell_ints_to_str(
                points_to_cells(crowd.geometry.x.to_numpy(), crowd.geometry.y.to_numpy(), resolution)
            )
        )
    # sums per cluster in one group-by; names and outlines only for the clusters kept
    part = grid.loc[chosen, ["cell_area_m2", "residents", "crowd_places"]].assign(
        people_present=density.loc[chosen, "people_present"].to_numpy(), label=labels
    )
    sums = part.groupby("label").agg(
        cells=("residents", "size"),
        area_m2=("cell_area_m2", "sum"),
        residents=("residents", "sum"),
        residents_peak_cell=("residents", "max"),
        people_present=("people_present", "sum"),
        crowd_places=("crowd_places", "sum"),
    )
    kept = sums[(sums["cells"] >= min_cells) & (sums["crowd_places"] >= min_crowd_places)]
    cells_of = pd.Series(labels).groupby(labels).indices  # each cluster's positions, in grid order
    chosen_cells = np.asarray(chosen.tolist(), dtype=object)
    named = _names_and_places(crowd, pd.Series(labels, index=chosen), kept.index)
    groups = [chosen_cells[cells_of[label]].tolist() for label in kept.index]
    outlines = (outlines_of or dissolve_each)(groups)
    names = district_names(
        outlines, _venues(crowd, pd.Series(labels, index=chosen), kept.index), pois, landuse, streets
    )
    crowd_min = settings.key_district_crowd_min_per_km2 if crowd_min_per_km2 is None else crowd_min_per_km2
    people_min = (
        settings.key_district_people_min_per_km2 if people_min_per_km2 is None else people_min_per_km2
    )
    rows = []
    for (label, row), outline, (name, source) in zip(kept.iterrows(), outlines, names, strict=True):
        _, places, summary = named.get(int(label), ("", "", ""))
        rows.append(
            {
                "cells": int(row["cells"]),
                "area_km2": float(row["area_m2"] / 1e6),
                "residents": float(row["residents"]),
                "residents_peak_cell": float(row["residents_peak_cell"]),
                "people_present": float(row["people_present"]),
                "crowd_places": int(row["crowd_places"]),
                "poi_summary": summary,
                "places": places,
                "name": name,
                "name_source": source or "no named place, area, venue or street inside",
                "factors": _factors(row, summary, crowd_min, people_min),
                "geometry": outline,
            }
        )
    table = gpd.GeoDataFrame(rows, columns=[c for c in COLUMNS if c != "id"], geometry="geometry", crs=4326)
    table = table.sort_values(["crowd_places", "people_present"], ascending=False).reset_index(drop=True)
    table.insert(0, "id", [f"KD-{i + 1:02d}" for i in range(len(table))])
    for i, name in enumerate(table["name"]):
        if not name:
            table.loc[i, "name"] = f"key district {table.loc[i, 'id']}"
    return table


def _names_and_places(
    crowd: gpd.GeoDataFrame | None, label_of: pd.Series, kept: pd.Index
) -> dict[int, tuple[str, str, str]]:
    """Per kept district: its name, its first eight place names and its place kinds (the six most
    common, with counts), from the crowd-gathering places in its cells; one sort for all of them."""
    if crowd is None or not len(crowd):
        return {}
    label = crowd["cell"].map(label_of)
    crowd = crowd.assign(label=label.to_numpy())[label.isin(kept).to_numpy()]
    # the six most common kinds (as value_counts: most first, ties in order of appearance)
    tally = crowd[["label", "kind"]].assign(at=np.arange(len(crowd)))
    tally = tally.groupby(["label", "kind"], sort=False).agg(n=("at", "size"), first=("at", "min"))
    tally = tally.reset_index().sort_values(
        ["label", "n", "first"], ascending=[True, False, True], kind="stable"
    )
    tally = tally[tally.groupby("label").cumcount().to_numpy() < 6]
    words = tally["kind"].astype(str) + " " + tally["n"].astype(str)
    texts = words.groupby(tally["label"].to_numpy()).agg(", ".join)
    out = {int(key): ("", "", texts.get(key, "")) for key in crowd["label"].dropna().unique()}
    named = crowd[crowd["name"].astype(bool).to_numpy()]
    rank = named["group"].map({g: i for i, g in enumerate(NAME_PRIORITY)}).fillna(len(NAME_PRIORITY))
    named = named.assign(rank=rank.to_numpy()).sort_values(["label", "rank", "name"], kind="stable")
    unique = named.drop_duplicates(["label", "name"])  # each name once, where it first comes
    first_eight = unique[unique.groupby("label").cumcount().to_numpy() < 8]
    places = first_eight.groupby("label")["name"].agg("; ".join)
    for key, name in unique.groupby("label")["name"].first().items():
        out[int(key)] = (name, places[key], out[int(key)][2])
    return out


def _venues(crowd: gpd.GeoDataFrame | None, label_of: pd.Series, kept: pd.Index) -> list:
    """Each kept district's biggest named crowd venue and food venue (:func:`venue_names`)."""
    if crowd is None or not len(crowd):
        return [(None, None) for _ in kept]
    named = crowd[crowd["name"].fillna("").astype(bool).to_numpy()]
    table = pd.DataFrame(
        {
            "name": named["name"].to_numpy(),
            "kind": named["kind"].to_numpy(),
            "group": named["group"].to_numpy(),
            "size": venue_sizes(named),
            "label": named["cell"].map(label_of).to_numpy(),
        }
    )
    return venue_names(table.dropna(subset=["label"]).astype({"label": int}), list(kept))


def _factors(row: pd.Series, summary: str, crowd_min: float, people_min: float) -> str:
    """Why a district is key, in words: its dense cells, its crowd places and people present."""
    km2 = max(float(row["area_m2"]) / 1e6, 1e-9)
    return (
        f"{int(row['cells'])} dense cells (crowd places >= {crowd_min:g}/km² and people present >= "
        f"{people_min:g}/km² over each cell's neighbourhood); {int(row['crowd_places'])} crowd places "
        f"({summary or 'kinds unknown'}); {row['people_present'] / km2:,.0f} people present per km²"
    )
