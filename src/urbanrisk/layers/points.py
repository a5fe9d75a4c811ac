"""Hazard and resource registries (台账) -> standard points.

Read as they come: CSV in UTF-8 or GBK/GB18030, Excel .xlsx/.xls (:mod:`urbanrisk.layers.tabular`), with
lon / lat columns or a WKT column (:mod:`urbanrisk.layers.point_wkt`), GeoJSON, GeoPackage, Shapefile,
GeoParquet (:mod:`urbanrisk.layers.vector_parquet`) or KML.
Standard columns: ``id``, ``kind``, ``name``, ``severity`` (hazards,
1-4, 4 the most severe, read on the scale the recipe declares: :mod:`urbanrisk.layers.severity`),
``capacity`` (resources), ``source``, geometry (points, EPSG:4326). Kinds may be written as the kind
tables' Chinese or English labels or an alias (加油站, 危化品...). Registry fields are untrusted text:
they are trimmed here and escaped wherever HTML is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import settings
from .._errors import LayerError, RecipeError, require_regular_file
from .capacity import capacity_number, said_unknown, wan_column_problem
from .coords import to_wgs84
from .hazard_amounts import hazard_amounts, unitless_note
from .lonlat_cell import dms_degrees
from .pileup import one_place_problem
from .point_kind_column import default_kind_names, kind_values_of
from .point_rows import (
    cut_names_note,
    datum_named_note,
    error_names,
    lonlat_rows_problem,
    rows_problem,
    twin_column_problem,
)
from .point_vectors import check_lonlat, read_vector_points
from .point_wkt import wkt_column, wkt_points
from .projected_axes import axes_problem
from .registry_columns import kept_columns, registry_ids
from .registry_units import written_units
from .repeated_rows import drop_repeated_rows, name_column_in, name_text
from .severity import ORDER_HINT, severity_problem, to_internal
from .tables import hazard_kind_table
from .tabular import LAT_NAMES, LON_NAMES, TABULAR_SUFFIXES, guess_column, rows_from_file, shown_columns
from .text_controls import column_without_invisible, frame_without_controls

DEFAULT_SEVERITY = 2  # for a kind the hazard-kind table does not list
Where = Callable[[int], str]  # data row i (0-based) -> "row 5" as the user sees it in the file


def _degrees(column: pd.Series) -> pd.Series:
    """A coordinate column as numbers, read as validate reads them: full-width digits from a Chinese
    input method (NFKC: １１６.３２), U+2212 minus, degrees-minutes-seconds (116°21′05″); NaN where none."""
    numbers = pd.to_numeric(
        column.str.normalize("NFKC").str.replace("\u2212", "-").str.strip(), errors="coerce"
    ).astype(float)
    if (blank := numbers.isna()).any():  # 度分秒
        numbers[blank] = [np.nan if (v := dms_degrees(str(t))) is None else v for t in column[blank]]
    return numbers


def _totals_note(table: Any, layer: str, path: Path) -> list[str]:
    """The run's note on a table registry's total rows skipped (合计 with no place), or none."""
    totals = ", ".join((f"sheet '{table.sheet}' " if table.sheet else "") + f"row {n}" for n in table.totals)
    return [f"{layer}: skipped the total rows ({totals}) of {path.name}"] if totals else []


def _read_table_points(
    path: Path,
    lon: str | None,
    lat: str | None,
    layer: str,
    sheet: str | int | None,
    encoding: str | None,
    crs: str | None = None,
    coords: str = "wgs84",
) -> tuple[gpd.GeoDataFrame, Where]:
    table = rows_from_file(path, layer=layer, sheet=sheet, encoding=encoding)
    frame = pd.DataFrame(table.rows, columns=table.columns, dtype="str")
    columns = list(frame.columns)
    given = {"lon": lon, "lat": lat}
    lon = lon or guess_column(columns, LON_NAMES)
    lat = lat or guess_column(columns, LAT_NAMES)
    if not (lon or lat) and (wkt := wkt_column(columns)):  # POINT (116.3 39.9) in a WKT column
        gdf = wkt_points(frame, wkt, layer=layer, path=path, where=table.where, crs=crs)
        gdf.attrs["notes"] = gdf.attrs.get("notes", []) + _totals_note(table, layer, path) + table.notes
        return gdf, table.where
    for key, col in (("lon", lon), ("lat", lat)):
        if col is None or col not in columns:
            msg = (
                f"layer '{layer}': {path} has no {key} column"
                + (f" '{col}'" if col else "")
                + f"; its columns are {shown_columns(columns)}: set `{key}:` in the recipe to the right one"
            )
            raise LayerError(msg)
    for key, col, names in (("lon", lon, LON_NAMES), ("lat", lat, LAT_NAMES)):  # 经度 beside lon, differing
        twin = (
            None
            if given[key]
            else twin_column_problem(str(path), columns, col, names, key, table.rows, table.where)
        )
        if twin:
            raise LayerError(f"layer '{layer}': {twin}")
    xs, ys = _degrees(frame[lon]), _degrees(frame[lat])
    bad = np.flatnonzero(~(np.isfinite(xs.to_numpy(dtype=float)) & np.isfinite(ys.to_numpy(dtype=float))))
    cols = (columns.index(lon), columns.index(lat))
    if len(bad) and (told := rows_problem(str(path), lon, lat, table.rows, bad.tolist(), cols, table.where)):
        raise LayerError(f"layer '{layer}': {told}")  # #N/A, 116,31, the header again, a date
    if len(bad):
        rows = ", ".join(table.where(int(i)) for i in bad[:5])
        msg = (
            f"layer '{layer}': {path}: non-numeric lon/lat ('{lon}', '{lat}') in {rows} (text, empty "
            "or infinite); fix or remove those rows"
        )
        raise LayerError(msg)
    if not crs and (told := lonlat_rows_problem(str(path), lon, lat, xs.tolist(), ys.tolist(), table.where)):
        raise LayerError(f"layer '{layer}': {told}")  # 0, 0; lon and lat swapped in a few rows
    if crs and (axes := axes_problem(xs, ys, crs, file=str(path), lon=lon, lat=lat, where=table.where)):
        raise LayerError(f"layer '{layer}': {axes}")  # X north and Y east; a zone number in the eastings
    points = gpd.points_from_xy(xs, ys, crs=crs or "EPSG:4326")  # `crs:`: e.g. metres of CGCS2000 GK
    if crs:
        points = points.to_crs("EPSG:4326")
    check_lonlat(points.x, points.y, layer=layer, path=path)
    gdf = gpd.GeoDataFrame(frame.drop(columns=[lon, lat]), geometry=points)
    gdf.attrs["notes"] = _totals_note(table, layer, path) + table.notes  # merged cells filled down
    datum = coords if not crs or "4326" in str(crs) else "projected"  # 高德经度 read as WGS84
    gdf.attrs["notes"] += datum_named_note(lon, lat, datum, layer=layer, file=path.name)
    return gdf, table.where


def _severity(
    frame: pd.DataFrame, column: str, order: str, layer: str, path: Path, where: Where
) -> np.ndarray:
    """The severity column on the declared scale as urbanrisk's 1-4 (4 the most severe)."""
    texts = frame[column].fillna("").astype(str).to_numpy()
    values = [to_internal(t, order) for t in texts]
    bad = [i for i, v in enumerate(values) if v is None]
    if bad:
        listed = "; ".join(f"{where(i)}: {severity_problem(texts[i], order)}" for i in bad[:5])
        more = f" (and {len(bad) - 5} more rows)" if len(bad) > 5 else ""
        msg = f"layer '{layer}': {path}, column '{column}' (order: {order}): {listed}{more}"
        raise LayerError(msg)
    return np.asarray(values, dtype=int)


