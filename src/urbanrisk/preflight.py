"""Checks before any layer is loaded: the study area's box, the job's size, and every layer's header.

Light on purpose: ``urbanrisk validate`` calls it, and must not load dask, geopandas or shapely. Every
run calls :func:`check_layers` too (before its layers stage), so that a run reports every problem of
the layers' files at once, as ``validate`` does, instead of stopping at the first.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import h3

from . import settings
from ._errors import InputError, LayerError, LayerProblemsError, RecipeError
from .jobsize import bbox_km2, check_job, local_terms
from .layers.area_file import geojson_area_problems, geojson_points_problem
from .layers.headers import vector_header
from .layers.osm_ends import osm_cut_short
from .layers.raster import raster_info
from .layers.severity import severity_problem, to_internal
from .layers.tables import check_side_file, kind_of, registry_kind_names
from .layers.tabular import LAT_NAMES, LON_NAMES, TABULAR_SUFFIXES, Rows, guess_column, rows_from_file
from .recipe import Recipe, load_recipe
from .recipe.messages import format_problem, line_index
from .recipe.schema import SEVERITY_HINT
from .standards import standards_for


def area_bounds_hint(recipe: Recipe) -> tuple[float, float, float, float] | None:
    """The study area's box without loading layers (a bbox, an OSM header, a raster's extent), or None."""
    spec = recipe.area
    if spec.bbox is not None:
        return tuple(spec.bbox)
    layer = recipe.layers.get(spec.layer) if spec.layer else None
    if layer is not None and layer.type == "osm":
        return osm_header_bounds(layer.path, layer=spec.layer)
    if layer is not None and layer.type == "raster":
        return raster_info(layer.path, band=layer.band, layer=spec.layer).bounds
    return None


def osm_header_bounds(path: str, *, layer: str) -> tuple[float, float, float, float] | None:
    """An OSM extract's header box, or None (a URL is read by the run); unreadable files are a LayerError."""
    if "://" in path:
        return None
    local = Path(path)
    if not local.is_file():
        msg = f"layer '{layer}': {path} is not a file (a folder?): give an .osm or .osm.pbf extract"
        raise LayerError(msg)
    if not local.name.lower().endswith((".osm", ".osm.bz2", ".osm.gz", ".pbf")):
        msg = f"layer '{layer}': {path} is not an OSM extract: give an .osm, .osm.bz2 or .osm.pbf file"
        raise LayerError(msg)
    import osmium  # only when a layer is an OSM extract

    try:
        box_ = osmium.io.Reader(path, osmium.osm.osm_entity_bits.NOTHING).header().box()
    except (RuntimeError, ValueError, OSError, osmium.InvalidLocationError) as exc:
        msg = (
            f"layer '{layer}': cannot read {path} as an OSM extract ({exc}); is it complete (not an "
            "HTML error page, not cut short)? re-export or re-download the extract"
        )
        raise LayerError(msg) from exc
    if not box_.valid():
        return None
    return (box_.bottom_left.lon, box_.bottom_left.lat, box_.top_right.lon, box_.top_right.lat)


def _url_problem(name: str, path: str) -> list[Problem]:
    """A layer URL whose scheme no installed file system knows."""
    if "://" not in path:
        return []
    import fsspec  # light; only for recipes with URLs

    scheme = path.split("://", 1)[0].lower()
    if scheme in fsspec.available_protocols() or scheme == "file":
        return []
    known = "file, https, s3, gcs, memory, ..."
    message = f"unknown URL scheme '{scheme}://' in {path}: use a local path or {known}"
    return [(("layers", name, "path"), message)]


def estimate_cells(recipe: Recipe) -> int | None:
    """The recipe's estimated number of H3 cells, or None when its area is only known after loading.

    Raises
    ------
    GridError
        When the job is absurd (see :func:`urbanrisk.jobsize.check_job`) and not forced.
    """
    bounds = area_bounds_hint(recipe)
    if bounds is None:
        return None
    resolution = recipe.grid.resolution
    return check_job(
        bbox_km2(bounds), resolution, force=recipe.grid.force, terms=local_terms(bounds, resolution)
    )


# --- layer headers: every problem of every layer at once, before anything is loaded -----------------

Problem = tuple[tuple[str, ...], str]  # (recipe key path, message with the fix)


def _local(path: str) -> Path | None:
    return None if "://" in path else Path(path)


def _missing_column(path: Path, column: str, columns: list[str], fix: str) -> str:
    return f"{path.name} has no column '{column}' (its columns: {columns}); {fix}"


