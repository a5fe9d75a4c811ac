"""What an incident answer reads from a run folder (:mod:`urbanrisk.incident`): the grid's cells within
reach of the point (by a filter on ``h3_cell``, never the whole grid), the people they hold, the
vulnerable sites and units near it, the resources with the office's own columns (a registry's
``keep_columns``: 值班电话, 负责人...) and the street graphs as solved. Distances are straight-line
metres in the run's UTM zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer

from ._errors import InputError
from .graph_tables import graph_from_tables
from .grid_dataset import grid_columns, grid_files, grid_source
from .network import StreetGraph
from .screens.key_districts import OCCUPANT_M2

AREA_FILES = {"key_districts.parquet": "key district", "urban_villages.parquet": "urban village"}
#: A resource's columns of urbanrisk's own in resources.parquet (an older run's other text columns are kept).
OWN_COLUMNS = ("id", "kind", "name", "capacity", "source", "geometry", "inside_area")


def _grid_resolution(grid_path: Path) -> int:
    """The grid's H3 resolution from the Parquet statistics of ``h3_cell`` (no column read)."""
    if grid_path.is_dir():  # the grid/ dataset: every part holds cells of the one resolution
        grid_path = grid_files(grid_path.parent)[0]
    meta = pq.ParquetFile(grid_path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if meta.num_rows and "h3_cell" in names:
        stats = meta.row_group(0).column(names.index("h3_cell")).statistics
        if stats is not None and stats.has_min_max:
            return h3.get_resolution(stats.min)
    ids = pq.read_table(grid_path, columns=["h3_cell"]).column("h3_cell")
    return h3.get_resolution(ids[0].as_py()) if len(ids) else 10


def _outside(grid_path: Path, run_dir: Path, lon: float, lat: float) -> InputError:
    ids = pq.read_table(grid_path, columns=["h3_cell"]).column("h3_cell").to_pylist()
    lats, lons = zip(*(h3.cell_to_latlng(c) for c in ids), strict=True) if ids else ((0,), (0,))
    msg = (
        f"the point {lon:.6f},{lat:.6f} lies outside the area of run {run_dir.name} (its cells span "
        f"lon {min(lons):.4f}..{max(lons):.4f}, lat {min(lats):.4f}..{max(lats):.4f}): check --at "
        "(LON,LAT order; --coords gcj02 for Amap/Tencent points) or run a recipe covering it"
    )
    return InputError(msg)


def grid_cells(run_dir: Path, lon: float, lat: float, max_radius: float) -> pd.DataFrame:
    """The grid rows within reach of the point (read by a filter on ``h3_cell``, not whole)."""
    grid_path = grid_source(run_dir)  # the grid/ dataset (or an older run's grid.parquet)
    resolution = _grid_resolution(grid_path)
    centre = h3.latlng_to_cell(lat, lon, resolution)
    spacing = h3.average_hexagon_edge_length(resolution, unit="m") * np.sqrt(3)
    near = list(h3.grid_disk(centre, int(np.ceil(max_radius / spacing)) + 2))
    names = grid_columns(run_dir)
    columns = [c for c in CELL_COLUMNS if c in names]
    rows = pd.read_parquet(grid_path, columns=["h3_cell", *columns], filters=[("h3_cell", "in", near)])
    rows = (rows.reset_index() if "h3_cell" not in rows.columns else rows).set_index("h3_cell")
    if centre not in rows.index:
        raise _outside(grid_path, run_dir, lon, lat)
    return rows


def people_of(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Residents and people present (residents + one per OCCUPANT_M2 of non-residential floor)."""
    residents = cells["residents"].fillna(0.0).to_numpy(dtype=float)
    if {"floor_area_m2", "residential_floor_m2"} <= set(cells.columns):
        other = (cells["floor_area_m2"] - cells["residential_floor_m2"]).clip(lower=0.0).fillna(0.0)
        return residents, residents + other.to_numpy(dtype=float) / OCCUPANT_M2
    return residents, residents


def read_geo(path: Path, columns: list[str], to_xy: Transformer) -> pd.DataFrame:
    """A GeoParquet file of the run as a plain table: its columns, ``geometry`` (lon/lat shapely),
    and ``projected`` (in the run's UTM zone). The run wrote it in EPSG:4326, so its CRS metadata
    is not parsed (pyproj takes ~35 ms a file to build a CRS from it)."""
    frame = pd.read_parquet(path, columns=[*columns, "geometry"])
    geometry = shapely.from_wkb(frame["geometry"].to_numpy())
    projected = shapely.transform(geometry, lambda c: np.column_stack(to_xy.transform(c[:, 0], c[:, 1])))
    return frame.assign(geometry=geometry, projected=projected)


CELL_COLUMNS = ("residents", "floor_area_m2", "residential_floor_m2", "known_residents")  # a cell's, read


def _ring_of(distance: np.ndarray, radii: list[float]) -> list[float]:
    return [next(r for r in radii if d <= r) for d in distance]


def _near(units: pd.DataFrame, level: Any, point: shapely.Point, radii: list[float], radius: float):
    distance = shapely.distance(units["projected"].to_numpy(), point) if len(units) else np.zeros(0)
    keep = distance <= max(radii)  # NaN (a unit without geometry: unassigned) is never near
    return pd.DataFrame(
        {
            "level": np.asarray(level)[keep] if np.ndim(level) else level,
            "id": units["id"].to_numpy()[keep],
            "name": units["name"].to_numpy()[keep],
            "distance_m": distance[keep],
            "in_evacuation": distance[keep] <= radius,
        }
    )


def units_near(run_dir: Path, to_xy: Transformer, point: shapely.Point, radii: list[float], radius: float):
    """Units within reach: the recipe's units at every level (``register_<level>.parquet``: 街道 and
    社区 both, named by level), the other community units (OSM residential areas, H3 parents), key
    districts and urban villages."""
    frames = []
    registers = sorted(run_dir.glob("register_*.parquet"))
    for path in registers:
        frames.append(
            _near(read_geo(path, ["id", "name"], to_xy), path.stem[len("register_") :], point, radii, radius)
        )
    communities = run_dir / "communities.parquet"
    if communities.is_file():
        units = read_geo(communities, ["id", "name", "unit_source"], to_xy)
        if registers:  # the recipe's polygons are listed by level above
            units = units[units["unit_source"] != "polygons"]
        frames.append(_near(units, units["unit_source"].to_numpy(), point, radii, radius))
    for name, level in AREA_FILES.items():
        if (run_dir / name).is_file():
            frames.append(_near(read_geo(run_dir / name, ["id", "name"], to_xy), level, point, radii, radius))
    columns = ["level", "id", "name", "distance_m", "in_evacuation"]
    units = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    units = units.sort_values(["distance_m", "level"]).reset_index(drop=True)
    units["ring_m"] = _ring_of(units["distance_m"].to_numpy(), radii)
    return units


def sites_near(run_dir: Path, to_xy: Transformer, point: shapely.Point, radii: list[float]) -> pd.DataFrame:
    """Vulnerable sites within the largest ring, nearest first, with the ring they fall in."""
    sites = read_geo(run_dir / "vulnerable_sites.parquet", ["osm_ref", "kind", "name"], to_xy)
    distance = shapely.distance(sites["projected"].to_numpy(), point) if len(sites) else np.zeros(0)
    sites = sites.assign(
        distance_m=distance, lon=shapely.get_x(sites["geometry"]), lat=shapely.get_y(sites["geometry"])
    )
    sites = sites[sites["distance_m"] <= max(radii)].sort_values("distance_m").reset_index(drop=True)
    sites["ring_m"] = _ring_of(sites["distance_m"].to_numpy(), radii)
    return sites.drop(columns=["geometry", "projected"])


def listed_kept_columns(manifest: dict[str, Any]) -> list[str] | None:
    """The columns the run's resource registries kept (``manifest.json``'s ``kept_columns``: registry ->
    its ``keep_columns``), each once in the recipe's order; None for a run written before the list.

    >>> listed_kept_columns({"kept_columns": {"fire": ["值班电话", "负责人"], "shelters": ["值班电话"]}})
    ['值班电话', '负责人']
    >>> listed_kept_columns({}) is None
    True
    """
    listed = manifest.get("kept_columns")
    if not isinstance(listed, dict):
        return None
    return list(dict.fromkeys(str(c) for columns in listed.values() for c in columns or []))


def run_resources(run_dir: Path, to_xy: Transformer, kept: list[str] | None = None) -> pd.DataFrame:
    """The run's resources as a plain table: id, kind, name, capacity (NaN: unknown), ``lon``/``lat``,
    ``x``/``y`` in the run's UTM zone, and the office's own columns its registries kept (text):
    ``kept`` (:func:`listed_kept_columns`: those the file holds), else, for a run folder written
    before the manifest listed them, its text columns that are not urbanrisk's own."""
    path = run_dir / "resources.parquet"
    schema = pq.read_schema(path)  # kept columns are text (or all empty: null)
    if kept is None:
        text = (pa.types.is_string, pa.types.is_large_string, pa.types.is_null)
        kept = [f.name for f in schema if f.name not in OWN_COLUMNS and any(is_(f.type) for is_ in text)]
    else:  # a run without resources (no coverage) wrote none of them
        kept = [c for c in kept if c in schema.names and c not in OWN_COLUMNS]
    frame = read_geo(path, ["id", "kind", "name", "capacity", *kept], to_xy)
    return frame.assign(
        lon=shapely.get_x(frame["geometry"]),
        lat=shapely.get_y(frame["geometry"]),
        x=shapely.get_x(frame["projected"]),
        y=shapely.get_y(frame["projected"]),
        capacity=pd.to_numeric(frame["capacity"], errors="coerce"),
    ).drop(columns=["geometry", "projected"])


def kept_columns(resources: pd.DataFrame) -> list[str]:
    """The office's own columns of :func:`run_resources`' table (值班电话, 负责人...), in file order."""
    own = {*OWN_COLUMNS, "lon", "lat", "x", "y"}
    return [c for c in resources.columns if c not in own]


def with_kept_columns(ranked: pd.DataFrame, resources: pd.DataFrame) -> pd.DataFrame:
    """``ranked`` (rows naming a resource by kind, id, lon and lat: one resource, as the run keeps each
    once) with that resource's kept columns after its own; a value not given stays missing.

    Examples
    --------
    >>> resources = pd.DataFrame({"id": ["F1", "F1"], "kind": "fire_station", "lon": [116.1, 116.2],
    ...     "lat": 39.9, "值班电话": ["119-1", "119-2"], "x": 0.0, "y": 0.0})
    >>> ranked = pd.DataFrame({"kind": ["fire_station"], "rank": [1], "id": ["F1"], "lon": [116.2],
    ...     "lat": [39.9]})
    >>> with_kept_columns(ranked, resources)["值班电话"].tolist()  # the F1 at 116.2, not its namesake
    ['119-2']
    """
    kept = kept_columns(resources)
    if not kept or not len(ranked):
        return ranked.assign(**{c: pd.Series(dtype=object) for c in kept if c not in ranked.columns})
    keys = ["kind", "id", "lon", "lat"]
    details = resources[keys + kept].drop_duplicates(keys)
    out = ranked.merge(details, on=keys, how="left", validate="many_to_one")
    return out.set_axis(ranked.index)


def run_graphs(run_dir: Path) -> dict[str, StreetGraph]:
    nodes = pd.read_parquet(
        run_dir / "network_nodes.parquet", columns=["mode", "node", "osm_id", "x", "y", "snap", "utm_crs"]
    )
    edges = pd.read_parquet(run_dir / "network_edges.parquet")
    graphs = {}
    for mode, part in nodes.groupby("mode", sort=False):
        graphs[str(mode)] = graph_from_tables(part, edges[edges["mode"] == mode])
    return graphs
