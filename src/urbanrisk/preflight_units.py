"""Preflight of polygons layers (community units): the id and name columns, the CRS, and one id naming
units of different names (the run refuses it: one unit would silently swallow the other). Light:
``urbanrisk validate`` calls it (no dask, geopandas or shapely)."""

from __future__ import annotations

import re
from typing import Any

from ._errors import LayerError
from .layers.area_file import geojson_points_problem
from .layers.area_geometry import declared_non_polygons
from .layers.attributes import attribute_rows, id_clash
from .layers.headers import vector_header
from .layers.unit_levels import level_rows, level_value_problem, several_levels
from .layers.unit_read import units_read_problem
from .preflight_base import Problem, local, missing_column, no_crs
from .recipe import Recipe

#: a GeoJSON geometry that holds a polygon (a file without one: the run refuses it, "holds no polygons")
_POLYGON = re.compile(rb'"type"\s*:\s*"(Multi)?Polygon"')


def polygons_problems(name: str, spec: Any) -> list[Problem]:
    path = local(spec.path)
    if path is None or not path.is_file():
        return []
    header = vector_header(path, encoding=spec.encoding, layer=name, file_layer=spec.file_layer)
    if header is None:  # KML, GeoParquet...: no light reader; the run's says what the run will say
        keys = ("id_column", "name_column", "crs", "coords", "encoding", "file_layer", "level_column")
        options = {k: getattr(spec, k) for k in (*keys, "level_values")}
        told = units_read_problem(path, layer=name, options=options)
        return [(("layers", name, "path"), told)] if told else []
    problems: list[Problem] = []
    for key in ("id_column", "name_column"):
        column = getattr(spec, key)
        if column not in header.columns and (key == "id_column" or column != "name"):
            fix = f"set `{key}:` to one of them"
            problems.append((("layers", name, key), missing_column(path, column, header.columns, fix)))
    column = getattr(spec, "level_column", None)
    if column is not None:  # the layer takes one level of the file: a column and values it holds
        problems += _level_problems(name, spec, path, header.columns)
    elif spec.id_column in header.columns and (
        levels := several_levels(
            path,
            header.columns,
            spec.id_column,
            layer=name,
            level=getattr(spec, "level", None),  # a census table's own units file has none
            encoding=spec.encoding,
            file_layer=spec.file_layer,
        )
    ):  # 区, 街道 and 社区 in one file: every level's register would hold them all
        problems.append((("layers", name, "path"), levels))
    kind = declared_non_polygons(
        str(path), layer=name, file_layer=spec.file_layer
    )  # was told by the run only
    if kind or (path.suffix.lower() in (".geojson", ".json") and not _POLYGON.search(path.read_bytes())):
        what = f" (only {kind})" if kind else ""
        fix = "give the units' boundaries as polygons"
        problems.append((("layers", name, "path"), f"{path} holds no polygons{what}: {fix}"))
    if not header.has_crs and spec.crs is None:
        problems.append((("layers", name, "crs"), no_crs(path)))
    elif spec.crs is None and path.suffix.lower() in (".geojson", ".json"):  # NaN, metres, swapped
        problem = geojson_points_problem(path)
        problems += [(("layers", name, "path"), problem)] if problem else []
    return problems


def _level_problems(name: str, spec: Any, path: Any, columns: list[str]) -> list[Problem]:
    """A ``level_column`` the file lacks, or a ``level_value`` its column does not hold (as the run
    refuses them: :func:`urbanrisk.layers.polygons.polygons_from_file`)."""
    column = spec.level_column
    if column not in columns:
        fix = "set `level_column:` to one of them"
        return [(("layers", name, "level_column"), missing_column(path, column, columns, fix))]
    read = {"encoding": spec.encoding, "layer": name, "file_layer": spec.file_layer}
    rows = attribute_rows(path, (column,), **read)
    problem = (
        None
        if rows is None
        else level_value_problem([r[0] for r in rows], spec.level_values, column, path.name)
    )
    return [(("layers", name, "level_value"), problem)] if problem else []


