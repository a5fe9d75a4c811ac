"""Per-cell indicators: residents, buildings, floor area, POIs, hazards, resources, streets.

Each function takes the cells of one partition and the layer data inside its bounds, and returns a
table indexed by H3 cell. :func:`partition_indicators` assembles them; :mod:`urbanrisk.parallel` runs
it once per partition as a Dask task. Totals are conserved: a building or a raster pixel that spans
several cells is shared between them by area, never counted twice or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .cell_overlaps import meeting_pairs, overlap_measures
from .cell_sums import cell_counts, cell_index, cell_ints, cell_positions, counts_at, sums_at
from .convex_clip import clipped_areas, clipped_lengths, convex_edges
from .grid import cells_to_polygons, points_to_cells
from .layer_store import InheritedLayers, MemoryLayers, StoredLayers
from .layers.raster import RasterInfo
from .layers.tables import HAZARD_KINDS, RESOURCE_KINDS
from .nearest_street import nearest_streets
from .osm_store import IngestedLayers
from .population import clip_to_area, inside_share, residents_from_raster
from .utm_projection import area_utm as _area_utm
from .utm_projection import cells_polygons_utm
from .utm_projection import projected as _project


@dataclass
class PartitionInput:
    """Everything one partition task needs, passed explicitly (worker processes share no globals)."""

    cells: list[str]
    resolution: int
    utm_crs: str
    area_wkb: bytes
    poi_kinds: list[str]
    buildings: gpd.GeoDataFrame | None = None
    pois: gpd.GeoDataFrame | None = None
    hazards: gpd.GeoDataFrame | None = None
    resources: gpd.GeoDataFrame | None = None
    streets: gpd.GeoDataFrame | None = None
    raster: RasterInfo | None = None
    floor_area_per_person_m2: float | None = None
    #: where the layer frames come from when not given above: read by bounds inside the task
    source: MemoryLayers | StoredLayers | IngestedLayers | InheritedLayers | None = None
    bounds: tuple[float, float, float, float] | None = None
    #: bounds plus a margin, for buildings and streets (a building's nearest street may lie beyond)
    wide_bounds: tuple[float, float, float, float] | None = None
    #: the cells' polygons (lon/lat, :func:`urbanrisk.grid.cells_to_polygons`) when the driver made them
    polygons: np.ndarray | None = None

    def resolved(self) -> PartitionInput:
        """This task with its layer frames read from ``source`` (itself when there is no source)."""
        if self.source is None:
            return self
        assert self.bounds is not None and self.wide_bounds is not None
        read = self.source.read
        return replace(
            self,
            source=None,
            buildings=read("buildings", self.wide_bounds),
            streets=read("streets", self.wide_bounds),
            pois=read("pois", self.bounds),
            hazards=read("hazards", self.bounds),
            resources=read("resources", self.bounds),
        )


def _empty(index: pd.Index, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(0.0, index=index, columns=columns)


def buildings_to_cells(
    buildings: gpd.GeoDataFrame,
    cells: list[str],
    *,
    resolution: int,
    utm_crs: str,
    area: shapely.Geometry | None = None,
    buildings_utm: np.ndarray | None = None,
    cells_utm: np.ndarray | None = None,
    rep_cells: np.ndarray | None = None,
    cell_edges: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Building count, footprint, coverage ratio and floor area per cell.

    A building that spans several cells gives each the part of its footprint (and of its floor
    area) that lies inside it; it is counted once, in the cell of its representative point. With a
    study ``area``, only the part of a building inside the area counts (a building straddling the
    area's edge gives its edge cells only its inside share of floor area; one wholly outside counts
    nothing, not even in the count). Invalid
    outlines (self-intersecting "bow-ties") are repaired with :func:`shapely.make_valid` first: the
    area of an invalid polygon is meaningless (a bow-tie's two lobes cancel), and the floor area of a
    building is shared in proportion to its repaired footprint.

    Parameters
    ----------
    buildings
        Standard buildings (``floor_area_m2``, ``residential_share``; EPSG:4326).
    cells
        H3 cells of one partition.
    resolution
        Their resolution.
    utm_crs
        Projected CRS in which areas are measured.
    area
        Study area (lon/lat); None: buildings count whole.
    buildings_utm, cells_utm
        The buildings and cells projected (else projected here).
    rep_cells
        H3 cells (uint64) of the buildings' representative points as given (:func:`representative_cells`;
        else found here).
    cell_edges
        The projected cells' :func:`~urbanrisk.convex_clip.convex_edges` (else made here if needed).

    Returns
    -------
    pandas.DataFrame
        Indexed by cell: ``buildings``, ``footprint_m2``, ``floor_area_m2``, ``residential_floor_m2``.
    """
    index = cell_index(cells)
    columns = ["buildings", "footprint_m2", "floor_area_m2", "residential_floor_m2"]
    if buildings is None or not len(buildings):
        return _empty(index, columns)
    area_utm = None
    if area is not None:
        area_utm = _area_utm(area, utm_crs)
    c_utm = cells_polygons_utm(cells, utm_crs) if cells_utm is None else cells_utm
    b_utm = _project(buildings.geometry, utm_crs) if buildings_utm is None else buildings_utm
    near = np.unique(shapely.STRtree(c_utm).query(b_utm)[0])  # the rest meets no cell (a wide read)
    b_idx, c_idx, piece, whole = _pieces(b_utm[near], c_utm, area_utm, cell_edges)
    share = np.divide(piece, whole, out=np.zeros_like(piece), where=whole > 0)
    floor = buildings["floor_area_m2"].to_numpy()[near][b_idx] * share
    residential = floor * buildings["residential_share"].to_numpy()[near][b_idx]
    pieces = {"footprint_m2": piece, "floor_area_m2": floor, "residential_floor_m2": residential}
    out = sums_at(c_idx, len(cells), pieces, index)
    # counted once, in the cell of the representative point of its (repaired) outline inside the area
    lonlat, invalid = _repaired(buildings.geometry.to_numpy())
    ids = representative_cells(lonlat, resolution) if rep_cells is None else rep_cells.copy()
    if rep_cells is not None and invalid.any():
        ids[invalid] = representative_cells(lonlat[invalid], resolution)
    positions = cell_positions(cell_ints(cells), ids)
    mine = np.flatnonzero(positions >= 0)
    if area is not None:
        mine = mine[~shapely.is_empty(clip_to_area(lonlat[mine], area))]
    out.insert(0, "buildings", counts_at(positions[mine], len(cells)))
    return out[columns]


