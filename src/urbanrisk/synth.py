"""A synthetic metropolis for scale tests: a real extract tiled N x N, with a connected street network;
and a population raster tiled the same way (:func:`synth_raster`).

The extract's declared bounds are the tile. Tiles alternate mirror images of it (odd columns
mirrored east-west, odd rows north-south), so that a street cut at a tile border meets its own
mirror image exactly there: border points get one shared node, and the street network stays
connected across the whole metropolis. Kept per tile: tagged nodes inside the bounds, closed ways
(buildings, land use, POI areas) wholly inside, and streets clipped to the bounds. Node and way ids
are made unique per tile (``tile * 10**10 + id``); relations are left out. Tiled data keep the
source's licence (OSM: ODbL, © OpenStreetMap contributors).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import osmium
import shapely
import yaml
from shapely.geometry import LineString, box

from ._errors import InputError

ID_STRIDE = 10**10
PIECE_OFFSET = 6 * 10**9  # street pieces get ids above any OSM way id of the source, within a tile's stride
BORDER_ID_BASE = 9 * 10**15
MAX_SYNTH_PIXELS = 400_000_000  # 1.6 GB of float32: what one 2-core machine writes in reasonable time


@dataclass
class _Extract:
    bounds: tuple[float, float, float, float]
    nodes: dict[int, tuple[float, float, dict[str, str]]]
    areas: list[tuple[int, list[int], dict[str, str]]]
    streets: list[tuple[int, list[tuple[float, float]], dict[str, str]]]


def _read(path: Path) -> _Extract:
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    header_box = reader.header().box()
    reader.close()
    if not header_box.valid():
        msg = f"{path}: the extract declares no bounds; synth needs them as the tile"
        raise InputError(msg)
    bounds = (
        header_box.bottom_left.lon,
        header_box.bottom_left.lat,
        header_box.top_right.lon,
        header_box.top_right.lat,
    )
    frame = box(*bounds)
    locations: dict[int, tuple[float, float]] = {}
    tagged: dict[int, dict[str, str]] = {}
    areas, streets = [], []
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if obj.is_node():
            if obj.location.valid():
                locations[obj.id] = (obj.location.lon, obj.location.lat)
                if len(obj.tags):
                    tagged[obj.id] = dict(obj.tags)
        elif obj.is_way() and len(obj.tags):
            refs = [n.ref for n in obj.nodes]
            if any(r not in locations for r in refs) or len(refs) < 2:
                continue
            tags = dict(obj.tags)
            coords = [locations[r] for r in refs]
            if "highway" in tags and tags.get("area") != "yes":
                streets.append((obj.id, coords, tags))
            elif refs[0] == refs[-1] and all(shapely.contains_xy(frame, *c) for c in coords):
                areas.append((obj.id, refs, tags))
    nodes = {
        i: (*locations[i], tags) for i, tags in tagged.items() if shapely.contains_xy(frame, *locations[i])
    }
    for _, refs, _ in areas:
        for r in refs:
            nodes.setdefault(r, (*locations[r], {}))
    return _Extract(bounds, nodes, areas, streets)


def synth_metro(
    source: str | Path, tiles: int, out: str | Path, *, resolution: int = 10
) -> tuple[Path, Path]:
    """Write an N x N tiled metropolis (``.osm.pbf``) and a recipe for it; returns both paths.

    Parameters
    ----------
    source
        An OSM extract with declared bounds (the tile).
    tiles
        N: the metropolis is N x N tiles.
    out
        Folder for ``metro_<N>x<N>.osm.pbf`` and ``metro_<N>x<N>.yaml``.
    resolution
        H3 resolution of the recipe.
    """
    _check_tiles(tiles)
    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    extract = _read(source)
    x0, y0, x1, y1 = extract.bounds
    dx, dy = x1 - x0, y1 - y0
    frame = box(*extract.bounds)
    pieces = []  # streets clipped to the tile, once
    for _, coords, tags in extract.streets:
        clipped = LineString(coords).intersection(frame)
        for part in getattr(clipped, "geoms", [clipped]):
            if part.geom_type == "LineString" and len(part.coords) >= 2:
                pieces.append((len(pieces), list(part.coords), tags))
    name = f"metro_{tiles}x{tiles}"
    pbf = out / f"{name}.osm.pbf"
    header = osmium.io.Header()
    header.add_box(
        osmium.osm.Box(osmium.osm.Location(x0, y0), osmium.osm.Location(x0 + tiles * dx, y0 + tiles * dy))
    )
    border_ids: dict[tuple[int, int], int] = {}
    node_records: list[tuple[int, float, float, dict[str, str]]] = []
    way_records: list[tuple[int, list[int], dict[str, str]]] = []

    def place(lon: float, lat: float, i: int, j: int) -> tuple[float, float]:
        px = (x1 - (lon - x0)) if i % 2 else lon
        py = (y1 - (lat - y0)) if j % 2 else lat
        return px + i * dx, py + j * dy

    for i in range(tiles):
        for j in range(tiles):
            base = (i * tiles + j + 1) * ID_STRIDE
            for node_id, (lon, lat, tags) in extract.nodes.items():
                node_records.append((base + node_id, *place(lon, lat, i, j), tags))
            for way_id, refs, tags in extract.areas:
                way_records.append((base + way_id, [base + r for r in refs], tags))
            for piece, coords, tags in pieces:
                refs = []
                for lon, lat in coords:
                    gx, gy = place(lon, lat, i, j)
                    key = (round(gx * 1e7), round(gy * 1e7))
                    node = border_ids.get(key)
                    if node is None:
                        node = BORDER_ID_BASE + len(border_ids)
                        border_ids[key] = node
                        node_records.append((node, gx, gy, {}))
                    refs.append(node)
                way_records.append((base + PIECE_OFFSET + piece, refs, tags))
    pbf.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(pbf), header=header)
    try:
        for node_id, lon, lat, tags in sorted(node_records, key=lambda r: r[0]):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat), tags=tags, version=1))
        for way_id, refs, tags in sorted(way_records, key=lambda r: r[0]):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    layers = {
        "osm": {"type": "osm", "path": pbf.name},
        "population": {"type": "population_from_buildings", "source": "osm"},
    }
    title = f"Synthetic metropolis: {source.name} tiled {tiles} x {tiles}"
    recipe = _write_recipe(
        out / f"{name}.yaml", title, area_layer="osm", resolution=resolution, layers=layers
    )
    return pbf, recipe


def _check_tiles(tiles: int) -> None:
    if tiles < 1 or tiles > 64:
        msg = f"tiles must be 1 to 64 (an N x N metropolis), got {tiles}"
        raise InputError(msg)


def _write_recipe(path: Path, title: str, *, area_layer: str, resolution: int, layers: dict) -> Path:
    """A recipe beside the generated data (paths relative to it), outputs under ``outputs/<name>``."""
    name = path.stem
    body = {
        "name": name,
        "title": title,
        "area": {"layer": area_layer},
        "grid": {"resolution": resolution},
        "layers": layers,
        "outputs": {"dir": f"outputs/{name}"},
    }
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def synth_raster(
    source: str | Path, tiles: int, out: str | Path, *, resolution: int = 8, band: int = 1
) -> tuple[Path, Path]:
    """Write an N x N mirror-tiled population raster (GeoTIFF) and a recipe for it; returns both.

    Tiles are laid out east and south of the source's origin at its pixel size; odd columns are
    mirrored east-west and odd rows north-south, so that people densities meet without seams. The
    total is exactly N² times the source's (nodata counts as 0 people). For raster cities at scale.

    Parameters
    ----------
    source
        A GeoTIFF of people per pixel (e.g. WorldPop).
    tiles
        N: the metropolis is N x N tiles.
    out
        Folder for ``popmetro_<N>x<N>.tif`` and ``popmetro_<N>x<N>.yaml``.
    resolution
        H3 resolution of the recipe.
    band
        The source's band of people per pixel.
    """
    import rasterio
    from rasterio.windows import Window

    _check_tiles(tiles)
    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with rasterio.open(source) as src:
            block = src.read(band, masked=True).filled(0.0).astype("float32")
            profile = src.profile
    except rasterio.errors.RasterioError as exc:
        msg = f"{source}: cannot read this raster ({exc})"
        raise InputError(msg) from exc
    height, width = block.shape
    if float(width) * height * tiles * tiles > MAX_SYNTH_PIXELS:
        msg = (
            f"{tiles} x {tiles} tiles of {width} x {height} pixels make "
            f"{width * height * tiles * tiles:,} pixels, more than {MAX_SYNTH_PIXELS:,}: use fewer tiles"
        )
        raise InputError(msg)
    profile.update(
        driver="GTiff",
        width=width * tiles,
        height=height * tiles,
        count=1,
        dtype="float32",
        nodata=-1.0,  # no pixel is negative: every pixel holds people (0 where the source had nodata)
        compress="deflate",
        tiled=True,
        blockxsize=512,
        blockysize=512,
    )
    name = f"popmetro_{tiles}x{tiles}"
    tif = out / f"{name}.tif"
    with rasterio.open(tif, "w", **profile) as dst:
        for row in range(tiles):
            for col in range(tiles):
                data = block[:, ::-1] if col % 2 else block
                data = data[::-1, :] if row % 2 else data
                dst.write(data, 1, window=Window(col * width, row * height, width, height))
    title = f"Synthetic raster city: {source.name} tiled {tiles} x {tiles}"
    layers = {"population": {"type": "raster", "path": tif.name}}
    recipe = _write_recipe(
        out / f"{name}.yaml", title, area_layer="population", resolution=resolution, layers=layers
    )
    return tif, recipe