def _registry_values(name: str, spec: Any, table: Rows, names: dict[str, str], path: Path) -> list[Problem]:
    """Kinds, severities and coordinates of a CSV / Excel registry."""
    problems: list[Problem] = []
    key = ("layers", name)
    columns = table.columns
    for axis, names_ in (("lon", LON_NAMES), ("lat", LAT_NAMES)):
        col = getattr(spec, axis) or guess_column(columns, names_)
        if col is None or col not in columns:
            fix = f"set `{axis}:` to the column holding the {'longitude' if axis == 'lon' else 'latitude'}"
            problems.append(((*key, axis), _missing_column(path, col or axis, columns, fix)))
    problems += _coordinate_problems(name, spec, table, path)
    if spec.kind is None and spec.kind_column not in columns:
        fix = "set `kind_column:` to the column of kinds, or give every row one kind with `kind:`"
        problems.append(((*key, "kind_column"), _missing_column(path, spec.kind_column, columns, fix)))
    elif spec.kind is None:
        j = columns.index(spec.kind_column)
        unknown = [(i, r[j]) for i, r in enumerate(table.rows) if kind_of(r[j], names) is None]
        if unknown:
            listed = ", ".join(f"'{v}' in {table.where(i)}" for i, v in unknown[:5])
            fix = f"use a known kind or label, or add it to your copy of {spec.role}_kinds.csv (tables:)"
            problems.append(
                ((*key, "kind_column"), f"{path.name}: unknown {spec.role} kind(s) {listed}; {fix}")
            )
    elif kind_of(spec.kind, names) is None:
        problems.append(
            ((*key, "kind"), f"unknown {spec.role} kind '{spec.kind}': use a known kind or label")
        )
    column = spec.severity_col
    if spec.role == "hazard" and spec.severity is not None and column in columns:
        j, order = columns.index(column), spec.severity.order
        bad = [i for i, r in enumerate(table.rows) if to_internal(r[j], order) is None]
        listed = "; ".join(f"{table.where(i)}: {severity_problem(table.rows[i][j], order)}" for i in bad[:5])
        if bad:
            problems.append(((*key, "severity"), f"{path.name}, column '{column}': {listed}"))
    if spec.role == "resource" and spec.capacity_column in columns:  # as the run refuses them
        j = columns.index(spec.capacity_column)
        values = [(i, r[j], _number(r[j])) for i, r in enumerate(table.rows) if r[j].strip()]
        bad = [i for i, _, v in values if v is None or v < 0]  # empty: capacity unknown
        listed = ", ".join(f"'{table.rows[i][j]}' in {table.where(i)}" for i in bad[:5])
        if bad:
            text = f"{path.name}, column '{spec.capacity_column}': capacity {listed} is not a number >= 0"
            problems.append(((*key, "capacity_column"), text + ": write it or leave the cell empty"))
    return problems


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _coordinate_problems(name: str, spec: Any, table: Rows, path: Path) -> list[Problem]:
    """Non-numeric lon/lat, and lon/lat out of range (swapped columns, projected metres), as the run
    would refuse them (:func:`urbanrisk.layers.points.check_lonlat`); nothing when a ``crs`` is given."""
    columns = table.columns
    lon = spec.lon or guess_column(columns, LON_NAMES)
    lat = spec.lat or guess_column(columns, LAT_NAMES)
    if spec.crs is not None or lon not in columns or lat not in columns:
        return []
    i, j = columns.index(lon), columns.index(lat)
    pairs = [(k, _number(r[i]), _number(r[j])) for k, r in enumerate(table.rows)]
    key = ("layers", name, "lat")
    bad = [k for k, x, y in pairs if x is None or y is None]
    if bad:
        where = ", ".join(table.where(k) for k in bad[:5])
        return [
            (key, f"{path.name}: non-numeric or empty '{lon}' / '{lat}' in {where}: fix or remove those rows")
        ]
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
    return []


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
        return [(("layers", name, "severity"), _missing_column(path, column, columns, fix))]
    return []


def _points_problems(name: str, spec: Any, names: dict[str, str]) -> list[Problem]:
    path = _local(spec.path)
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
        return problems + _severity_declared(name, spec, table.columns, path)
    header = vector_header(path, encoding=spec.encoding, layer=name)
    if header is None:
        return []
    problems = _severity_declared(name, spec, header.columns, path)
    if spec.kind is None and spec.kind_column not in header.columns:
        fix = "set `kind_column:` to the column of kinds, or give every row one kind with `kind:`"
        problems.append(
            (("layers", name, "kind_column"), _missing_column(path, spec.kind_column, header.columns, fix))
        )
    if not header.has_crs and spec.crs is None:
        problems.append((("layers", name, "crs"), _no_crs(path)))
    elif spec.crs is None and path.suffix.lower() in (".geojson", ".json"):
        problem = geojson_points_problem(path)
        problems += [(("layers", name, "path"), problem)] if problem else []
    return problems


