"""The study area's box before any layer is loaded (a bbox, an OSM extract's header, a raster's extent),
an area GeoJSON's own size (:func:`geojson_area_km2`: a diamond covers half its box), and an area that
lies wholly outside the data the recipe gives (a bbox typed wrong, the wrong extract).
Light: ``urbanrisk validate`` calls it (no dask, geopandas or shapely)."""

from __future__ import annotations

from pathlib import Path

from pyproj import Geod

from ._errors import LayerError
from .layers.area_file import _polygon_rings, geojson_area_box
from .layers.headers import load_geojson
from .layers.osm_josm import josm_message
from .layers.raster import raster_info
from .recipe import Recipe

_GEOD = Geod(ellps="WGS84")


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
    if (said := josm_message(local)) is not None:  # before libosmium: a giant comment held it minutes
        raise LayerError(f"layer '{layer}': {said}")
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


Box = tuple[float, float, float, float]


def geojson_area_km2(path: str) -> tuple[float, float] | None:
    """An area GeoJSON's geodesic area and perimeter in km² and km (its polygons' outer rings less
    their holes; every ring's length), or None where its box is not known lightly either
    (:func:`urbanrisk.layers.area_file.geojson_area_box`: too big, unreadable, not lon/lat). Polygons
    that overlap count twice: an estimate, as the run dissolves them.

    Examples
    --------
    >>> import json, tempfile
    >>> ring = [[0.0, 0.0], [0.01, -0.01], [0.02, 0.0], [0.01, 0.01], [0.0, 0.0]]  # a diamond
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
    ...     _ = f.write(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    >>> km2, km = geojson_area_km2(f.name)
    >>> round(km2, 3), round(km, 2)  # half its 0.02° x 0.02° box (4.92 km²)
    (2.462, 6.28)
    """
    if geojson_area_box(path) is None:
        return None
    km2 = km = 0.0
    for polygon in _polygon_rings(load_geojson(path), []):
        polygons = polygon if polygon and isinstance(polygon[0][0][0], list) else [polygon]
        for rings in polygons:  # a MultiPolygon's polygons, or the Polygon itself
            for i, ring in enumerate(rings):
                lons, lats = [float(p[0]) for p in ring], [float(p[1]) for p in ring]
                area, perimeter = _GEOD.polygon_area_perimeter(lons, lats)
                km2 += abs(area) / 1e6 * (1 if i == 0 else -1)
                km += perimeter / 1e3
    return max(km2, 0.0), km


def _pieces(bounds: Box) -> list[Box]:
    """A lon/lat box as boxes that do not cross 180° (minlon > maxlon: it does)."""
    west, south, east, north = bounds
    if west <= east:
        return [bounds]
    return [(west, south, 180.0, north), (-180.0, south, east, north)]


def boxes_meet(a: Box, b: Box) -> bool:
    """Whether two lon/lat boxes share any point (either may cross 180°).

    Examples
    --------
    >>> boxes_meet((179.9, -16.6, -179.9, -16.5), (-180, -17, -179, -16))
    True
    >>> boxes_meet((117.0, 40.5, 117.02, 40.52), (116.3, 39.98, 116.35, 40.0))
    False
    """
    pairs = [(p, q) for p in _pieces(a) for q in _pieces(b)]
    return any(p[0] <= q[2] and q[0] <= p[2] and p[1] <= q[3] and q[1] <= p[3] for p, q in pairs)


def _extents(recipe: Recipe, kind: str) -> dict[str, Box | None]:
    """Each local layer of a kind (osm, raster) and the box it covers (None: not known before loading)."""
    out: dict[str, Box | None] = {}
    for name, spec in recipe.layers.items():
        path = getattr(spec, "path", None)
        if spec.type != kind or not path or "://" in path or not Path(path).is_file():
            continue
        try:
            if kind == "osm":
                out[name] = osm_header_bounds(path, layer=name)
            else:
                out[name] = raster_info(path, band=spec.band, layer=name).bounds
        except LayerError:
            out[name] = None  # told by the layer's own check
    return out


def _words(bounds: Box) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in bounds) + "]"


def outside_message(area: Box, boxes: dict[str, tuple[str, Box]], what: str) -> str | None:
    """What to say of an area that meets none of ``boxes`` (layer -> its file's name and box), or None.

    Examples
    --------
    >>> outside_message((1.0, 1.0, 2.0, 2.0), {"osm": ("a.osm", (0.0, 0.0, 3.0, 3.0))}, "OSM extract") is None
    True
    >>> outside_message((-2.0, 1.0, -1.0, 2.0), {"osm": ("a.osm", (0.0, 0.0, 3.0, 3.0))}, "OSM extract")[:64]
    'the study area [-2.0000, 1.0000, -1.0000, 2.0000] lies wholly ou'
    """
    if not boxes or any(boxes_meet(area, b) for _, b in boxes.values()):
        return None
    covers = "; ".join(f"'{n}' ({file}) covers {_words(b)}" for n, (file, b) in boxes.items())
    swapped = (area[1], area[0], area[3], area[2])
    could = all(abs(v) <= 90 for v in area[::2]) and any(boxes_meet(swapped, b) for _, b in boxes.values())
    hint = " (lon and lat look swapped)" if could else ""
    return (
        f"the study area {_words(area)} lies wholly outside every {what} of the recipe: {covers}; "
        f"nothing there could be measured: fix `area:`{hint}, or give the {what} that covers the area"
    )


def outside_problems(recipe: Recipe, area: Box | None) -> list[tuple[tuple[str, ...], str]]:
    """The study area wholly outside every OSM extract (or every raster) the recipe gives.

    Such a run went to the end with every cell empty ("no data"): a bbox typed wrong (lon and lat
    swapped, a sign lost) or the extract of another city. ``area``: the area's box (None: not known
    before loading, nothing said); an extract whose header declares no bounds is checked by the run
    against its data (:func:`urbanrisk.inputs.study_area`).
    """
    if area is None:
        return []
    problems = []
    for kind, what in (("osm", "OSM extract"), ("raster", "raster")):
        extents = _extents(recipe, kind)
        if any(b is None for b in extents.values()):
            continue
        boxes = {n: (Path(recipe.layers[n].path).name, b) for n, b in extents.items() if b is not None}
        text = outside_message(area, boxes, what)
        problems += [(("area",), text)] if text else []
    return problems
