"""Hazard and resource registries: CSV with lon/lat columns, GeoJSON or GeoPackage -> standard points.

Standard columns: ``id``, ``kind``, ``name``, ``severity`` (hazards, 1-4, 4 the most severe),
``capacity`` (resources), ``source``, geometry (points, EPSG:4326). Registry fields are untrusted text:
they are trimmed here and escaped wherever HTML is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import LayerError
from .coords import to_wgs84
from .osm import clean_text
from .tables import HAZARD_KINDS, RESOURCE_KINDS, hazard_kind_table
from .vector import vector_from_file

_LON_NAMES = ("lon", "lng", "long", "longitude", "x")
_LAT_NAMES = ("lat", "latitude", "y")
DEFAULT_SEVERITY = 2  # for a kind the hazard-kind table does not list


def _guess(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def _read_csv_points(path: Path, lon: str | None, lat: str | None, layer: str) -> gpd.GeoDataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"layer '{layer}': cannot read {path} as CSV ({exc}); save it as UTF-8 CSV with a header row"
        raise LayerError(msg) from exc
    columns = list(frame.columns)
    lon = lon or _guess(columns, _LON_NAMES)
    lat = lat or _guess(columns, _LAT_NAMES)
    for key, col in (("lon", lon), ("lat", lat)):
        if col is None or col not in columns:
            msg = (
                f"layer '{layer}': {path} has no {key} column"
                + (f" '{col}'" if col else "")
                + f"; its columns are {columns}: set `{key}:` in the recipe to the right one"
            )
            raise LayerError(msg)
    xs = pd.to_numeric(frame[lon].str.strip(), errors="coerce")
    ys = pd.to_numeric(frame[lat].str.strip(), errors="coerce")
    bad = frame.index[xs.isna() | ys.isna()]
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:5])
        msg = f"layer '{layer}': {path}: non-numeric lon/lat on line(s) {rows}; fix or remove those rows"
        raise LayerError(msg)
    check_lonlat(xs.to_numpy(), ys.to_numpy(), layer=layer, path=path)
    return gpd.GeoDataFrame(
        frame.drop(columns=[lon, lat]), geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326"
    )


def check_lonlat(lon: np.ndarray, lat: np.ndarray, *, layer: str, path: Path | str) -> None:
    """Refuse coordinates out of range, and say when lon and lat look swapped.

    Examples
    --------
    >>> check_lonlat(np.array([39.99]), np.array([116.31]), layer="h", path="h.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    urbanrisk._errors.LayerError: layer 'h': h.csv: latitudes outside [-90, 90] ... look swapped; ...
    """
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


def _read_vector_points(path: Path, crs: str | None, layer: str) -> gpd.GeoDataFrame:
    gdf = vector_from_file(path, layer=layer, crs=crs)
    if len(gdf) and not gdf.geom_type.isin(["Point"]).all():
        gdf = gdf.set_geometry(gdf.geometry.representative_point())
    gdf = gdf.to_crs("EPSG:4326")
    check_lonlat(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), layer=layer, path=path)
    return gdf


def _kinds(
    frame: pd.DataFrame, column: str, fixed: str | None, role: str, layer: str, path: Path
) -> pd.Series:
    allowed = HAZARD_KINDS if role == "hazard" else RESOURCE_KINDS
    if fixed is not None:
        kinds = pd.Series(fixed, index=frame.index)
    elif column in frame.columns:
        kinds = frame[column].astype(str).str.strip().str.lower()
    else:
        msg = (
            f"layer '{layer}': {path} has no '{column}' column; name the column with `kind_column:` "
            f"or give every row one kind with `kind:` ({', '.join(allowed)})"
        )
        raise LayerError(msg)
    unknown = sorted(set(kinds) - set(allowed))
    if unknown:
        hints = []
        for kind in unknown[:5]:
            close = difflib.get_close_matches(kind, allowed, n=1)
            hints.append(f"'{kind}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        msg = f"layer '{layer}': unknown {role} kind(s) {', '.join(hints)}; known kinds: {', '.join(allowed)}"
        raise LayerError(msg)
    return kinds


def points_from_file(
    path: str | Path,
    *,
    layer: str = "points",
    role: str = "hazard",
    lon: str | None = None,
    lat: str | None = None,
    coords: str = "wgs84",
    crs: str | None = None,
    kind: str | None = None,
    id_column: str = "id",
    kind_column: str = "kind",
    name_column: str = "name",
    severity_column: str = "severity",
    capacity_column: str = "capacity",
    default_severity: Mapping[str, int] | None = None,
) -> gpd.GeoDataFrame:
    """Read a hazard or resource registry into standard points.

    Parameters
    ----------
    path
        CSV (with lon/lat columns), GeoJSON or GeoPackage.
    layer
        The layer's name in the recipe (for messages).
    role
        ``hazard`` or ``resource``: which kinds are allowed and which fields matter.
    coords
        ``wgs84``, ``gcj02`` (Amap, Tencent) or ``bd09`` (Baidu): converted to WGS84.
    default_severity
        Severity per hazard kind when the registry has no severity column (default: the
        ``default_severity`` of ``layers/tables/hazard_kinds.csv``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id, kind, name, severity, capacity, source, geometry`` in EPSG:4326.

    Raises
    ------
    LayerError
        Missing file or columns, no CRS, swapped or out-of-range coordinates, unknown kinds, a
        severity outside 1-4, or an empty registry.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"layer '{layer}': file not found: {path}"
        raise LayerError(msg)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        gdf = _read_csv_points(path, lon, lat, layer)
    else:
        gdf = _read_vector_points(path, crs, layer)
    if len(gdf) == 0:
        msg = f"layer '{layer}': {path} holds no points; remove the layer from the recipe if there are none"
        raise LayerError(msg)
    if coords != "wgs84":
        x, y = to_wgs84(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), coords)
        gdf = gdf.set_geometry(gpd.points_from_xy(x, y, crs="EPSG:4326"))
    kinds = _kinds(gdf, kind_column, kind, role, layer, path)
    out = gpd.GeoDataFrame(
        {
            "id": (
                gdf[id_column].astype(str)
                if id_column in gdf.columns
                else pd.Series([f"{layer}-{i + 1}" for i in range(len(gdf))], index=gdf.index)
            ),
            "kind": kinds,
            "name": gdf[name_column].map(clean_text) if name_column in gdf.columns else "",
        },
        geometry=gdf.geometry.to_numpy(),
        crs="EPSG:4326",
        index=gdf.index,
    )
    if role == "hazard":
        if severity_column in gdf.columns:
            severity = pd.to_numeric(gdf[severity_column], errors="coerce")
            bad = severity.isna() | ~severity.between(1, 4)
            if bad.any():
                msg = (
                    f"layer '{layer}': severity must be 1-4 (4 the most severe); rows "
                    f"{', '.join(str(i + 2) for i in gdf.index[bad][:5])} have "
                    f"{gdf[severity_column][bad].head(3).tolist()}"
                )
                raise LayerError(msg)
            out["severity"] = severity.astype(int)
        else:  # the kind's default, as for hazards read from OSM
            defaults = default_severity or hazard_kind_table()["default_severity"].to_dict()
            out["severity"] = kinds.map(defaults).fillna(DEFAULT_SEVERITY).astype(int).to_numpy()
    if role == "resource":
        out["capacity"] = (
            pd.to_numeric(gdf[capacity_column], errors="coerce") if capacity_column in gdf.columns else np.nan
        )
    out["source"] = f"{layer}:{path.name}"
    if out["id"].duplicated().any():
        dup = out["id"][out["id"].duplicated()].iloc[0]
        msg = f"layer '{layer}': id '{dup}' appears more than once in {path}; ids must be unique"
        raise LayerError(msg)
    columns = [c for c in out.columns if c != "geometry"]
    return out[[*columns, "geometry"]].reset_index(drop=True)