def _complete_for_problems(name: str, spec: Any, names: dict[str, str]) -> list[Problem]:
    """``complete_for`` entries that name no resource kind."""
    unknown = [v for v in spec.complete_for if kind_of(v, names) is None]
    if not unknown:
        return []
    text = (
        f"complete_for names {unknown}, not resource kinds: use {sorted(set(names.values()))} or their "
        "labels (消防站, 医院...), or add the kind to your copy of resource_kinds.csv (tables:)"
    )
    return [(("layers", name, "complete_for"), text)]


def _no_crs(path: Path) -> str:
    return (
        f"{path.name} declares no coordinate reference system (no .prj): say which with `crs:` (e.g. "
        "EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 for CGCS2000 Gauss-Kruger CM 114E)"
    )


def _polygons_problems(name: str, spec: Any) -> list[Problem]:
    path = _local(spec.path)
    if path is None or not path.is_file():
        return []
    header = vector_header(path, encoding=spec.encoding, layer=name)
    if header is None:
        return []
    problems: list[Problem] = []
    for key in ("id_column", "name_column"):
        column = getattr(spec, key)
        if column not in header.columns and (key == "id_column" or column != "name"):
            fix = f"set `{key}:` to one of them"
            problems.append((("layers", name, key), _missing_column(path, column, header.columns, fix)))
    if not header.has_crs and spec.crs is None:
        problems.append((("layers", name, "crs"), _no_crs(path)))
    return problems


def _raster_problems(name: str, spec: Any, recipe: Recipe) -> list[Problem]:
    """A raster that cannot be read, or whose pixels one partition of the grid could not hold in memory."""
    info = raster_info(spec.path, band=spec.band, layer=name)
    grid = recipe.grid
    parent = grid.partition_resolution
    parent = max(0, grid.resolution - settings.partition_offset) if parent is None else parent
    lat = math.radians(min(abs(info.bounds[1]), abs(info.bounds[3]), 89.0))
    km2_per_pixel = info.pixel_size[0] * info.pixel_size[1] * 111.32**2 * max(math.cos(lat), 1e-6)
    pixels = h3.average_hexagon_area(parent, unit="km^2") / km2_per_pixel if km2_per_pixel > 0 else 0
    if info.pixel_size[0] < 0.01 and pixels > settings.max_window_pixels:  # lon/lat pixels (warped later)
        message = (
            f"{spec.path}: one grid partition (H3 resolution {parent}) covers about {pixels:,.0f} of its "
            f"pixels, more than {settings.max_window_pixels:,}: use a coarser raster (gdalwarp -tr ... -r "
            "sum) or a finer grid.partition_resolution"
        )
        return [(("layers", name, "path"), message)]
    return []


def layer_problems(recipe: Recipe) -> list[Problem]:
    """Every problem the layers' headers show (columns, encoding, kinds, severities, CRS), at once.

    Reads CSV / Excel registries (small) whole, and only the header of Shapefiles (.dbf, .prj, .cpg),
    GeoPackages and GeoJSON; URLs are checked when the run reads them.
    """
    tables = recipe.tables
    names = registry_kind_names(tables.hazard_kinds, tables.resource_kinds, tables.kind_aliases)
    problems: list[Problem] = []
    for name, spec in recipe.layers.items():
        try:
            path = getattr(spec, "path", None)
            if path is not None and _url_problem(name, path):
                problems += _url_problem(name, path)
                continue
            if spec.type == "osm":
                osm_header_bounds(path, layer=name)
                cut = None if "://" in path else osm_cut_short(path)
                if cut:
                    problems.append((("layers", name, "path"), f"{cut}: download or export it again"))
            elif spec.type == "raster" and path is not None and "://" not in path:
                problems += _raster_problems(name, spec, recipe)
            elif spec.type == "points":
                problems += _complete_for_problems(name, spec, names["resource"])
                problems += _points_problems(name, spec, names[spec.role])
            elif spec.type == "polygons":
                problems += _polygons_problems(name, spec)
        except LayerError as exc:
            problems.append((("layers", name, "path"), str(exc).removeprefix(f"layer '{name}': ")))
    return problems