def _pieces(
    b_utm: np.ndarray,
    c_utm: np.ndarray,
    area_utm: shapely.Geometry | None,
    cell_edges: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each (building, cell) pair that meets: positions, the area of the building's (repaired, in the
    area) outline inside the cell, and its whole footprint."""
    b_utm, _ = _repaired(b_utm)
    footprint = shapely.area(b_utm)
    if area_utm is not None:
        b_utm = clip_to_area(b_utm, area_utm)
    b_idx, c_idx = meeting_pairs(b_utm, c_utm)
    inside_area = shapely.area(b_utm)[b_idx]
    piece = overlap_measures(b_utm, c_utm, b_idx, c_idx, inside_area, clipped_areas, cell_edges)
    return b_idx, c_idx, piece, footprint[b_idx]


def representative_cells(buildings: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (uint64) of the buildings' representative points (``shapely.point_on_surface``)."""
    rep = shapely.point_on_surface(buildings)
    return points_to_cells(shapely.get_x(rep), shapely.get_y(rep), resolution)


def _repaired(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The geometries with invalid ones made valid (a new array when any is invalid), and which were."""
    invalid = ~shapely.is_valid(geometry)
    if not invalid.any():
        return geometry, invalid
    out = geometry.copy()
    out[invalid] = shapely.make_valid(geometry[invalid])
    return out, invalid


def _hazard_total(hazards: gpd.GeoDataFrame | None, index: pd.Index, resolution: int) -> pd.Series:
    """Hazard points per cell, whatever their kind."""
    if hazards is None or not len(hazards):
        return pd.Series(0.0, index=index)
    x, y = hazards.geometry.x.to_numpy(), hazards.geometry.y.to_numpy()
    return pd.Series(cell_counts(x, y, list(index), resolution), index=index)


def points_to_cell_counts(
    points: gpd.GeoDataFrame | None,
    cells: list[str],
    *,
    resolution: int,
    by: str,
    kinds: list[str] | tuple[str, ...],
    prefix: str,
) -> pd.DataFrame:
    """Count points per cell and kind: columns ``{prefix}{kind}`` for every kind in ``kinds``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame({"kind": ["fuel", "fuel", "gas"]},
    ...     geometry=gpd.points_from_xy([116.31, 116.31, 116.31], [39.99, 39.99, 39.99]), crs=4326)
    >>> import h3
    >>> cell = h3.latlng_to_cell(39.99, 116.31, 10)
    >>> points_to_cell_counts(pts, [cell], resolution=10, by="kind", kinds=["fuel", "gas"],
    ...     prefix="hazard_").loc[cell].tolist()
    [2.0, 1.0]
    """
    index = cell_index(cells)
    columns = [f"{prefix}{k}" for k in kinds]
    if points is None or not len(points):
        return _empty(index, columns)
    geom = points.geometry
    known = pd.Index(list(dict.fromkeys(kinds)))
    keys = known.get_indexer(pd.Index(points[by].to_numpy(dtype=object)))
    table = cell_counts(geom.x.to_numpy(), geom.y.to_numpy(), cells, resolution, keys, len(known))
    return pd.DataFrame(table[:, known.get_indexer(list(kinds))], index=index, columns=columns)


def role_counts(pois: gpd.GeoDataFrame | None, cells: list[str], *, resolution: int) -> pd.DataFrame:
    """Crowd places and vulnerable sites per cell (a feature counts once per role).

    The grid's ``vulnerable_sites`` is counted again over the whole layer after the partitions, one per
    site rather than per feature (:func:`urbanrisk.same_sites.with_site_counts`).
    """
    index = cell_index(cells)
    if pois is None or not len(pois):
        return _empty(index, ["crowd_places", "vulnerable_sites"])
    roles = "|" + pois["roles"].fillna("").astype(str) + "|"
    refs = pois["osm_ref"] if "osm_ref" in pois.columns else pd.Series(np.arange(len(pois)), index=pois.index)
    ids = points_to_cells(pois.geometry.x.to_numpy(), pois.geometry.y.to_numpy(), resolution)
    positions = cell_positions(cell_ints(cells), ids)
    out = {}
    for role, column in (("crowd", "crowd_places"), ("vulnerable", "vulnerable_sites")):
        has = roles.str.contains(f"|{role}|", regex=False).to_numpy(dtype=bool, copy=True)
        has[has] = ~refs[has].duplicated().to_numpy()  # a feature counts once per role
        out[column] = counts_at(positions[has], len(cells))
    return pd.DataFrame(out, index=index)


#: Narrow ways: service lanes, footways, paths, alleys (the fabric of dense informal settlements).
ALLEY_HIGHWAYS = ("service", "footway", "path", "pedestrian", "living_street", "steps", "track", "alley")


def streets_to_cells(
    streets: gpd.GeoDataFrame | None,
    cells: list[str],
    *,
    utm_crs: str,
    streets_utm: np.ndarray | None = None,
    cells_utm: np.ndarray | None = None,
    cell_edges: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Length of street centre lines inside each cell (all ways, and narrow ways alone), metres
    (``cell_edges``: as :func:`buildings_to_cells`)."""
    index = cell_index(cells)
    out = _empty(index, ["street_length_m", "alley_length_m"])
    if streets is None or not len(streets):
        return out
    s_utm = _project(streets.geometry, utm_crs) if streets_utm is None else streets_utm
    c_utm = cells_polygons_utm(cells, utm_crs) if cells_utm is None else cells_utm
    s_idx, c_idx = meeting_pairs(s_utm, c_utm)
    whole = shapely.length(s_utm)[s_idx]
    length = overlap_measures(s_utm, c_utm, s_idx, c_idx, whole, clipped_lengths, cell_edges)
    narrow = streets["highway"].isin(ALLEY_HIGHWAYS).to_numpy()[s_idx]
    pieces = {"street_length_m": length, "alley_length_m": np.where(narrow, length, 0.0)}
    return sums_at(c_idx, len(cells), pieces, index)


def street_access_to_cells(
    buildings: gpd.GeoDataFrame | None,
    streets: gpd.GeoDataFrame | None,
    cells: list[str],
    *,
    resolution: int,
    utm_crs: str,
    small_m2: float = 100.0,
    buildings_utm: np.ndarray | None = None,
    streets_utm: np.ndarray | None = None,
    rep_cells: np.ndarray | None = None,
) -> pd.DataFrame:
    """Small buildings and buildings without street access per cell (block-complexity proxy).

    A building lacks street access when the shortest line from it to the nearest street crosses
    another building: it stands at least in the second layer of its block (block complexity k >= 2
    in the sense of Brelsford, Martin, Hand and Bettencourt 2018). Buildings count in the cell of
    their representative point. With no street at all, access is unknown (NaN).

    Returns
    -------
    pandas.DataFrame
        ``small_buildings`` (footprint < ``small_m2``) and ``buildings_no_street_access``.
    """
    index = cell_index(cells)
    out = _empty(index, ["small_buildings", "buildings_no_street_access"])
    if buildings is None or not len(buildings):
        return out
    ids = representative_cells(buildings.geometry.to_numpy(), resolution) if rep_cells is None else rep_cells
    positions = cell_positions(cell_ints(cells), ids)
    own = np.flatnonzero(positions >= 0)
    if not len(own):
        return out
    b_utm = _project(buildings.geometry, utm_crs) if buildings_utm is None else buildings_utm
    cell_of = positions[own]
    out["small_buildings"] = counts_at(cell_of[shapely.area(b_utm[own]) < small_m2], len(cells))
    if streets is None or not len(streets):
        out["buildings_no_street_access"] = np.nan
        return out
    s_utm = _project(streets.geometry, utm_crs) if streets_utm is None else streets_utm
    b_idx, s_idx = nearest_streets(shapely.STRtree(s_utm), s_utm, b_utm[own])
    lines = shapely.shortest_line(b_utm[own][b_idx], s_utm[s_idx])
    # each line starts on its own building, whose box it always meets: only other buildings can block
    # it, so the crossing test (GEOS) runs on those pairs alone (~1 in 8 of the box pairs)
    l_idx, hit = shapely.STRtree(b_utm).query(lines)
    others = hit != own[b_idx][l_idx]
    l_idx, hit = l_idx[others], hit[others]
    crossing = shapely.crosses(lines[l_idx], b_utm[hit])
    blocked = np.zeros(len(own), dtype=bool)
    blocked[b_idx[l_idx[crossing]]] = True
    out["buildings_no_street_access"] = counts_at(cell_of[blocked], len(cells))
    return out


def partition_indicators(task: PartitionInput) -> pd.DataFrame:
    """All indicators for one partition's cells (the body of one Dask task)."""
    task = task.resolved()
    cells = task.cells
    index = cell_index(cells)
    area = shapely.from_wkb(task.area_wkb)
    # project once, share between the stages below
    has_buildings = task.buildings is not None and len(task.buildings)
    has_streets = task.streets is not None and len(task.streets)
    b_utm = _project(task.buildings.geometry, task.utm_crs) if has_buildings else None
    s_utm = _project(task.streets.geometry, task.utm_crs) if has_streets else None
    polygons = cells_to_polygons(cells) if task.polygons is None else task.polygons
    c_utm = cells_polygons_utm(cells, task.utm_crs, polygons) if has_buildings or has_streets else None
    edges = convex_edges(c_utm) if c_utm is not None else None  # for buildings and streets both
    # the cells of the buildings' representative points, for their count and their street access
    rep_cells = (
        representative_cells(task.buildings.geometry.to_numpy(), task.resolution) if has_buildings else None
    )
    building_table = buildings_to_cells(
        task.buildings,
        cells,
        resolution=task.resolution,
        utm_crs=task.utm_crs,
        area=area,
        buildings_utm=b_utm,
        cells_utm=c_utm,
        rep_cells=rep_cells,
        cell_edges=edges,
    )
    if task.raster is not None:
        residents = residents_from_raster(
            task.raster, cells, resolution=task.resolution, area=area, polygons=polygons
        )
    elif task.floor_area_per_person_m2:
        residents = (building_table["residential_floor_m2"] / task.floor_area_per_person_m2).rename(
            "residents"
        )
    else:
        residents = pd.Series(0.0, index=index, name="residents")
    parts = [
        residents if isinstance(residents, pd.DataFrame) else residents.to_frame(),
        building_table,
        streets_to_cells(
            task.streets, cells, utm_crs=task.utm_crs, streets_utm=s_utm, cells_utm=c_utm, cell_edges=edges
        ),
        street_access_to_cells(
            task.buildings,
            task.streets,
            cells,
            resolution=task.resolution,
            utm_crs=task.utm_crs,
            buildings_utm=b_utm,
            streets_utm=s_utm,
            rep_cells=rep_cells,
        ),
        role_counts(task.pois, cells, resolution=task.resolution),
        points_to_cell_counts(
            task.pois, cells, resolution=task.resolution, by="kind", kinds=task.poi_kinds, prefix="poi_"
        ),
        points_to_cell_counts(
            task.hazards, cells, resolution=task.resolution, by="kind", kinds=HAZARD_KINDS, prefix="hazard_"
        ),
        points_to_cell_counts(
            task.resources,
            cells,
            resolution=task.resolution,
            by="kind",
            kinds=RESOURCE_KINDS,
            prefix="resource_",
        ),
    ]
    table = pd.concat(parts, axis=1)
    # every hazard, of the package's kinds or of kinds a recipe's own hazard_kinds table adds
    table["hazards"] = _hazard_total(task.hazards, table.index, task.resolution)
    table["cell_inside_share"] = inside_share(polygons, area)  # the grid's cell_area_m2: the part inside
    return table
