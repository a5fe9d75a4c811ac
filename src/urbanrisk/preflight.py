"""Checks before any layer is loaded: the study area's box, the job's size, and every layer's header.

Light on purpose: ``urbanrisk validate`` calls it, and must not load dask, geopandas or shapely. Every
run calls :func:`check_layers` too (before its layers stage), so that a run reports every problem of
the layers' files at once, as ``validate`` does, instead of stopping at the first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h3

from . import settings
from ._errors import GridError, InputError, LayerError, LayerProblemsError, RecipeError
from .jobsize import bbox_km2, check_job, local_terms
from .layers.area_file import area_without_crs, geojson_area_box, geojson_area_problems
from .layers.area_geometry import declared_non_polygons
from .layers.area_rings import vector_area_ring_problems
from .layers.headers import vector_header
from .layers.osm_ends import osm_cut_short
from .layers.raster import bad_counts_problem, has_valid_pixel, raster_info
from .layers.raster_density import density_problems
from .layers.tables import check_side_file, registry_kind_names
from .preflight_area import area_bounds_hint, geojson_area_km2, osm_header_bounds, outside_problems
from .preflight_base import Problem, crs_problem, local
from .preflight_census import census_problems
from .preflight_crs import mislabelled_crs_problems
from .preflight_footprint import footprint_job_cells
from .preflight_numbers import limit_problems, table_problems
from .preflight_points import complete_for_problems, points_problems
from .preflight_units import polygons_problems, unit_id_problems
from .recipe import Recipe, load_recipe
from .recipe.load import merged_line
from .recipe.messages import format_problem, line_index
from .standards import standards_for

__all__ = [
    "area_bounds_hint",
    "check_layers",
    "estimate_cells",
    "layer_problems",
    "load_checked",
    "sized_job",
]


def _url_problem(name: str, path: str) -> list[Problem]:
    """A layer URL whose scheme no installed file system knows."""
    if "://" not in path:
        return []
    import fsspec  # light; only for recipes with URLs

    scheme = path.split("://", 1)[0].lower()
    if scheme == "file":
        return []
    if scheme in fsspec.available_protocols():
        try:  # http:// without aiohttp: validate said ok, the run could not read it
            fsspec.get_filesystem_class(scheme)
        except ImportError as exc:
            message = f"the {scheme}:// filesystem needs a package that is not installed ({exc}): install it"
            return [(("layers", name, "path"), message)]
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
    bounds = _area_box(recipe)  # an area GeoJSON's box too (it was None: no estimate, no size check)
    if bounds is None:
        return None
    resolution = recipe.grid.resolution
    km2, terms = bbox_km2(bounds), local_terms(bounds, resolution)
    path = recipe.area.path  # a GeoJSON's own area, not its box's (a diamond: half of it)
    geojson = path and "://" not in path and path.lower().endswith((".geojson", ".json"))
    shape = geojson_area_km2(path) if geojson else None
    if shape is not None:  # the boundary band: the polygon's own perimeter (none beyond 10°)
        km2, terms = shape[0], ((shape[1], terms[1]) if terms[0] else terms)
    return check_job(km2, resolution, force=recipe.grid.force, terms=terms)


def sized_job(recipe: Recipe) -> tuple[int | None, bool]:
    """``(cells, from_box)``: :func:`estimate_cells`, and whether the count is an OSM extract's header
    box (``area: {layer: osm}``), an upper bound of the footprint the run grids. A job the box refuses
    is sized on that footprint as the run sizes it (:mod:`urbanrisk.preflight_footprint`): validate
    refused jobs the run completes.

    Raises
    ------
    GridError
        When the run would refuse the job too.
    """
    area = recipe.area
    layer = recipe.layers.get(area.layer or "")
    from_box = area.bbox is None and not area.path and getattr(layer, "type", "") == "osm"
    try:
        return estimate_cells(recipe), from_box
    except GridError:
        cells = footprint_job_cells(recipe) if from_box and not recipe.grid.force else None
        if cells is None:
            raise
        return cells, False


# --- layer headers: every problem of every layer at once, before anything is loaded -----------------


def _raster_problems(name: str, spec: Any, recipe: Recipe) -> list[Problem]:
    """A raster that cannot be read, or whose pixels one partition of the grid could not hold in memory."""
    info = raster_info(spec.path, band=spec.band, layer=name, band_named="band" in spec.model_fields_set)
    valid = has_valid_pixel(spec.path, spec.band)
    if valid and has_valid_pixel(spec.path, spec.band, counts_only=True) is False:  # stops at a count
        message = (
            f"{spec.path}: every pixel of band {spec.band} that holds a value is negative: no population "
            "could be read from it (a negative pixel is not measured); give the raster of people per pixel"
        )
        return [(("layers", name, "path"), message)]
    refused = bad_counts_problem(spec.path, spec.band) if valid else None  # -99999 undeclared, inf
    refused = refused or (density_problems(spec.path, spec.band)[0] if valid else None)  # 3e38 in a pixel
    if refused:
        return [(("layers", name, "path"), refused)]
    if valid is False:
        nodata = f" ({info.nodata:g})" if info.nodata is not None else ""
        message = (
            f"{spec.path}: every pixel of band {spec.band} is nodata{nodata}: no population could be read "
            "from it (the wrong band or file, an export that failed?); give the raster that holds the values"
        )
        return [(("layers", name, "path"), message)]
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


def raster_density_notes(recipe: Recipe) -> list[str]:
    """The run's note on each population raster with places denser than the world's most crowded
    districts (:func:`urbanrisk.layers.raster_density.density_problems`; said, not refused)."""
    rasters = [spec for spec in recipe.layers.values() if spec.type == "raster" and "://" not in spec.path]
    return [note for spec in rasters if (note := density_problems(spec.path, spec.band)[1])]


def layer_problems(recipe: Recipe) -> list[Problem]:
    """Every problem the layers' headers show (columns, encoding, kinds, severities, CRS, one id naming
    two units), at once.

    Reads CSV / Excel registries (small) whole, and only the header of Shapefiles (.dbf, .prj, .cpg),
    GeoPackages and GeoJSON; URLs are checked when the run reads them.
    """
    tables = recipe.tables
    problems: list[Problem] = []
    try:
        names = registry_kind_names(tables.hazard_kinds, tables.resource_kinds, tables.kind_aliases)
    except LayerError as exc:  # a kinds table the run cannot read: no registry's kinds can be checked
        names = None
        told = str(exc).startswith("tables.")  # its numbers: told by table_problems
        problems += [] if told else [(("tables", "hazard_kinds"), str(exc))]
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
                    problems.append((("layers", name, "path"), cut))
            elif spec.type == "raster" and path is not None and "://" not in path:
                problems += _raster_problems(name, spec, recipe)
            elif spec.type == "points" and names is not None:
                problems += complete_for_problems(name, spec, names["resource"])
                problems += points_problems(name, spec, names[spec.role])
            elif spec.type == "polygons":
                problems += polygons_problems(name, spec)
            elif spec.type == "population_table":
                problems += census_problems(name, spec, recipe)
            crs = crs_problem(name, getattr(spec, "crs", None))
            if crs:  # the file's reading would use it: told once, with the fix
                problems = [p for p in problems if p[0][:2] != ("layers", name)] + crs
                continue
        except LayerError as exc:
            problems.append((("layers", name, "path"), str(exc).removeprefix(f"layer '{name}': ")))
    return problems + unit_id_problems(recipe)


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
        elif key == ("area", "path"):
            problems += [(key, m) for m in _vector_area_problems(path)]
    return problems


def _vector_area_problems(path: str) -> list[str]:
    """A boundary Shapefile or GeoPackage the run refuses, told as it does: several layers, unreadable,
    no .dbf, a Shapefile without .prj, points or lines only (read lightly: its header)."""
    try:
        header = vector_header(path, layer="area")
    except LayerError as exc:
        return [str(exc)]
    shapefile = path.lower().endswith((".shp", ".dbf"))  # (a GeoPackage's srs_id 0: GDAL reads it as lon/lat)
    if shapefile and header is not None and not header.has_crs:
        return [area_without_crs(path)]
    kind = declared_non_polygons(path)  # points only: the run said "holds no polygon", validate ok
    if kind:
        return [f"area: {path} holds no polygon (only {kind}): give the study area's boundary as polygons"]
    return vector_area_ring_problems(path)  # GEOMETRY holding points, open rings, a cancelling hole...


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
        file = local(path) if path else None
        try:
            regular = file is None or file.is_file()
        except OSError:  # a name too long: the recipe's own check says so
            continue
        if not regular:  # a folder, device or FIFO: no reader may wait on it
            why = "file not found" if not file.exists() else "not a regular file (a folder, pipe, device?)"
            problems.append((("layers", name, "path"), f"{why}: {file} — fix the path"))
    return problems


def _area_box(recipe: Recipe) -> tuple[float, float, float, float] | None:
    """The study area's box as known before loading (a bbox, a layer's header, an area GeoJSON), or None."""
    path = recipe.area.path
    if path and "://" not in path and path.lower().endswith((".geojson", ".json")):
        return geojson_area_box(path)
    try:
        return area_bounds_hint(recipe)
    except LayerError:
        return None  # told by the layer's own check


def _standards_problems(recipe: Recipe) -> list[Problem]:
    """The coverage preset and overrides as the run reads them (``coverage.overrides.fire2`` passed
    validate and stopped the run)."""
    spec = recipe.coverage
    try:
        standards = standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)
    except (InputError, LayerError) as exc:
        if str(exc).startswith("tables."):
            return []  # the table's numbers: told by table_problems
        key = "standards" if "preset" in str(exc).split(":")[0] else "overrides"
        return [(("coverage", key), str(exc).removeprefix("coverage.overrides "))]
    return limit_problems(standards, spec.override_dict())


def check_layers(
    recipe: Recipe,
    *,
    earlier: list[str] | None = None,
    deeper: Callable[[Recipe, set[tuple[str, ...]]], list[Problem]] | None = None,
) -> None:
    """Raise one error listing every :func:`layer_problems`, each with its recipe key and line.

    ``urbanrisk validate`` and every run (before loading: :func:`urbanrisk.pipeline.prepare_run`) call it,
    so both report every problem of the layers' files at once, in one format. ``earlier``: problems
    already found in the recipe (formatted), listed first; a key they name is not checked again.
    ``deeper``: more checks (validate's pass over an OSM file), given the layers with a problem already.

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
    problems += [p for p in table_problems(recipe) if p[0][:2] not in gone]
    problems += deeper(recipe, {p[0][:2] for p in problems}) if deeper is not None else []
    box = _area_box(recipe)
    problems += outside_problems(recipe, box)  # is the area anywhere near the data?
    problems += [p for p in mislabelled_crs_problems(recipe, box) if p[0][:2] not in gone]  # 3857 on lon/lat
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
        (
            (lines.get(key) or merged_line(lines, key) or lines.get(key[:2]) or 0, key, message)
            for key, message in problems
        ),
        key=lambda item: item[0],
    )
    formatted = earlier + [format_problem(source, line or None, key, text) for line, key, text in located]
    where = "the recipe and its layers' files" if earlier else "the layers' files"
    head = f"{source}: {len(formatted)} problem(s) in {where}"
    raise LayerProblemsError(head + "\n" + "\n".join(f"  {p}" for p in formatted), formatted)


def load_checked(
    path: str | Path, *, deeper: Callable[[Recipe, set[tuple[str, ...]]], list[Problem]] | None = None
) -> Recipe:
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
        check_layers(exc.recipe, earlier=exc.problems, deeper=deeper)
        raise  # not reached: check_layers raises with the earlier problems
