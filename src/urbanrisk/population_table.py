"""Residents from an office's census table (人口统计表), spread over the grid dasymetrically.

Each unit's count (:mod:`urbanrisk.layers.census`, joined to the units of a polygons layer by id or
name) is shared among the cells its polygon overlaps, in proportion to the mapped residential floor
area in the overlap (the cell's floor area times the share of the cell inside the unit); where the unit
has no mapped residential floor, in proportion to the population raster's residents when the recipe has
one, else to the area of overlap. So the cells of a unit hold exactly its count (times the share of its
area inside the study area, when it reaches outside). A unit without a readable count, or without a
row, leaves the residents of its cells unknown (``known_residents`` false), never 0; so do cells
outside every unit, and the cells outside the OSM data of a unit spread by floor area (nobody mapped
their housing: its count lands on the mapped part, theirs is unknown). The spreading runs on the
assembled grid (after the partitions), so every scheduler gives the same residents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import settings
from ._errors import LayerError
from .antimeridian import wrap_box
from .layers.census import join_problem, read_census, unit_lookup, units_words
from .layers.extent import osm_data_box
from .layers.polygons import polygons_from_file
from .layers.remote import local_copy
from .wording import counted

#: The grid column saying whether the table gave the cell's residents (read by completeness).
KNOWN_COLUMN = "table_residents_known"
#: A unit with this share of its area inside the study area counts as wholly inside.
WHOLE = 0.999


def table_units(name: str, spec: Any, units_spec: Any) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The units of ``units_spec`` (dissolved by id) with the table's ``count`` (NaN: unknown), and notes.

    Raises
    ------
    LayerError
        The table cannot be read, or a row names no unit (listed, with the fix).
    """
    table = read_census(
        spec.path,
        key_column=spec.key_column,
        count_column=spec.count_column,
        layer=name,
        sheet=spec.sheet,
        encoding=spec.encoding,
    )
    units = polygons_from_file(
        local_copy(units_spec.path),
        layer=spec.units if isinstance(spec.units, str) else name,
        id_column=units_spec.id_column,
        name_column=units_spec.name_column,
        crs=units_spec.crs,
        coords=units_spec.coords,
        encoding=units_spec.encoding,
        file_layer=units_spec.file_layer,
        level_column=units_spec.level_column,
        level_values=units_spec.level_values,
    )
    units = units.dissolve(by="id", aggfunc={"name": "first"}).reset_index()[["id", "name", "geometry"]]
    pairs = list(zip(units["id"].astype(str), units["name"].astype(str), strict=True))
    lookup, twice = unit_lookup(pairs, spec.join)
    problem = join_problem(table, lookup, twice, units=units_words(spec.units), join=spec.join)
    if problem:
        raise LayerError(f"layer '{name}': {spec.path}: {problem}")
    counts = {lookup[key]: count for key, count in zip(table.keys, table.counts, strict=True)}
    units["count"] = [np.nan if counts.get(i) is None else counts[i] for i in units["id"].astype(str)]
    notes = list(table.notes)
    rowless = units.loc[[i not in counts for i in units["id"].astype(str)], "name"].astype(str).tolist()
    if rowless:
        notes.append(
            f"{name}: units of {units_words(spec.units)} without a row in the table ({len(rowless)}), "
            f"their residents unknown (not 0): {'、'.join(rowless[:10])}"
        )
    return units, notes


def own_units_files(recipe: Any) -> dict[str, str]:
    """Each census table's own unit polygon file (a local copy), as ``<layer>.units``: an input of the
    run like its layers' files (the manifest's hashes; :func:`urbanrisk.lifecycle.run_key` hashes it)."""
    return {
        f"{name}.units": local_copy(spec.units.path)
        for name, spec in recipe.layers.items()
        if getattr(getattr(spec, "units", None), "path", None)
    }


def load_population_table(name: str, spec: Any, state: Any) -> None:
    """The loader of a ``population_table`` layer (:data:`urbanrisk.inputs.LOADERS`)."""
    own = not isinstance(spec.units, str)  # its own polygon file
    units, notes = table_units(name, spec, spec.units if own else state.recipe.layers[spec.units])
    state.population_table = units
    state.notes += notes
    total = float(np.nansum(units["count"]))
    state.population_source = (
        f"census table: {Path(spec.path).name} ({total:,.0f} residents in "
        f"{counted(int(units['count'].notna().sum()), 'unit')} of {units_words(spec.units)}), "
        "spread by residential floor area"
    )


