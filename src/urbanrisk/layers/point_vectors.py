"""A registry's points from a vector file (GeoJSON, GeoPackage, Shapefile), and the range check of
every registry's lon / lat (:func:`urbanrisk.layers.points.points_from_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .._errors import LayerError
from .point_multi import several_places_text
from .vector import vector_from_file

Where = Callable[[int], str]  # data row i (0-based) -> "feature 5" as the user sees it in the file


def check_lonlat(lon: np.ndarray, lat: np.ndarray, *, layer: str, path: Path | str) -> None:
    """Refuse coordinates out of range, and say when lon and lat look swapped.

    Examples
    --------
    >>> check_lonlat(np.array([39.99]), np.array([116.31]), layer="h", path="h.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    urbanrisk._errors.LayerError: layer 'h': h.csv: latitudes outside [-90, 90] ... look swapped; ...
    """
    blank = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)))  # NaN passed every test below
    if len(blank):
        msg = (
            f"layer '{layer}': {path}: feature(s) {_numbers(blank)} have no finite lon/lat (NaN, inf or "
            "an empty geometry): fix or remove them"
        )
        raise LayerError(msg)
    if len(lat) and np.abs(lat).max() > 90:
        if np.abs(lon).max() <= 90 and np.abs(lat).max() <= 180:
            msg = (
                f"layer '{layer}': {path}: latitudes outside [-90, 90] (e.g. {lat[np.abs(lat) > 90][0]}) "
                "while the longitudes would be valid latitudes: the lon and lat columns look swapped; "
                "swap `lon:` and `lat:` in the recipe"
            )
        else:
            msg = (
                f"layer '{layer}': {path}: latitudes outside [-90, 90]: these look like projected "
                "coordinates; export the registry in lon/lat (WGS84) or give `crs:`"
            )
        raise LayerError(msg)
    if len(lon) and np.abs(lon).max() > 180:
        msg = (
            f"layer '{layer}': {path}: longitudes outside [-180, 180] (e.g. {lon[np.abs(lon) > 180][0]}): "
            "these look like projected coordinates; export the registry in lon/lat (WGS84)"
        )
        raise LayerError(msg)


def _numbers(rows: np.ndarray) -> str:
    """Row positions as 1-based feature numbers, the first five and how many more.

    >>> _numbers(np.arange(7))
    '1, 2, 3, 4, 5 and 2 more'
    """
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return ", ".join(str(i + 1) for i in rows[:5]) + more


def _one_point_per_site(gdf: gpd.GeoDataFrame, layer: str, path: Path) -> gpd.GeoDataFrame:
    """MultiPoints of one place (what many GIS exports write for every point) as that point; refused
    where a MultiPoint holds several places. A GeometryCollection of points is read as a MultiPoint (it
    was placed at one of its points, said as "a polygon or a line").

    Refused rather than split into sites with suffixed ids (``H1-1``, ``H1-2``): the register lists one
    site in that row, with one quantity and one severity. Split, each part would carry the row's whole
    quantity (Σq/Q and R counted once a part), the people near the site would be counted once a part,
    and ids the register never gave would not join back to it. Whether the row is one site (keep its
    main point) or several (one row each, each its own quantity) only the office can say.

    Raises
    ------
    LayerError
        MultiPoints of two places or more, named by feature (the first five), with the fix.
    """
    multi = (gdf.geom_type == "MultiPoint").to_numpy().copy()
    for i in np.flatnonzero((gdf.geom_type == "GeometryCollection").to_numpy()):  # of points only: the same
        parts = gdf.geometry.iloc[i].geoms
        multi[i] = len(parts) > 0 and all(p.geom_type == "Point" for p in parts)
    if not multi.any():
        return gdf
    geoms = gdf.geometry.to_numpy()
    places = shapely.get_num_geometries(shapely.extract_unique_points(geoms[multi]))
    several = np.flatnonzero(multi)[places > 1]
    if len(several):
        counts = dict(zip(np.flatnonzero(multi).tolist(), places.tolist(), strict=True))
        msg = f"layer '{layer}': " + several_places_text(path, [(int(i) + 1, counts[i]) for i in several])
        raise LayerError(msg)
    geoms = geoms.copy()
    geoms[multi] = shapely.get_geometry(geoms[multi], 0)  # one place: that point
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def read_vector_points(
    path: Path, crs: str | None, layer: str, encoding: str | None, file_layer: str | None = None
) -> tuple[gpd.GeoDataFrame, Where]:
    gdf = vector_from_file(
        path, layer=layer, crs=crs, encoding=encoding, keep_empty=True, file_layer=file_layer
    )
    return vector_points(gdf.reset_index(drop=True), layer, path), lambda i: f"feature {i + 1}"


def vector_points(gdf: gpd.GeoDataFrame, layer: str, path: Path) -> gpd.GeoDataFrame:
    """A registry's features as its sites' points in EPSG:4326: refused without geometry or with several
    places (named by feature, from 1); a polygon or a line placed at a point inside it, said in the notes."""
    blank = np.flatnonzero((gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy())
    if len(blank):  # left out, a hazard or a station would be missing from the count without a word
        msg = (
            f"layer '{layer}': {path}: feature(s) {_numbers(blank)} have no geometry: "
            "give their location or remove them"
        )
        raise LayerError(msg)
    gdf = _one_point_per_site(gdf, layer, path)
    shapes = ~gdf.geom_type.isin(["Point"]).to_numpy()
    if shapes.any():  # a site drawn as its outline or a line: a point inside it, said in the run's notes
        gdf = gdf.set_geometry(gdf.geometry.representative_point())
        gdf.attrs["notes"] = [
            f"{layer}: feature(s) {_numbers(np.flatnonzero(shapes))} of {path.name} are polygons or lines, "
            "each placed at a point inside it"
        ]
    gdf = gdf.to_crs("EPSG:4326")
    check_lonlat(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), layer=layer, path=path)
    return gdf