def unit_id_problems(recipe: Recipe) -> list[Problem]:
    """One id naming units of different names, in a polygons layer or across the layers of one level,
    as the run refuses it (:func:`urbanrisk.inputs.load_layers`); files whose header has problems (no
    id column...) are told by :func:`polygons_problems` and not read here."""
    problems: list[Problem] = []
    by_level: dict[str | None, list[tuple[str, str]]] = {}
    for name, spec in recipe.layers.items():
        path = local(spec.path) if spec.type == "polygons" else None
        if path is None or not path.is_file():
            continue
        try:
            header = vector_header(path, encoding=spec.encoding, layer=name, file_layer=spec.file_layer)
            if header is None or spec.id_column not in header.columns:
                continue
            rows = level_rows(path, spec.id_column, spec.name_column, spec, layer=name)  # its level's
        except LayerError:
            continue  # the header check tells it
        level = getattr(spec, "level", None)
        clash = None if rows is None else id_clash(by_level.get(level, []) + rows)
        if clash is None:
            by_level.setdefault(level, []).extend(rows or [])
            continue
        ident, names = clash
        message = (
            f"{spec.path}: id '{ident}' names several units ({'、'.join(names[:3])}) at level "
            f"{level or 'community'}: give each unit its own id (id_column: {spec.id_column}), or the same "
            "name where the features are parts of one unit"
        )
        problems.append((("layers", name, "id_column"), message))
    return problems


def registry_unit_warnings(recipe: Recipe) -> list[str]:
    """What the run notes of registries whose own 街道 / 社区 column names another unit than the one the
    point lies in (:mod:`urbanrisk.layers.registry_units`): read as the run reads them, only where a
    registry has such a column and the recipe that level's units (else nothing heavy is imported)."""
    from .layers.registry_units import written_unit_columns
    from .layers.tabular import TABULAR_SUFFIXES, rows_from_file

    polygons = [s for s in recipe.layers.values() if s.type == "polygons"]
    levels = {s.level for s in polygons if getattr(s, "level", None)}
    if any(not getattr(s, "level", None) for s in polygons):  # told by its names, or the check skipped
        levels |= {"street", "community"}
    registries = []
    for name, spec in recipe.layers.items():
        path = local(spec.path) if spec.type == "points" else None
        if path is None or not path.is_file() or not levels:
            continue
        try:
            if path.suffix.lower() in TABULAR_SUFFIXES:
                columns = rows_from_file(path, layer=name, sheet=spec.sheet, encoding=spec.encoding).columns
            else:
                header = vector_header(path, encoding=spec.encoding, layer=name, file_layer=spec.file_layer)
                columns = header.columns if header is not None else []
        except LayerError:
            continue  # told by the layer's own check
        if levels & set(written_unit_columns(columns)):
            registries.append((name, spec))
    return _registry_unit_notes(recipe, registries) if registries else []


def _registry_unit_notes(recipe: Recipe, registries: list[tuple[str, Any]]) -> list[str]:
    from .layers.points import points_from_file
    from .layers.polygons import polygons_from_file
    from .layers.registry_units import registry_unit_notes
    from .layers.tables import hazard_kind_table, registry_kind_names

    tables = recipe.tables
    kinds = registry_kind_names(tables.hazard_kinds, tables.resource_kinds, tables.kind_aliases)
    try:
        units = []
        for name, spec in recipe.layers.items():
            if spec.type == "polygons":  # without `level:`: as its names tell (registry_units.unit_level)
                frame = polygons_from_file(
                    spec.path, layer=name, id_column=spec.id_column, name_column=spec.name_column,
                    crs=spec.crs, coords=spec.coords, encoding=spec.encoding, file_layer=spec.file_layer,
                    level_column=spec.level_column, level_values=spec.level_values,
                )  # fmt: skip
                units.append(frame.assign(level=getattr(spec, "level", None)))
        written = []
        for name, spec in registries:
            options = spec.model_dump(
                exclude={"type", "path", "severity", "severity_column", "complete_for", "id_column"}
            )
            frame = points_from_file(
                spec.path,
                layer=name,
                severity_column=spec.severity_col,
                severity_order=spec.severity.order if spec.severity else None,
                default_severity=hazard_kind_table(tables.hazard_kinds)["default_severity"].to_dict(),
                kinds=kinds[spec.role],
                allow_empty=True,
                **options,
            )
            written.append(frame.attrs.get("written_units"))
    except (LayerError, ValueError, OSError):
        return []  # told by the layers' own checks
    return registry_unit_notes(written, units)