def _weights(
    grid: gpd.GeoDataFrame, ci: np.ndarray, ui: np.ndarray, overlap: np.ndarray, n: int, raster: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each overlap's weight and each unit's method (0 floor area, 1 raster, 2 area)."""
    frac = overlap / shapely.area(grid.geometry.to_numpy()[ci])
    method = np.full(n, 2)
    weight = overlap.copy()
    choices = [("residential_floor_m2", 0)] + ([("residents", 1)] if raster else [])
    for column, code in reversed(choices):  # the first that gives the unit any weight wins
        if column not in grid.columns:
            continue
        w = grid[column].to_numpy(dtype=float)[ci] * frac
        has = np.bincount(ui, weights=w, minlength=n) > 0
        weight = np.where(has[ui], w, weight)
        method = np.where(has, code, method)
    return weight, method


def _overlaps(cells: np.ndarray, units: np.ndarray, ci: np.ndarray, ui: np.ndarray) -> np.ndarray:
    """The area of each (cell, unit) pair's overlap: the cell's own area when wholly inside (most cells
    of a 街道 of thousands of vertices), intersected only along the units' edges."""
    shapely.prepare(units)
    whole = shapely.contains_properly(units[ui], cells[ci])
    out = shapely.area(cells[ci])
    edge = ~whole
    out[edge] = shapely.area(shapely.intersection(cells[ci[edge]], units[ui[edge]]))
    return out


def _inside_share(grid: gpd.GeoDataFrame) -> np.ndarray:
    """Each cell's share inside the study area (the grid's ``cell_inside_share``; 1 where absent)."""
    if "cell_inside_share" not in grid.columns:
        return np.ones(len(grid))
    return grid["cell_inside_share"].fillna(1.0).to_numpy(dtype=float)


def spread_counts(
    grid: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    area: shapely.Geometry,
    *,
    raster: bool = False,
    floor_measured: np.ndarray | None = None,
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Residents per cell, whether the table gave them, and per unit: its count, the share of its area
    inside the study area, the residents placed in the grid and how they were spread.

    The placed residents of a unit are its count times its share inside the area (exactly, to rounding).
    ``floor_measured``: per cell, whether its residential floor area was measured (inside the OSM
    data); a cell of a unit spread by floor area where it was not has its residents unknown. With
    ``raster``, per unit also ``raster``: the raster's residents (the grid's before the spreading) over
    the unit's part inside the area, each cell's shared by area, to set beside its placed count.
    """
    n = len(units)
    clipped = shapely.intersection(units.geometry.to_numpy(), area)
    whole = shapely.area(units.geometry.to_numpy())
    inside = np.divide(shapely.area(clipped), whole, out=np.zeros(n), where=whole > 0)
    cells = grid.geometry.to_numpy()
    ui, ci = shapely.STRtree(cells).query(clipped, predicate="intersects")
    overlap = _overlaps(cells, clipped, ci, ui)
    keep = overlap > 0
    ui, ci, overlap = ui[keep], ci[keep], overlap[keep]
    weight, method = _weights(grid, ci, ui, overlap, n, raster)
    count = units["count"].to_numpy(dtype=float)
    known_unit = ~np.isnan(count)
    total = np.bincount(ui, weights=weight, minlength=n)
    share = np.divide(weight, total[ui], out=np.zeros(len(ui)), where=total[ui] > 0)
    placed = np.where(known_unit[ui], np.nan_to_num(count)[ui] * inside[ui] * share, 0.0)
    residents = np.bincount(ci, weights=placed, minlength=len(cells))
    # known where units with a count cover most of the cell's part in the area (as a raster's pixels
    # with data must: settings.min_residents_known_share); a coarse cell 12 % under a unit read known,
    # the residents of its other 88 % (outside every unit) counted as 0
    covered = np.bincount(ci, weights=overlap * known_unit[ui], minlength=len(cells))
    in_area = shapely.area(cells) * _inside_share(grid)
    good = covered >= settings.min_residents_known_share * in_area
    unmeasured = ~known_unit[ui]
    if floor_measured is not None:  # no housing mapped there: not "nobody lives there"
        unmeasured = unmeasured | ((method[ui] == 0) & ~floor_measured[ci])
    bad = np.bincount(ci, weights=unmeasured, minlength=len(cells)) > 0
    per_unit = pd.DataFrame(
        {
            "id": units["id"].to_numpy(),
            "name": units["name"].to_numpy(),
            "count": count,
            "inside_share": inside,
            "placed": np.where(known_unit, np.bincount(ui, weights=placed, minlength=n), np.nan),
            "spread_by": np.array(["floor area", "raster", "area"])[method],
            "floor_m2": np.where(method == 0, total, np.nan),  # the mapped residential floor it holds
        }
    )
    if raster and "residents" in grid.columns:  # the raster's people over the same parts: compared
        people = np.nan_to_num(grid["residents"].to_numpy(dtype=float))[ci] * overlap
        each = np.divide(people, in_area[ci], out=np.zeros(len(ci)), where=in_area[ci] > 0)
        per_unit["raster"] = np.bincount(ui, weights=each, minlength=n)
    return (
        pd.Series(residents, index=grid.index, name="residents"),
        pd.Series(good & ~bad, index=grid.index, name=KNOWN_COLUMN),
        per_unit,
    )


def spread_notes(per_unit: pd.DataFrame) -> list[str]:
    """What a reader must know of the spreading: units outside the area, partly outside, not by floor."""
    notes = []
    counted_in = per_unit[per_unit["count"].notna()]
    outside = counted_in[counted_in["inside_share"] <= 0]
    if len(outside):
        notes.append(
            f"population table: units outside the study area ({len(outside)}), their "
            f"{outside['count'].sum():,.0f} residents not counted: "
            + "、".join(outside["name"].astype(str)[:10])
        )
    part = counted_in[(counted_in["inside_share"] > 0) & (counted_in["inside_share"] < WHOLE)]
    if len(part):
        names = "、".join(f"{r.name} ({r.inside_share:.0%})" for r in part.itertuples())
        notes.append(
            f"population table: units reaching outside the study area ({len(part)}): each counts "
            f"its residents times the share of its area inside ({names})"
        )
    other = counted_in[(counted_in["spread_by"] != "floor area") & (counted_in["inside_share"] > 0)]
    if len(other):
        names = "、".join(f"{r.name} (by {r.spread_by})" for r in other.itertuples())
        notes.append(f"population table: no mapped residential floor area in {names}")
    return notes + _odd_counts(counted_in)


def _odd_counts(units: pd.DataFrame) -> list[str]:
    """The units whose count gives each resident an implausible residential floor (a note, not a fix).

    >>> units = pd.DataFrame({"name": ["蓝旗营社区", "燕园社区"], "placed": [6.0, 9252.0],
    ...                       "floor_m2": [48000.0, 350000.0], "spread_by": ["floor area"] * 2})
    >>> _odd_counts(units)  # doctest: +NORMALIZE_WHITESPACE
    ['population table: counts far from the mapped housing, check them (a typo, a count in 万?):
    蓝旗营社区 (6 residents for 48,000 m² of residential floor: 8,000 m² each)']
    """
    low, high = settings.census_floor_per_person_m2
    by_floor = units[(units["spread_by"] == "floor area") & (units["placed"] > 0)]
    each = by_floor["floor_m2"] / by_floor["placed"]
    odd = by_floor[(each < low) | (each > high)]
    if not len(odd):
        return []
    names = "、".join(
        f"{r.name} ({r.placed:,.0f} residents for {r.floor_m2:,.0f} m² of residential floor: "
        f"{r.floor_m2 / r.placed:,.0f} m² each)"
        for r in odd.itertuples()
    )
    return [
        f"population table: counts far from the mapped housing, check them (a typo, a count in 万?): {names}"
    ]


def _in_osm_data(grid: gpd.GeoDataFrame, layers: Any) -> np.ndarray | None:
    """Per cell: whether it overlaps the OSM data (each extract's declared bounds, else where its
    features are), as :func:`urbanrisk.completeness.travel_known` says; None without an OSM layer."""
    if not layers.osm_bounds:
        return None
    boxes = [b for b in layers.osm_bounds.values() if b is not None]
    if len(boxes) < len(layers.osm_bounds):
        data = (
            layers.store.data_box()
            if layers.store is not None
            else osm_data_box(layers.buildings, layers.pois, layers.streets)
        )
        boxes += [data] if data is not None else []
    if not boxes or not len(grid):
        return np.zeros(len(grid), dtype=bool)
    extent = shapely.union_all([wrap_box(*b) for b in boxes])
    cells = grid.geometry.to_numpy()
    return shapely.intersects(cells, extent) & ~shapely.touches(cells, extent)


def with_table_residents(grid: gpd.GeoDataFrame, layers: Any, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """The grid with ``residents`` from the census table and :data:`KNOWN_COLUMN`, notes to ``layers``;
    the grid itself when the recipe has no census table."""
    if layers.population_table is None:
        return grid
    residents, known, per_unit = spread_counts(
        grid,
        layers.population_table,
        area,
        raster=layers.raster is not None,
        floor_measured=_in_osm_data(grid, layers),
    )
    kept = ["placed"] + (["raster"] if "raster" in per_unit.columns else [])  # compared in the outputs
    layers.population_table = layers.population_table.assign(
        **{f"census_{c}": per_unit[c].to_numpy() for c in kept}
    )
    grid = grid.copy()
    grid["residents"] = residents
    grid[KNOWN_COLUMN] = known
    layers.notes += [note for note in spread_notes(per_unit) if note not in layers.notes]
    return grid
