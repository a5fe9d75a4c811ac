"""Preflight of points layers (hazard and resource registries): columns, kinds, severities,
coordinates and capacities, as the run would refuse them, read from CSV / Excel whole and from other
vector files' headers. Light: ``urbanrisk validate`` calls it (no dask, geopandas or shapely)."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from . import settings
from .layers.area_file import geojson_points_problem
from .layers.capacity import capacity_number, said_unknown, unit_word_fixes, wan_column_problem
from .layers.geojson_blank import blank_features, blank_message, geojson_id_problem
from .layers.headers import vector_header
from .layers.lonlat_cell import a_date, both_in_one_cell, date_message, dms_degrees, two_numbers
from .layers.pileup import one_place_problem
from .layers.point_coords import blank_vector_features, nonfinite_points, registry_lonlat, to_lonlat
from .layers.point_ids import gpkg_id_problem
from .layers.point_multi import several_places
from .layers.point_read import read_problem
from .layers.point_rows import lonlat_rows_problem, rows_problem, twin_column_problem
from .layers.point_wkt import wkt_column, wkt_problem
from .layers.projected_axes import axes_problem
from .layers.severity import severity_problem, to_internal
from .layers.tables import kind_of
from .layers.tabular import LAT_NAMES, LON_NAMES, TABULAR_SUFFIXES, Rows, guess_column, rows_from_file
from .layers.text_controls import without_invisible
from .preflight_base import Problem, local, missing_column, no_crs
from .recipe.schema import SEVERITY_HINT
from .wording import counted


def _registry_values(name: str, spec: Any, table: Rows, names: dict[str, str], path: Path) -> list[Problem]:
    """Kinds, severities and coordinates of a CSV / Excel registry."""
    problems: list[Problem] = []
    key = ("layers", name)
    columns = table.columns
    guessed = [
        getattr(spec, a) or guess_column(columns, n) for a, n in (("lon", LON_NAMES), ("lat", LAT_NAMES))
    ]
    wkt = None if any(guessed) else wkt_column(columns)
    if wkt is not None:  # POINT (116.3 39.9) in a WKT column: read as the run reads it
        told = wkt_problem(table, wkt, layer=name, path=path, crs=spec.crs)
        problems += [((*key, "path"), told)] if told else []
    for axis, names_ in (("lon", LON_NAMES), ("lat", LAT_NAMES)) if wkt is None else ():
        col = getattr(spec, axis) or guess_column(columns, names_)
        if col is None or col not in columns:
            fix = f"set `{axis}:` to the column holding the {'longitude' if axis == 'lon' else 'latitude'}"
            problems.append(((*key, axis), missing_column(path, col or axis, columns, fix)))
    problems += _coordinate_problems(name, spec, table, path) + _repeated_ids(name, spec, table, path)
    if spec.kind is None and spec.kind_column not in columns:
        fix = "set `kind_column:` to the column of kinds, or give every row one kind with `kind:`"
        problems.append(((*key, "kind_column"), missing_column(path, spec.kind_column, columns, fix)))
    elif spec.kind is None:
        j = columns.index(spec.kind_column)
        known = {v: kind_of(v, names) for v in {r[j] for r in table.rows}}  # each distinct value once
        unknown = [(i, r[j]) for i, r in enumerate(table.rows) if known[r[j]] is None]
        if unknown:
            problems.append(
                ((*key, "kind_column"), unknown_kinds_text(path.name, spec.role, unknown, table, names))
            )
    elif kind_of(spec.kind, names) is None:
        problems.append(
            ((*key, "kind"), f"unknown {spec.role} kind '{spec.kind}': use a known kind or label")
        )
    if spec.name_column != "name" and spec.name_column not in columns:  # the run left every name out
        fix = "set `name_column:` to one of them"
        problems.append(((*key, "name_column"), missing_column(path, spec.name_column, columns, fix)))
    column = spec.severity_col
    if spec.role == "hazard" and spec.severity is not None and column in columns:
        j, order = columns.index(column), spec.severity.order
        read = {v: to_internal(v, order) for v in {r[j] for r in table.rows}}  # each distinct value once
        bad = [i for i, r in enumerate(table.rows) if read[r[j]] is None]
        listed = "; ".join(f"{table.where(i)}: {severity_problem(table.rows[i][j], order)}" for i in bad[:5])
        if bad:
            problems.append(((*key, "severity"), f"{path.name}, column '{column}': {listed}"))
    if spec.role == "resource" and spec.capacity_column in columns:  # as the run refuses them
        j = columns.index(spec.capacity_column)
        wan = wan_column_problem(spec.capacity_column, [r[j] for r in table.rows], path.name)
        problems += [((*key, "capacity_column"), wan)] if wan else []
        values = [(i, r[j], capacity_number(r[j])) for i, r in enumerate(table.rows) if r[j].strip()]
        values = [(i, text, v) for i, text, v in values if not said_unknown(text)]  # 不详: unknown, as empty
        top = settings.max_capacity
        bad = [i for i, _, v in values if v is None or not 0 <= v <= top]  # empty: capacity unknown
        listed = ", ".join(f"'{table.rows[i][j]}' in {table.where(i)}" for i in bad[:5])
        fixes = unit_word_fixes([table.rows[i][j] for i in bad])
        if bad and fixes:  # 1.2万人: the number is there, the unit word is not read
            text = f"{path.name}, column '{spec.capacity_column}': capacity {listed} carries a unit word "
            problems.append(
                ((*key, "capacity_column"), text + f"(人, 床...): write the number alone ({fixes})")
            )
        elif bad:
            text = f"{path.name}, column '{spec.capacity_column}': capacity {listed} is not a number "
            text += f"from 0 to {top:,.0f}: write the resource's capacity (beds, places...) or leave it empty"
            problems.append(((*key, "capacity_column"), text))
    return problems


#: How many distinct unknown kinds a message names (each once, with its first row and how many more).
MAX_UNKNOWN_KINDS = 8


def unknown_kinds_text(
    file: str, role: str, unknown: list[tuple[int, str]], table: Rows, names: dict[str, str]
) -> str:
    """Every distinct unknown kind of a registry once (its first row, how many rows more), the known
    kinds, and the fixes: a known kind or label, an alias row (a word of the office's own for a known
    kind: ``Fire,fire_station``), or a kind of its own.

    >>> rows = Rows(["Type"], [["Fire"], ["Fire"], ["EMS"]], header_line=1, sheet="Stations")
    >>> unknown_kinds_text("a.xlsx", "resource", [(0, "Fire"), (1, "Fire"), (2, "EMS")], rows,
    ...                    {"fire_station": "fire_station", "hospital": "hospital"})[:95]
    "a.xlsx: unknown resource kind(s) 'Fire' in sheet 'Stations' row 2 (and 1 more row), 'EMS' in sh"
    """
    rows: dict[str, list[int]] = {}
    for i, value in unknown:
        rows.setdefault(value, []).append(i)
    listed = []
    for value, where in list(rows.items())[:MAX_UNKNOWN_KINDS]:
        more = len(where) - 1
        also = f" (and {counted(more, 'more row')})" if more else ""
        listed.append(f"'{value}' in {table.where(where[0])}{also}")
    if len(rows) > MAX_UNKNOWN_KINDS:
        listed.append(f"and {len(rows) - MAX_UNKNOWN_KINDS} more")
    known = ", ".join(sorted(set(names.values())))
    return (
        f"{file}: unknown {role} kind(s) {', '.join(listed)}; known kinds: {known}. Write one of them or its "
        f"label, map your word to one in your copy of kind_aliases.csv (a row alias,kind), or add a kind of "
        f"your own to your copy of {role}_kinds.csv{KIND_ROWS.get(role, '')}; name the copy under tables:"
    )


#: what a row of a kind of one's own holds (a hazard's radius and severity: no recipe key sets them)
KIND_ROWS = {
    "hazard": (
        " (a row kind,label_en,label_zh,impact_radius_m,default_severity: the radius in metres within which "
        "people count as exposed and a severity from 1 to 4, 4 the most severe, e.g. "
        "pipeline,gas pipeline,燃气管道,200,3)"
    )
}


def _repeated_ids(name: str, spec: Any, table: Rows, path: Path) -> list[Problem]:
    """Ids written twice in the id column, refused by the run after validate said ok
    (:func:`urbanrisk.layers.registry_columns.row_ids`)."""
    if spec.id_column not in table.columns:
        return []  # ids made up, or the missing column told by the run's own check
    j = table.columns.index(spec.id_column)
    first: dict[str, int] = {}
    again: list[tuple[int, int]] = []
    for i, row in enumerate(table.rows):
        seen = first.setdefault(without_invisible(row[j]).strip(), i)  # A\u200b1 is A1, as the run reads it
        again += [(seen, i)] if seen != i else []
    blank = [table.where(i) for i in _blank_rows(table.rows, j)] if "" in first else []
    if blank:  # as the run refuses them (registry_columns._id_text)
        listed = ", ".join(blank[:5]) + (" ..." if len(blank) > 5 else "")
        fix = "give every row its id, or remove the column (ids are then made up from the rows' order)"
        text = f"{path.name}: {listed}: no id (column '{spec.id_column}'): {fix}"
        return [(("layers", name, "id_column"), text)]
    if not again:
        return []
    listed = ", ".join(
        f"'{without_invisible(table.rows[i][j]).strip()}' in {table.where(a)} and {table.where(i)}"
        for a, i in again[:5]
    )
    fix = "ids must be unique: fix them, or set `id_column:` to a column of unique ids"
    return [(("layers", name, "id_column"), f"{path.name}: id {listed}: {fix}")]


def _blank_rows(rows: list[list[str]], j: int) -> list[int]:
    return [i for i, row in enumerate(rows) if not row[j].strip()]


def _number(text: str) -> float | None:
    if not text.isascii():  # NFKC as the run reads them: a full-width minus too (－７６.５８), U+2212 from a
        text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")  # word processor (ASCII: as is)
        if not text.isascii():  # ٣٩.٩٩: float() reads any script's digits, the run (pandas) does not
            return dms_degrees(text)
    try:
        value = float(text)
    except ValueError:
        return dms_degrees(text)  # 116°21′05″, as the run reads it
    return value if math.isfinite(value) else None


def _coordinate_problems(name: str, spec: Any, table: Rows, path: Path) -> list[Problem]:
    """Non-numeric lon/lat, and lon/lat out of range (swapped columns, projected metres), as the run
    would refuse them (:func:`urbanrisk.layers.points.check_lonlat`); nothing when a ``crs`` is given."""
    columns = table.columns
    lon = spec.lon or guess_column(columns, LON_NAMES)
    lat = spec.lat or guess_column(columns, LAT_NAMES)
    if lon not in columns or lat not in columns:
        return []
    i, j = columns.index(lon), columns.index(lat)
    for part, col, names in (("lon", lon, LON_NAMES), ("lat", lat, LAT_NAMES)):  # as the run refuses it
        given = spec.lon if part == "lon" else spec.lat
        if not given and (
            twin := twin_column_problem(path.name, columns, col, names, part, table.rows, table.where)
        ):
            return [(("layers", name, part), twin)]
    pairs = [(k, _number(r[i]), _number(r[j])) for k, r in enumerate(table.rows)]
    key = ("layers", name, "lat")
    bad = [k for k, x, y in pairs if x is None or y is None]
    both = [k for k in bad if two_numbers(table.rows[k][i]) or two_numbers(table.rows[k][j])]
    found = [(key, both_in_one_cell(path.name, lon, lat, table, both, (i, j)))] if both else []
    dates = [(k, v) for k in bad if k not in both for v in (table.rows[k][i], table.rows[k][j]) if a_date(v)]
    if dates:
        where = ", ".join(table.where(k) for k in list(dict(dates))[:5])
        found.append((key, date_message(path.name, lon, lat, dates[0][1], where)))
        both += [k for k, _ in dates]
    if bad := [k for k in bad if k not in both]:
        where = ", ".join(table.where(k) for k in bad[:5])
        told = rows_problem(path.name, lon, lat, table.rows, bad, (i, j), table.where)  # #N/A, 116,31...
        generic = f"{path.name}: non-numeric or empty '{lon}' / '{lat}' in {where}: fix or remove those rows"
        found.append((key, told or generic))
    if found:
        return found
    if spec.crs is not None:  # projected metres, say: lon/lat once transformed
        rows = [k for k, _, _ in pairs]
        where = lambda i: table.where(rows[i])  # noqa: E731
        if axes := axes_problem(*_xy(pairs), spec.crs, file=path.name, lon=lon, lat=lat, where=where):
            return [(key, axes)]  # X north, Y east; eastings with(out) their zone number
        xy = to_lonlat(*_xy(pairs), spec.crs)
        return [] if xy is None else _pileup(name, *xy, path)
    if told := lonlat_rows_problem(path.name, lon, lat, *_xy(pairs), table.where):  # as the run refuses them
        return [(key, told)]
    lat_out = [(k, y) for k, x, y in pairs if abs(y) > 90]
    lon_out = [(k, x) for k, x, y in pairs if abs(x) > 180]
    if lat_out and all(abs(x) <= 90 for _, x, _ in pairs) and all(abs(y) <= 180 for _, _, y in pairs):
        k, y = lat_out[0]
        text = (
            f"{path.name}: '{lat}' {y} in {table.where(k)} is outside [-90, 90] while every '{lon}' would "
            "be a valid latitude: the lon and lat columns look swapped; swap `lon:` and `lat:` in the recipe"
        )
        return [(key, text)]
    if lat_out or lon_out:
        k, v = (lat_out or lon_out)[0]
        text = (
            f"{path.name}: {v} in {table.where(k)} is no {'latitude' if lat_out else 'longitude'}: these "
            "look like projected coordinates; export the registry in lon/lat (WGS84) or give `crs:`"
        )
        return [(key, text)]
    return _pileup(name, *_xy(pairs), path)


def _xy(pairs: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([x for _, x, _ in pairs], dtype=float), np.array([y for _, _, y in pairs], dtype=float)


def _pileup(name: str, lon: np.ndarray, lat: np.ndarray, path: Path) -> list[Problem]:
    """More than 1,000 rows at one place, refused as the run refuses it (points_from_file)."""
    pile = one_place_problem(lon, lat, path.name)
    return (
        [(("layers", name, "path"), pile.removeprefix("refuse: "))]
        if pile and pile.startswith("refuse")
        else []
    )


def _severity_declared(name: str, spec: Any, columns: list[str], path: Path) -> list[Problem]:
    column = spec.severity_col
    if spec.role != "hazard":
        return []
    if spec.severity is None and column in columns:
        text = (
            f"{path.name} has a severity column '{column}' but the recipe does not say which end of its "
            f"scale is the most severe: add severity: {{column: {column}, order: ...}}, with {SEVERITY_HINT}"
        )
        return [(("layers", name, "severity"), text)]
    if spec.severity is not None and column not in columns:
        fix = "set `severity: {column: ...}` to the right column"
        return [(("layers", name, "severity"), missing_column(path, column, columns, fix))]
    return []


def points_problems(name: str, spec: Any, names: dict[str, str]) -> list[Problem]:
    path = local(spec.path)
    if path is None or not path.is_file():
        return []
    if path.suffix.lower() in TABULAR_SUFFIXES:
        table = rows_from_file(path, layer=name, sheet=spec.sheet, encoding=spec.encoding)
        if not table.rows and not spec.complete_for:  # as the run refuses it (points_from_file)
            text = (
                f"{path.name} holds no points (a header, no row); remove the layer if there are none "
                "(a resource registry that lists every one of a kind, and none here, says so: "
                "complete_for: [kind])"
            )
            return [(("layers", name, "path"), text)]
        problems = _registry_values(name, spec, table, names, path)
        return (
            problems
            + _severity_declared(name, spec, table.columns, path)
            + _declared(name, spec, table.columns, path)
        )
    header = vector_header(path, encoding=spec.encoding, layer=name, file_layer=spec.file_layer)
    if header is None:  # KML, GeoParquet...: no light reader; the run's says what the run will say
        told = read_problem(
            path, crs=spec.crs, layer=name, encoding=spec.encoding, file_layer=spec.file_layer
        )
        return [(("layers", name, "path"), told)] if told else []
    problems = _severity_declared(name, spec, header.columns, path) + _declared(
        name, spec, header.columns, path
    )
    if spec.kind is None and spec.kind_column not in header.columns:
        fix = "set `kind_column:` to the column of kinds, or give every row one kind with `kind:`"
        problems.append(
            (("layers", name, "kind_column"), missing_column(path, spec.kind_column, header.columns, fix))
        )
    if not header.has_crs and spec.crs is None:
        problems.append((("layers", name, "crs"), no_crs(path)))
    elif spec.crs is None and path.suffix.lower() in (".geojson", ".json"):
        problem = geojson_points_problem(path)
        problems += [(("layers", name, "path"), problem)] if problem else []
        blank = blank_features(path)  # as the run refuses them
        problems += [(("layers", name, "path"), blank_message(path, name, blank))] if blank else []
        ids = geojson_id_problem(path, spec.id_column or "id")  # as the run refuses them
        problems += [(("layers", name, "id_column"), ids)] if ids else []
    elif path.suffix.lower() == ".gpkg":  # as the run refuses them (registry_columns.registry_ids)
        ids = gpkg_id_problem(path, spec.id_column or "id", layer=name, file_layer=spec.file_layer)
        problems += [(("layers", name, "id_column"), ids)] if ids else []
    if multi := several_places(path, layer=name, file_layer=spec.file_layer):  # as the run refuses them
        problems.append((("layers", name, "path"), multi))
    if blank := blank_vector_features(
        path, layer=name, file_layer=spec.file_layer
    ):  # as the run refuses them
        problems.append((("layers", name, "path"), blank_message(path, name, blank)))
    if not problems and nonfinite_points(path, layer=name, file_layer=spec.file_layer):  # as the run says
        problems.append(
            (
                ("layers", name, "path"),
                f"{path.name} has vertices that are not finite numbers (NaN, inf): fix them",
            )
        )
    if not problems:
        xy = registry_lonlat(path, crs=spec.crs, layer=name, file_layer=spec.file_layer)
        problems += [] if xy is None else _pileup(name, *xy, path)
    return problems


def _declared(name: str, spec: Any, columns: list[str], path: Path) -> list[Problem]:
    """A declared ``id_column`` (the run made ids up without it) or ``keep_columns`` entry the file lacks."""
    problems: list[Problem] = []
    if "id_column" in spec.model_fields_set and spec.id_column not in columns:
        fix = "set `id_column:` to one of them"
        problems.append((("layers", name, "id_column"), missing_column(path, spec.id_column, columns, fix)))
    for column in [c for c in spec.keep_columns if c not in columns]:
        fix = "keep_columns lists only columns the file has"
        problems.append((("layers", name, "keep_columns"), missing_column(path, column, columns, fix)))
    return problems


def complete_for_problems(name: str, spec: Any, names: dict[str, str]) -> list[Problem]:
    """``complete_for`` entries that name no resource kind."""
    unknown = [v for v in spec.complete_for if kind_of(v, names) is None]
    if not unknown:
        return []
    text = (
        f"complete_for names {unknown}, not resource kinds: use {sorted(set(names.values()))} or their "
        "labels (消防站, 医院...), or add the kind to your copy of resource_kinds.csv (tables:)"
    )
    return [(("layers", name, "complete_for"), text)]
