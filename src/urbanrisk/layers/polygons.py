"""Community units (区 / 街道 / 社区 / 网格 polygons) with an id and a name."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .._errors import LayerError
from .osm import clean_text
from .polygon_parts import polygonal
from .tabular import shown_columns
from .text_controls import ids_without_invisible, without_invisible
from .unit_bounds import beyond_lonlat
from .unit_levels import level_text, level_value_problem
from .unit_overlaps import overlap_note
from .vector import from_map_service, vector_from_file


def polygons_from_file(
    path: str | Path,
    *,
    layer: str = "communities",
    id_column: str = "id",
    name_column: str = "name",
    crs: str | None = None,
    coords: str = "wgs84",
    encoding: str | None = None,
    file_layer: str | None = None,
    level_column: str | None = None,
    level_values: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read community polygons: columns ``id``, ``name``, geometry (EPSG:4326, repaired if invalid).

    Any CRS the file declares (CGCS2000 EPSG:4490, its Gauss-Kruger zones such as EPSG:4547...) is
    reprojected; ``coords`` converts GCJ-02 / BD-09 lon/lat to WGS84; ``encoding`` reads a Shapefile
    DBF without .cpg (default: detected); ``level_column`` and ``level_values``: only the features whose
    column reads one of the values (one level of a file holding 区, 街道 and 社区).

    Raises
    ------
    LayerError
        Missing file, no CRS, no polygons, missing id or level column, or a level value the column lacks.
    """
    gdf = vector_from_file(
        path, layer=layer, crs=crs, encoding=encoding, keep_empty=True, file_layer=file_layer
    )
    if level_column is not None:
        gdf = _one_level(gdf, level_column, list(level_values or []), layer=layer, path=Path(path))
    features = len(gdf)
    gdf = gdf.set_geometry(polygonal(gdf.geometry.to_numpy()), crs=gdf.crs)  # a GeometryCollection's polygons
    gdf = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy() & ~gdf.geometry.is_empty.to_numpy()]
    if not len(gdf):
        msg = f"layer '{layer}': {path} holds no polygons: give the units' boundaries as polygons"
        raise LayerError(msg)
    gdf = from_map_service(gdf, coords, layer=layer, path=path)
    if id_column not in gdf.columns:
        columns = shown_columns(list(gdf.columns))
        msg = f"layer '{layer}': {path} has no '{id_column}' column ({columns}); set `id_column:`"
        raise LayerError(msg)
    xy, at = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    broken = np.unique(at[~np.isfinite(xy).all(axis=1)])
    if len(broken):  # GEOS's make_valid raised on them (a traceback)
        ids = ", ".join(gdf[id_column].astype(str).iloc[broken[:5]])
        msg = (
            f"layer '{layer}': {path}: unit(s) {ids} have vertices that are not finite numbers (NaN, inf): "
            "fix or remove them"
        )
        raise LayerError(msg)
    invalid = ~shapely.is_valid(gdf.geometry.to_numpy())
    geometry = shapely.make_valid(gdf.geometry.to_numpy())
    labels = gdf[id_column].astype(str).tolist()  # A\u200b1 is A1: one unit, or an id clash refused
    ids, said = ids_without_invisible(
        labels, layer=layer, file=Path(path).name, where=lambda i: f"unit {without_invisible(labels[i])}"
    )
    out = gpd.GeoDataFrame(
        {
            "id": np.array(ids, dtype=object),
            "name": gdf[name_column].map(clean_text).to_numpy() if name_column in gdf.columns else "",
        },
        geometry=geometry,
        crs=gdf.crs,
    ).to_crs("EPSG:4326")
    if refusal := beyond_lonlat(out, layer, Path(path)):  # metres read as degrees: every unit empty
        raise LayerError(refusal)
    notes, name = said, Path(path).name  # said, never silent: the run's notes (CLI, report, manifest)
    if features > len(gdf):
        notes.append(
            f"{layer}: {features - len(gdf)} feature(s) of {name} without a polygon (no geometry, a point "
            "or a line) left out"
        )
    if invalid.any():
        notes.append(
            f"{layer}: {int(invalid.sum())} polygon(s) of {name} cross themselves or are otherwise invalid, "
            f"repaired (shapely make_valid): check unit(s) {', '.join(out['id'][invalid][:5])}"
        )
    overlapping = overlap_note(out, layer, name)
    out.attrs["notes"] = notes + ([overlapping] if overlapping else [])
    return out


def _one_level(
    gdf: gpd.GeoDataFrame, column: str, values: list[str], *, layer: str, path: Path
) -> gpd.GeoDataFrame:
    """The features whose ``column`` reads one of ``values`` (compared as :func:`level_text`)."""
    if column not in gdf.columns:
        columns = shown_columns(list(gdf.columns))
        msg = f"layer '{layer}': {path} has no '{column}' column ({columns}); set `level_column:`"
        raise LayerError(msg)
    polygonal_rows = gdf.geom_type.isin(["Polygon", "MultiPolygon", "GeometryCollection"]).to_numpy()
    held = [level_text(v) for v in gdf[column].tolist()]
    problem = level_value_problem(
        [h for h, p in zip(held, polygonal_rows, strict=True) if p], values, column, path.name
    )
    if problem:
        raise LayerError(f"layer '{layer}': {problem}")
    wanted = {level_text(v) for v in values}
    return gdf[[h in wanted for h in held]]