def side_file_problems(recipe: Recipe) -> list[Problem]:
    """Tables and the area file: regular files of a sane size (a device or a folder is refused)."""
    problems: list[Problem] = []
    files = [(("tables", k), v) for k, v in recipe.tables.model_dump().items() if v]
    if recipe.area.path:
        files.append((("area", "path"), recipe.area.path))
    for key, path in files:
        if "://" in path:
            continue
        try:
            check_side_file(path, key[0])
        except LayerError as exc:
            problems.append((key, str(exc)))
            continue
        if key == ("area", "path") and path.lower().endswith((".geojson", ".json")):
            problems += _geojson_area_parts(path) or [(key, m) for m in geojson_area_problems(path)]
    return problems


def _geojson_area_parts(path: str) -> list[Problem]:
    """An area GeoJSON with more polygons than a study area may have (counted without parsing it)."""
    parts = len(re.findall(rb"\[\s*\[\s*\[", Path(path).read_bytes()))
    if parts <= settings.max_area_parts:
        return []
    message = (
        f"area: {path} holds about {parts:,} polygons, more than {settings.max_area_parts:,}: dissolve or "
        "simplify it (e.g. ogr2ogr -simplify 0.0001), or use its bounding box as area: {bbox: [...]}"
    )
    return [(("area", "path"), message)]


def _missing_files(recipe: Recipe) -> list[Problem]:
    """Local layer files that do not exist (the recipe's own check, :func:`load_recipe`, names them too)."""
    problems: list[Problem] = []
    for name, spec in recipe.layers.items():
        path = getattr(spec, "path", None)
        local = _local(path) if path else None
        if local is not None and not local.is_file():  # a folder, device or FIFO: no reader may wait on it
            why = "file not found" if not local.exists() else "not a regular file (a folder, pipe, device?)"
            problems.append((("layers", name, "path"), f"{why}: {local} — fix the path"))
    return problems


def _standards_problems(recipe: Recipe) -> list[Problem]:
    """The coverage preset and overrides as the run reads them (``coverage.overrides.fire2`` passed
    validate and stopped the run)."""
    spec = recipe.coverage
    try:
        standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)
    except (InputError, LayerError) as exc:
        key = "standards" if "preset" in str(exc).split(":")[0] else "overrides"
        return [(("coverage", key), str(exc).removeprefix("coverage.overrides "))]
    return []


def check_layers(recipe: Recipe, *, earlier: list[str] | None = None) -> None:
    """Raise one error listing every :func:`layer_problems`, each with its recipe key and line.

    ``urbanrisk validate`` and every run (before loading: :func:`urbanrisk.pipeline.prepare_run`) call it,
    so both report every problem of the layers' files at once, in one format. ``earlier``: problems
    already found in the recipe (formatted), listed first; a key they name is not checked again.

    Raises
    ------
    LayerProblemsError
        A :class:`~urbanrisk._errors.RecipeError` (and a LayerError) listing the side files' and the
        layers' problems.
    """
    missing = _missing_files(recipe)
    gone = {key[:2] for key, _ in missing}  # a missing file's layer: no other check of it
    problems = missing + [
        p for p in side_file_problems(recipe) + layer_problems(recipe) if p[0][:2] not in gone
    ]
    if ("tables", "standards") not in gone:
        problems += _standards_problems(recipe)
    earlier = earlier or []
    problems = [(k, m) for k, m in problems if not any(f": {'.'.join(k)}: " in e for e in earlier)]
    if not problems and not earlier:
        return
    source = recipe.source_path or "<recipe>"
    lines: dict[tuple[Any, ...], int] = {}
    if recipe.source_path and Path(recipe.source_path).is_file():
        text = Path(recipe.source_path).read_text(encoding="utf-8-sig", errors="replace")
        lines = line_index(text, source)
    located = sorted(
        ((lines.get(key) or lines.get(key[:2]) or 0, key, message) for key, message in problems),
        key=lambda item: item[0],
    )
    formatted = earlier + [format_problem(source, line or None, key, text) for line, key, text in located]
    where = "the recipe and its layers' files" if earlier else "the layers' files"
    head = f"{source}: {len(formatted)} problem(s) in {where}"
    raise LayerProblemsError(head + "\n" + "\n".join(f"  {p}" for p in formatted), formatted)


def load_checked(path: str | Path) -> Recipe:
    """:func:`load_recipe`; when the recipe is refused only for its files (a missing one...), the
    problems of its other layers' files are listed with them, in one error (as a run would find them).

    Raises
    ------
    RecipeError
        The recipe's problems, and the layers' (:class:`LayerProblemsError`) when it could be read.
    """
    try:
        return load_recipe(path)
    except RecipeError as exc:
        if not isinstance(exc.recipe, Recipe):
            raise
        check_layers(exc.recipe, earlier=exc.problems)
        raise  # not reached: check_layers raises with the earlier problems