def _hazard_severity(
    gdf: gpd.GeoDataFrame,
    kinds: pd.Series,
    *,
    column: str | None,
    order: str | None,
    defaults: Mapping[str, int],
    layer: str,
    path: Path,
    where: Where,
) -> np.ndarray:
    col = column or "severity"
    if col not in gdf.columns:
        if order is not None:  # a declared column must be there
            msg = (
                f"layer '{layer}': {path} has no severity column '{col}' (its columns: "
                f"{[c for c in gdf.columns if c != 'geometry']}); "
                "set `severity: {column: ...}` to the right one"
            )
            raise LayerError(msg)
        # the kind's default, as for hazards read from OSM
        return kinds.map(defaults).fillna(DEFAULT_SEVERITY).astype(int).to_numpy()
    if order is None:
        msg = (
            f"layers.{layer}.severity: {path} has a severity column '{col}' but the recipe does not say "
            f"which end of its scale is the most severe; add severity: {{column: {col}, order: ...}} to "
            f"layer '{layer}', with {ORDER_HINT}"
        )
        raise RecipeError(msg, [msg])
    return _severity(gdf, col, order, layer, path, where)


def points_from_file(
    path: str | Path,
    *,
    layer: str = "points",
    role: str = "hazard",
    lon: str | None = None,
    lat: str | None = None,
    coords: str = "wgs84",
    crs: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    file_layer: str | None = None,
    kind: str | None = None,
    id_column: str | None = None,
    kind_column: str = "kind",
    name_column: str = "name",
    severity_column: str | None = None,
    severity_order: str | None = None,
    capacity_column: str = "capacity",
    substance_column: str | None = None,
    quantity_column: str | None = None,
    default_severity: Mapping[str, int] | None = None,
    kinds: Mapping[str, str] | None = None,
    allow_empty: bool = False,
    keep_columns: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a hazard or resource registry into standard points.

    Parameters
    ----------
    path
        CSV / TSV (with lon/lat columns, any encoding), Excel .xlsx / .xls, GeoJSON, GeoPackage, Shapefile.
    layer
        The layer's name in the recipe (for messages).
    role
        ``hazard`` or ``resource``: which kinds are allowed and which fields matter.
    coords
        ``wgs84``, ``gcj02`` (Amap, Tencent) or ``bd09`` (Baidu): converted to WGS84.
    sheet, encoding
        Excel sheet (name, or number from 1); text encoding of a CSV or Shapefile DBF (default: detected).
    file_layer
        The layer to read of a file holding several (a GeoPackage).
    severity_column, severity_order
        The severity column (default ``severity``) and its scale, ``1_is_most_severe`` (一级 the most
        severe) or ``4_is_most_severe``. A registry with a severity column must declare its scale.
    default_severity
        Severity per hazard kind when the registry has no severity column (default: the
        ``default_severity`` of ``layers/tables/hazard_kinds.csv``).
    kinds
        Every accepted kind name (casefolded) -> kind (default: the package's kind tables and aliases;
        see :func:`urbanrisk.layers.tables.kind_names`).
    allow_empty
        Accept a registry with no row (a resource registry declared complete: it lists none).
    id_column
        The column of ids: refused when the file lacks it. None: ``id`` where the file has it, else
        ids made up from the rows' positions.
    keep_columns
        The office's own columns carried along as text (值班电话, 负责人...), in this order.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id, kind, name, severity, capacity, source``, the kept columns and ``geometry`` in
        EPSG:4326.

    Raises
    ------
    RecipeError
        A severity column whose scale the recipe does not declare.
    LayerError
        Missing file or columns, no CRS, swapped or out-of-range coordinates, unknown kinds, a
        severity that is not a grade on the declared scale (named by row and column), or no points.
    """
    require_regular_file(path, layer)
    path = Path(path)
    if path.suffix.lower() in TABULAR_SUFFIXES:
        gdf, where = _read_table_points(path, lon, lat, layer, sheet, encoding, crs, coords)
    else:
        gdf, where = read_vector_points(path, crs, layer, encoding, file_layer)
    gdf.attrs["notes"] = [  # NUL, ESC...: before any id, kind or name is read from the text
        *gdf.attrs.get("notes", []),
        *frame_without_controls(gdf, layer=layer, file=path.name, where=where),
        # A\u200b1 is A1: the same site twice is refused (registry_ids), the cleaned rows are named
        *column_without_invisible(gdf, id_column or "id", layer=layer, file=path.name, where=where),
    ]
    if len(gdf) == 0 and not allow_empty:
        msg = (
            f"layer '{layer}': {path} holds no points; remove the layer from the recipe if there are none "
            "(a resource registry that lists every one of a kind, and none here, says so: "
            "complete_for: [kind])"
        )
        raise LayerError(msg)
    if coords != "wgs84":
        x, y = to_wgs84(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), coords)
        gdf = gdf.set_geometry(gpd.points_from_xy(x, y, crs="EPSG:4326"))
    name_column = name_column_in(list(gdf.columns), name_column)  # the default: a 台账's 名称, 单位名称...
    names = kinds if kinds is not None else default_kind_names(role)
    kind_values = kind_values_of(gdf, kind_column, kind, role, layer, path, names, where)
    site_names, errors = _site_names(gdf, name_column, layer, path, where)
    out = gpd.GeoDataFrame(
        {"id": registry_ids(gdf, id_column, layer, path), "kind": kind_values, "name": site_names},
        geometry=gdf.geometry.to_numpy(),
        crs="EPSG:4326",
        index=gdf.index,
    )
    if role == "hazard":
        out["severity"] = _hazard_severity(
            gdf,
            kind_values,
            column=severity_column,
            order=severity_order,
            defaults=default_severity or hazard_kind_table()["default_severity"].to_dict(),
            layer=layer,
            path=path,
            where=where,
        )
    if role == "resource":
        if capacity_column in gdf.columns:  # 3000, 3,000, 0.3万; refused in a column named 万人
            cells = gdf[capacity_column].astype("string").fillna("").tolist()
            wan = wan_column_problem(capacity_column, cells, str(path))
            if wan:
                raise LayerError(f"layer '{layer}': {wan}")
        out["capacity"] = (
            gdf[capacity_column].map(capacity_number).astype(float)
            if capacity_column in gdf.columns
            else np.nan
        )
        values = out["capacity"].to_numpy(dtype=float)
        bad = np.isinf(values) | (values < 0) | (values > settings.max_capacity)  # 1e308 beds: a typo
        if capacity_column in gdf.columns:  # text (很多, 500人) read as unknown, silently; empty is unknown
            written = gdf[capacity_column].astype("string").str.strip().fillna("")
            given = (written.ne("") & ~written.map(said_unknown).astype(bool)).to_numpy()  # 不详: unknown
            bad |= given & out["capacity"].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            msg = (
                f"layer '{layer}': {path}, column '{capacity_column}': capacity "
                f"{gdf[capacity_column].iloc[row]!r} in {where(row)} is not a number from 0 to "
                f"{settings.max_capacity:,.0f}: write the resource's capacity (beds, engines, places...) or "
                "leave the cell empty"
            )
            raise LayerError(msg)
    if role == "hazard":  # GB 18218 inputs: substances and tonnes (with the unit written beside them)
        for column, values in hazard_amounts(
            gdf, substance_column, quantity_column, layer=layer, path=path, where=where
        ).items():
            out[column] = values
    unitless = (  # "800" alone: tonnes (GB 18218's unit), said once in the run's notes
        unitless_note(out["quantity_t"], layer=layer, path=path, where=where) if "quantity_t" in out else []
    )
    out["source"] = f"{layer}:{path.name}"
    for column, values in kept_columns(gdf, list(keep_columns or []), layer, path, role).items():
        out[column] = values
    columns = [c for c in out.columns if c != "geometry"]
    out, repeated = drop_repeated_rows(
        out[[*columns, "geometry"]].reset_index(drop=True), layer, path, ids_given=(id_column or "id") in gdf
    )
    out.attrs["written_units"] = written_units(gdf, where, layer=layer, file=path.name)  # 街道, 社区
    out.attrs["notes"] = [
        *gdf.attrs.get("notes", []),
        *errors,
        *repeated,
        *unitless,
        *_one_place(out, layer, path),
    ]
    if name_column in gdf.columns:  # a text pasted into the name cell, cut to max_text_length
        most = settings.max_text_length
        out.attrs["notes"] += cut_names_note(
            gdf[name_column].tolist(), most, layer=layer, file=path.name, where=where
        )
    return out


def _site_names(
    gdf: gpd.GeoDataFrame, column: str, layer: str, path: Path, where: Where
) -> tuple[pd.Series | str, list[str]]:
    """The registry's names (empty without a name column; an Excel error such as #REF! read as no name)
    and the note naming the errors."""
    if column not in gdf.columns:
        return "", []
    names = gdf[column].map(name_text)
    wrong, note = error_names(names.tolist(), layer=layer, file=path.name, where=where)
    if wrong:
        names.iloc[wrong] = ""
    return names, note


def _one_place(points: gpd.GeoDataFrame, layer: str, path: Path) -> list[str]:
    """Refuse a registry whose rows pile up at one place (a geocoder's fallback); a note when half of
    it (10 rows or more) does.

    Raises
    ------
    LayerError
        More than ``settings.max_rows_at_one_place`` rows at one place (to ~1 m).
    """
    text = one_place_problem(points.geometry.x.to_numpy(), points.geometry.y.to_numpy(), path.name)
    if text is None:
        return []
    if text.startswith("refuse: "):
        raise LayerError(f"layer '{layer}': {text.removeprefix('refuse: ')}")
    return [f"{layer}: {text}"]
