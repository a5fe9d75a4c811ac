"""Broken and hostile input (#14): never a traceback, never silent garbage, never a lost run.

Every case here is generated (hypothesis strategies, or seeded generators for files that are cut,
garbled or odd) over recipes, registries (CSV), OSM files, rasters, areas and the run life cycle. Each
must end in a clear message naming the file or key and the fix with exit 2, or in a correct result:
no traceback (exit 1), no hang (alarms and subprocess timeouts), no silently wrong number. The counts
of cases per class are printed at the end of the session ("hostile cases: ...", summed over xdist
workers by conftest.py).
"""

from __future__ import annotations

import collections
import contextlib
import html
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h3
import numpy as np
import pytest
import rasterio
import shapely
import yaml
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rasterio.transform import from_origin

from conftest import BALTIMORE_PBF, BUPT_OSM, ROOT
from urbanrisk.antimeridian import wrap_box
from urbanrisk.cli import main
from urbanrisk.grid import cells_from_area, cells_to_polygons
from urbanrisk.layers.raster import raster_info
from urbanrisk.population import residents_from_raster
from urbanrisk.result import GRADE_CLASSES

COUNTS: collections.Counter[str] = collections.Counter()
FAST = hsettings(
    derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None, max_examples=30
)
SRC = str(ROOT / "src")


def cli(*args, timeout: int = 60) -> tuple[int, str]:
    """Run the CLI in this process: never a traceback, never exit 1, never longer than ``timeout``."""
    out, err = io.StringIO(), io.StringIO()

    def hang(*_):
        raise TimeoutError(f"urbanrisk {' '.join(map(str, args))} hung for {timeout} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(timeout)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = out.getvalue() + err.getvalue()
    assert code not in (1, None) and "Traceback" not in text and "internal error" not in text, text
    return code, text


def refused(code: int, text: str, *names: str) -> None:
    """Exit 2 with a message naming the file or key (one of ``names``)."""
    assert code == 2, text
    assert any(n in text for n in names), (names, text)


def write_tif(path: Path, data: np.ndarray, transform, crs="EPSG:4326", **extra) -> Path:
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1}
    with rasterio.open(path, "w", **profile, dtype=data.dtype, crs=crs, transform=transform, **extra) as dst:
        dst.write(data, 1)
    return path


def raster_recipe(folder: Path, tif: Path, *, resolution: int = 9, name: str = "r", **extra) -> Path:
    body = {
        "name": name,
        "area": {"layer": "pop"},
        "grid": {"resolution": resolution},
        "layers": {"pop": {"type": "raster", "path": str(tif)}},
        "outputs": {"dir": str(folder / "out")},
    }
    for key, value in extra.items():
        if key == "layers":
            body["layers"].update(value)
        else:
            body[key] = value
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def manifest(out: Path) -> dict:
    return json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, float]:
    """A 20 x 20 raster of people near Beijing (0.001° pixels) and its total."""
    folder = tmp_path_factory.mktemp("city")
    data = np.random.default_rng(0).random((20, 20)).astype("float32") * 10
    tif = write_tif(folder / "city.tif", data, from_origin(116.30, 40.0, 0.001, 0.001))
    return tif, float(data.astype("float64").sum())


# --- recipes -------------------------------------------------------------------------------------------

ODD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-300, -1.0, 0.0, 1e308, float("inf"), float("nan"), 1000.0, -1000.0]),
    st.integers(-(2**70), 2**70),
    st.text(max_size=5),
)
MUTATIONS = st.one_of(
    st.tuples(st.just(("grid", "resolution")), st.one_of(st.integers(-3, 18), ODD_NUMBERS)),
    st.tuples(st.just(("area",)), st.fixed_dictionaries({"bbox": st.lists(ODD_NUMBERS, max_size=5)})),
    st.tuples(
        st.just(("area",)),
        st.builds(
            lambda w, s, span, h: {"bbox": [w, s, min(w + span, 180.0), min(s + h, 90.0)]},
            st.floats(-180, 170),
            st.floats(-90, 80),
            st.floats(0.001, 360),
            st.floats(0.001, 180),
        ),
    ),
    st.tuples(st.just(("grid", "force")), st.one_of(st.booleans(), st.text(max_size=3))),
    st.tuples(
        st.just(("layers", "people")),
        st.fixed_dictionaries(
            {
                "type": st.just("population_from_buildings"),
                "source": st.just("osm"),
                "floor_area_per_person_m2": ODD_NUMBERS,
            }
        ),
    ),
    st.tuples(st.just(("outputs", "keep")), ODD_NUMBERS),
    st.tuples(
        st.sampled_from([("tables", "osm_tags"), ("tables", "standards"), ("area",)]),
        st.sampled_from(["/dev/zero", "/", "missing.csv", "garbage.csv", "https+bad://x/y.csv"]),
    ),
    st.tuples(st.just(("layers", "pop", "path")), st.sampled_from(["/dev/zero", "/", "nope://a/b.tif"])),
    st.tuples(st.just(("grading", "weights", "crowding")), ODD_NUMBERS),
)


def _apply(body: dict, key: tuple, value) -> dict:
    if key == ("area",) and isinstance(value, str):
        value = {"path": value}
    node = body
    for part in key[:-1]:
        node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
    node[key[-1]] = value
    return body


@hsettings(FAST, max_examples=60)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_generated_recipes_validate_or_say_what_to_fix(city, mutations):
    """Any mix of odd values: exit 0 (and a sane estimate) or exit 2 naming the recipe's key or file."""
    tif, _ = city
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "garbage.csv").write_bytes(bytes(range(256)) * 8)
        body = yaml.safe_load(raster_recipe(folder, tif).read_text(encoding="utf-8"))
        for key, value in mutations:
            body = _apply(body, key, value)
        path = folder / "recipe.yaml"
        try:
            path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
        except (yaml.YAMLError, ValueError):
            return
        COUNTS["recipes"] += 1
        code, text = cli("validate", path)
        if code == 2:
            assert str(path) in text or "layer" in text or "resolution" in text or "tables" in text, text
        else:
            assert code == 0 and "ok (" in text, text


@pytest.mark.parametrize(
    ("bbox", "resolution", "cells"),
    [((-180, -90, 180, 90), 0, 122), ((-180, -90, 180, 90), 1, 842), ((-170, -10, 170, 10), 1, None)],
)
def test_areas_wider_than_half_the_globe_are_filled_the_long_way(bbox, resolution, cells):
    """H3 fills a polygon the short way round: strips keep a 340°-wide box or the world whole."""
    COUNTS["areas"] += 1
    got = cells_from_area(shapely.box(*bbox), resolution)
    if cells is not None:
        assert len(got) == cells == h3.get_num_cells(resolution)
    every = [c for r0 in h3.get_res0_cells() for c in h3.cell_to_children(r0, resolution)]
    inside = {c for c in every if shapely.contains_xy(shapely.box(*bbox), *h3.cell_to_latlng(c)[::-1])}
    assert inside <= set(got) and len(got) < 1.5 * len(inside) + 50


def test_world_recipe_estimate_and_run(tmp_path):
    """The whole world at r1: validate estimates ~840 cells (not 'about 1'), the run makes all 842."""
    COUNTS["areas"] += 1
    body = {"name": "world", "area": {"bbox": [-180, -90, 180, 90]}, "grid": {"resolution": 1}, "layers": {}}
    body["outputs"] = {"dir": str(tmp_path / "out")}
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    code, text = cli("validate", path)
    assert code == 0 and "about 837 cells" in text, text
    assert cli("run", "--quiet", path)[0] == 0
    assert manifest(tmp_path / "out")["counts"]["cells"] == 842
    body["grid"] = {"resolution": 9}
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    refused(*cli("validate", path), "resolution 9 over 510,", "use resolution")
    # the run's own guard measured the world box as 0 km² (geodesic edges the short way round) and went
    # on to fill 4.8 billion cells: a MemoryError (exit 1) after validate had refused it
    refused(*cli("run", "--quiet", path), "resolution 9 over 510,", "use resolution")


# --- registries (CSV) ---------------------------------------------------------------------------------

CELL_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "1000", "-1e308", "inf", "nan", "NaN", "abc", "116.305", "39.995", '"', "1,2"]),
    st.integers(-(2**80), 2**80).map(str),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
)
KINDS = st.sampled_from(["fire_station", "hospital", "消防站", "unknown_kind", "", "FIRE STATION"])


@st.composite
def registries(draw) -> str:
    """A resource registry: mostly sane rows near the raster, some with hostile values."""
    rows = ["id,kind,name,lon,lat,capacity"]
    for i in range(draw(st.integers(0, 6))):
        sane = draw(st.booleans())
        lon = f"{116.30 + draw(st.floats(0, 0.02)):.5f}" if sane else draw(CELL_TEXT)
        lat = f"{39.98 + draw(st.floats(0, 0.02)):.5f}" if sane else draw(CELL_TEXT)
        ident = str(i) if draw(st.booleans()) else draw(CELL_TEXT)
        capacity = draw(st.one_of(st.just(""), st.integers(0, 50).map(str), CELL_TEXT))
        fields = [ident, draw(KINDS), f"s{i}", lon, lat, capacity]
        rows.append(",".join(f'"{f}"' if "," in f or '"' in f else f for f in fields))
    return "\n".join(rows) + "\n"


def _registry_case(tmp: Path, tif: Path, text: str) -> Path:
    (tmp / "res.csv").write_text(text, encoding="utf-8", errors="replace")
    layer = {"res": {"type": "points", "role": "resource", "path": str(tmp / "res.csv")}}
    return raster_recipe(tmp, tif, layers=layer)


@FAST
@given(text=registries())
def test_generated_registries_validate(city, text):
    COUNTS["registries"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        code, message = cli("validate", _registry_case(Path(tmp), city[0], text))
        assert code in (0, 2), message
        if code == 2:
            assert "res.csv" in message or "layers.res" in message, message


@hsettings(FAST, max_examples=6)
@given(text=registries())
def test_generated_registries_run_or_refuse(city, text):
    """A run ends in exit 2 naming the registry, or keeps every person of the raster."""
    COUNTS["registries"] += 1
    tif, total = city
    with tempfile.TemporaryDirectory() as tmp:
        code, message = cli(
            "run", "--quiet", "--scheduler", "synchronous", _registry_case(Path(tmp), tif, text)
        )
        if code == 2:
            assert "res.csv" in message, message
        else:
            assert code == 0
            assert manifest(Path(tmp) / "out")["counts"]["residents"] == pytest.approx(total, rel=1e-6)


@pytest.mark.parametrize(
    ("capacity", "lat"),
    [
        ("inf", "39.99"),
        ("-3", "39.99"),
        ("1e400", "39.99"),
        ("1e308", "39.99"),  # finite, and no resource holds it: ran as a shelter for 1e308 people
        ("nan", "39.99"),
        ("5", "1000"),
        ("很多", "39.99"),
        ("500人", "39.99"),
    ],
)
def test_absurd_registry_values_are_refused(tmp_path, city, capacity, lat):
    COUNTS["registries"] += 1
    text = f"id,kind,name,lon,lat,capacity\n1,fire_station,a,116.305,{lat},{capacity}\n"
    path = _registry_case(tmp_path, city[0], text)
    refused(*cli("run", "--quiet", "--scheduler", "synchronous", path), "res.csv")
    # validate says so too (a capacity only the run refused; text such as 很多 ran as "capacity unknown")
    refused(*cli("validate", path), "res.csv")


# --- OSM files ----------------------------------------------------------------------------------------


def _osm_xml(nodes: list[tuple[int, float, float, dict]], bounds=None) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hostile">\n'
    if bounds:
        head += '  <bounds minlat="{1}" minlon="{0}" maxlat="{3}" maxlon="{2}"/>\n'.format(*bounds)
    body = ""
    for ident, lon, lat, tags in nodes:
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        body += f'  <node id="{ident}" version="1" lat="{lat}" lon="{lon}">{inner}</node>\n'
    return (head + body + "</osm>\n").encode()


def osm_cases(folder: Path) -> dict[str, tuple[str, bool]]:
    """Seeded hostile OSM inputs: name -> (path or URL, whether a run may succeed)."""
    rng = np.random.default_rng(14)
    xml, pbf = BUPT_OSM.read_bytes(), BALTIMORE_PBF.read_bytes()
    shop = {"amenity": "fire_station", "name": "x"}
    near = (116.34, 39.95, 116.36, 39.97)
    files = {
        "empty.osm": (b"", False),
        "html.osm": (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", False),
        "xxe.osm": (
            b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY x SYSTEM "file:///etc/passwd">]><osm>&x;</osm>',
            False,
        ),
        "dtd.osm": (
            b'<?xml version="1.0"?><!DOCTYPE osm SYSTEM "http://x/osm.dtd"><osm version="0.6"></osm>',
            False,
        ),
        "garbage.osm.pbf": (rng.bytes(3000), False),
        "huge_id.osm": (_osm_xml([(2**64 + 5, 116.35, 39.96, shop)], bounds=near), True),
        "long_tag.osm": (_osm_xml([(1, 116.35, 39.96, {**shop, "name": "x" * 2000})], bounds=near), True),
        "no_bounds.osm": (_osm_xml([(1, 116.35, 39.96, shop)]), True),
        "long_key.osm": (_osm_xml([(1, 116.35, 39.96, {**shop, "k" * 300: "v"})], bounds=near), True),
        "node_lat_1000.osm": (_osm_xml([(1, 116.35, 1000, shop)], bounds=near), False),
        "bounds_lat_1000.osm": (
            _osm_xml([(1, 116.35, 39.96, shop)], bounds=(116.34, 39.95, 116.36, 1000)),
            False,
        ),
        "world.osm": (_osm_xml([(1, 116.35, 39.96, shop)], bounds=(-180, -90, 180, 90)), True),
    }
    for i, cut in enumerate(sorted(rng.integers(10, len(xml) - 10, 3))):
        files[f"cut{i}.osm"] = (xml[:cut], False)  # cut at a random place: parsed its head, ran on a part
    for i, cut in enumerate(sorted(rng.integers(100, len(pbf) - 100, 3))):
        files[f"cut{i}.osm.pbf"] = (pbf[:cut], False)
    cases = {}
    for name, (data, may_run) in files.items():
        (folder / name).write_bytes(data)
        cases[name] = (str(folder / name), may_run)
    (folder / "folder.osm").mkdir()
    cases["folder.osm"] = (str(folder / "folder.osm"), False)
    cases["scheme"] = ("nosuchscheme://host/extract.osm.pbf", False)
    return cases


def test_generated_osm_files(tmp_path):
    """validate and run agree: every unreadable extract is exit 2 naming it; none is a traceback."""
    for name, (path, may_run) in osm_cases(tmp_path).items():
        COUNTS["osm"] += 1
        body = {
            "name": "o",
            "area": {"layer": "osm"},
            "grid": {"resolution": 9},
            "layers": {"osm": {"type": "osm", "path": path}},
            "outputs": {"dir": str(tmp_path / "out" / name)},
        }
        recipe = tmp_path / f"{name}.yaml"
        recipe.write_text(yaml.safe_dump(body), encoding="utf-8")
        code, text = cli("validate", recipe)
        if name == "world.osm":  # world bounds in the header: billions of cells, not "about 1"
            refused(code, text, "use resolution")
            continue
        if name.startswith("cut"):  # an interrupted download: validate said ok, and the run read a part
            refused(code, text, "is cut short")
        if code == 2:
            assert Path(path).name in text or "scheme" in text, text
        elif not may_run:
            refused(*cli("run", "--quiet", "--scheduler", "synchronous", recipe), Path(path).name)
        if code == 0 and may_run:
            code, text = cli("run", "--quiet", "--scheduler", "synchronous", recipe)
            assert code in (0, 2), text
            if code == 2:
                assert name in text or "layer 'osm'" in text, text


# --- rasters --------------------------------------------------------------------------------------------

CRSS = ["EPSG:4326", "south-up", "EPSG:3857", "EPSG:32650", "ESRI:54009"]
ACROSS_180 = ["past 180", "below -180", "EPSG:3832"]  # lon/lat past ±180°, Pacific Mercator over 180°
ORIGINS = {  # (west, north) near Beijing in each CRS; EPSG:3832 (Pacific Mercator): 180° at Fiji
    "EPSG:3857": (12946000.0, 4865000.0),
    "EPSG:32650": (440000.0, 4428000.0),
    "ESRI:54009": (10000000.0, 4600000.0),
    "EPSG:3832": (3339584.7, -1800000.0),
}


RASTER_CASES = {
    "resolution": st.integers(7, 12),
    "shape": st.tuples(st.integers(1, 9), st.integers(1, 9)),
    "seed": st.integers(0, 2**16),
    "nodata": st.booleans(),
}


@hsettings(FAST, max_examples=40)
@given(crs=st.sampled_from(CRSS), **RASTER_CASES)
def test_people_are_conserved_for_any_raster_crs_and_resolution(crs, resolution, shape, seed, nodata):
    """Property: the cells over a raster's extent hold exactly its people, whatever its CRS."""
    assert_people_conserved(crs, resolution, shape, seed, nodata)


@hsettings(FAST, max_examples=15)
@given(crs=st.sampled_from(ACROSS_180), **RASTER_CASES)
def test_people_are_conserved_across_the_antimeridian(crs, resolution, shape, seed, nodata):
    """Property: a raster across 180° (past it, below -180°, or projected over it) keeps its people."""
    assert_people_conserved(crs, resolution, shape, seed, nodata)


def assert_people_conserved(
    crs: str, resolution: int, shape: tuple[int, int], seed: int, nodata: bool
) -> None:
    """The cells over a generated raster's extent (split at 180° if it crosses it) hold all its people."""
    COUNTS["rasters"] += 1
    rng = np.random.default_rng(seed)
    data = (rng.random(shape) * rng.choice([1, 100, 1e4])).astype("float32")
    if nodata:
        data[rng.random(shape) < 0.2] = -9999
    side_m = np.sqrt(min(400, 30 * 7 ** max(0, 12 - resolution)) * h3.average_hexagon_area(resolution, "m^2"))
    pixel = side_m / max(shape)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.tif"
        options = {"nodata": -9999} if nodata else {}
        if crs in ORIGINS:  # EPSG:3832: the raster's middle column on 180°
            west = ORIGINS[crs][0] - (pixel * shape[1] / 2 if crs == "EPSG:3832" else 0)
            write_tif(path, data, from_origin(west, ORIGINS[crs][1], pixel, pixel), crs=crs, **options)
        else:
            deg = pixel / 111_000
            west = {"past 180": 180 - deg * shape[1] / 2, "below -180": -180 - deg * shape[1] / 2}
            transform = from_origin(west.get(crs, 116.3), 40.0, deg, deg)
            if crs == "south-up":
                transform = rasterio.Affine(deg, 0, 116.3, 0, deg, 40.0 - deg * shape[0])
                data = data[::-1].copy()
            write_tif(path, data, transform, **options)
        info = raster_info(path, warp=True)
        area = wrap_box(*info.bounds)  # split at 180° when the raster crosses it
        cells = cells_from_area(area, resolution)
        table = residents_from_raster(info, cells, resolution=resolution, area=area)
    expected = (
        float(np.where(data == -9999, 0, data).astype("float64").sum()) if nodata else float(data.sum())
    )
    assert table["residents"].sum() == pytest.approx(expected, rel=1e-6, abs=1e-6)
    if crs in ORIGINS:  # warped: nodata is read as 0 before the warp (the measured share is not kept)
        return
    # the measured area is conserved too: the cells' measured shares add up to the measured pixels
    cell_area = shapely.area(shapely.intersection(cells_to_polygons(cells), area))
    measured = float((table["residents_known_share"] * cell_area).sum() / shapely.area(area))
    assert measured == pytest.approx(float((data != -9999).mean()), abs=1e-5)


def hostile_rasters(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(7)
    ones = np.ones((64, 64), "float32")
    cases = {
        "metres_as_degrees": write_tif(folder / "m.tif", ones, from_origin(440000, 4428000, 100, 100)),
        "wider_than_a_turn": write_tif(folder / "a.tif", ones, from_origin(-180, 10, 6, 0.001)),
        "no_crs": write_tif(folder / "n.tif", ones, from_origin(116.3, 40.0, 0.001, 0.001), crs=None),
        "rotated": write_tif(
            folder / "rot.tif", ones, rasterio.Affine(0.001, 0.0002, 116.3, 0.0002, -0.001, 40)
        ),
    }
    tiled = write_tif(
        folder / "t.tif", rng.random((512, 512)).astype("float32"), from_origin(116.3, 40.0, 0.0001, 0.0001),
        tiled=True, blockxsize=128, blockysize=128,
    )  # fmt: skip
    data = tiled.read_bytes()
    (folder / "truncated.tif").write_bytes(data[: int(len(data) * 0.7)])
    cases["truncated"] = folder / "truncated.tif"
    (folder / "garbage.tif").write_bytes(rng.bytes(5000))
    cases["garbage"] = folder / "garbage.tif"
    (folder / "empty.tif").write_bytes(b"")
    cases["empty"] = folder / "empty.tif"
    sparse = folder / "sparse.tif"
    profile = {"driver": "GTiff", "width": 200_000, "height": 200_000, "count": 1, "dtype": "float32"}
    with rasterio.open(
        sparse, "w", **profile, crs="EPSG:4326", transform=from_origin(116.0, 40.5, 1e-5, 1e-5),
        tiled=True, sparse_ok=True, blockxsize=256, blockysize=256, BIGTIFF="YES",
    ) as dst:  # fmt: skip
        dst.write(np.ones((256, 256), "float32"), 1, window=rasterio.windows.Window(0, 0, 256, 256))
    cases["sparse_200000"] = sparse
    return cases


def test_hostile_rasters(tmp_path):
    """Cut, garbled, mislabelled or absurdly large rasters: exit 2 naming the file, at validate or run."""
    for name, path in hostile_rasters(tmp_path).items():
        COUNTS["rasters"] += 1
        recipe = raster_recipe(tmp_path, path, name=name, resolution=9)
        code, text = cli("validate", recipe)
        if code == 0:
            code, text = cli("run", "--quiet", "--scheduler", "synchronous", recipe)
        refused(code, text, path.name)


# --- areas ----------------------------------------------------------------------------------------------


def _geojson(rings: list[list[list[float]]]) -> str:
    features = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [r]}}
        for r in rings
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).replace("NaN", "NaN")


def area_cases(folder: Path) -> dict[str, tuple[Path, bool]]:
    """Area files: name -> (path, whether a run may succeed)."""
    rng = np.random.default_rng(3)
    tri = []
    for _ in range(5000):
        x, y = 116.30 + rng.random() * 0.02, 39.98 + rng.random() * 0.02
        tri.append([[x, y], [x + 1e-5, y], [x, y + 1e-5], [x, y]])
    texts = {
        "bow_tie": (
            _geojson([[[116.30, 39.98], [116.32, 40.0], [116.32, 39.98], [116.30, 40.0], [116.30, 39.98]]]),
            True,
        ),
        "nan_vertex": (
            _geojson([[[116.30, 39.98], [116.32, float("nan")], [116.32, 39.98], [116.30, 39.98]]]),
            False,
        ),
        "triangles": (_geojson(tri), False),
        "no_polygon": ('{"type":"FeatureCollection","features":[]}', False),
        "garbage": ("{not json", False),
        # validate passed these and only the run refused them, as "not finite lon/lat (NaN, inf, out of
        # range)" for metres and swapped axes alike
        "projected_no_crs": (
            _geojson([[[441e3, 4423e3], [442e3, 4423e3], [442e3, 4424e3], [441e3, 4423e3]]]),
            False,
        ),
        "swapped": (_geojson([[[39.98, 116.30], [40.0, 116.32], [39.98, 116.32], [39.98, 116.30]]]), False),
        "points_only": ('{"type":"Point","coordinates":[116.3,39.98]}', False),
        "cut_short": (
            _geojson([[[116.30, 39.98], [116.32, 40.0], [116.32, 39.98], [116.30, 39.98]]])[:90],
            False,
        ),
        "deep": ("[" * 100_000 + "]" * 100_000, False),
    }
    cases = {}
    for name, (text, ok) in texts.items():
        (folder / f"{name}.geojson").write_text(text, encoding="utf-8")
        cases[name] = (folder / f"{name}.geojson", ok)
    huge = folder / "huge.geojson"
    with open(huge, "wb") as handle:
        handle.truncate(60_000_000)  # sparse: 60 MB that would be read whole
    cases["huge"] = (huge, False)
    cases["device"] = (Path("/dev/zero"), False)
    return cases


def test_hostile_area_files(tmp_path, city):
    tif, _ = city
    for name, (path, may_run) in area_cases(tmp_path).items():
        COUNTS["areas"] += 1
        recipe = raster_recipe(tmp_path, tif, name=name, area={"path": str(path)})
        code, text = cli("validate", recipe)
        if not may_run:  # validate tells what the run would refuse, before anything is read whole
            refused(code, text, path.name)
        for problem, words in {
            "projected": "projected metres",
            "swapped": "swapped",
            "points": "(only Point)",
        }.items():
            assert not name.startswith(problem) or words in text, text
        if code == 0:
            code, text = cli("run", "--quiet", "--scheduler", "synchronous", recipe)
        if may_run and code == 0:
            continue
        refused(code, text, path.name)


@pytest.mark.parametrize("tables", [{"osm_tags": "/dev/zero"}, {"standards": "/"}])
def test_side_tables_are_bounded(tmp_path, city, tables):
    COUNTS["recipes"] += 1
    recipe = raster_recipe(tmp_path, city[0], tables=tables)
    refused(*cli("validate", recipe), "tables.", "not a regular file")


def test_absurd_floor_area_per_person(tmp_path):
    COUNTS["recipes"] += 1
    body = yaml.safe_load((ROOT / "recipes" / "beijing-bupt.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(BUPT_OSM)
    body["layers"]["population"]["floor_area_per_person_m2"] = 1e-300
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    refused(*cli("validate", path), "floor_area_per_person_m2")


# --- the run life cycle ---------------------------------------------------------------------------------


def test_two_recipes_sharing_an_output_folder(tmp_path, city):
    """rescan, history and keep never touch another recipe's runs in a shared outputs.dir."""
    COUNTS["lifecycle"] += 1
    tif, _ = city
    a = raster_recipe(tmp_path, tif, name="a", outputs={"dir": str(tmp_path / "shared"), "keep": 1})
    b = raster_recipe(tmp_path, tif, name="b", resolution=8, outputs={"dir": str(tmp_path / "shared")})
    assert cli("run", "--quiet", "--scheduler", "synchronous", a)[0] == 0
    assert cli("run", "--quiet", "--scheduler", "synchronous", b)[0] == 0
    owner = {
        p: json.loads((p / "manifest.json").read_text())["recipe"]["name"]
        for p in (tmp_path / "shared" / "runs").iterdir()
    }
    assert sorted(owner.values()) == ["a", "b"]
    b_run = next(p for p, name in owner.items() if name == "b")
    code, text = cli("rescan", "--quiet", "--scheduler", "synchronous", a)
    assert code == 0  # a's unchanged inputs: a's own run reused, not compared with b's run
    code, text = cli("history", a)
    assert b_run.name not in text and "reused" in text, text
    assert b_run.is_dir()  # keep: 1 of recipe a never deletes b's run


def test_sigterm_is_a_clean_stop(tmp_path, city):
    """SIGTERM mid-run: a message and a log line, exit 143, the last good run untouched."""
    COUNTS["lifecycle"] += 1
    recipe = raster_recipe(tmp_path, city[0])
    env = dict(os.environ, PYTHONPATH=SRC)
    command = [sys.executable, "-m", "urbanrisk.cli", "run", "--quiet", "--scheduler", "synchronous"]
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0  # the last good run
    first = os.readlink(tmp_path / "out" / "latest")
    log = tmp_path / "run.log"
    proc = subprocess.Popen(
        [*command, "--log-file", str(log), str(recipe)],
        env=dict(env, URBANRISK_PAUSE_AFTER="grid"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out" / "runs").glob(".partial-*/grid")):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err, err
    assert os.readlink(tmp_path / "out" / "latest") == first
    assert "terminated (SIGTERM)" in log.read_text(encoding="utf-8")


def test_full_disk_is_a_clear_message(tmp_path, city):
    """A disk that fills mid-run: exit 2 saying so and naming the folder, not a pyogrio traceback."""
    COUNTS["lifecycle"] += 1
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], capture_output=True, check=False
    ).returncode == 0  # fmt: skip
    if not mounted:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        recipe = raster_recipe(tmp_path, city[0], outputs={"dir": str(disk / "out")})
        env = dict(os.environ, PYTHONPATH=SRC)
        command = [sys.executable, "-m", "urbanrisk.cli", "run", "--quiet", "--scheduler", "synchronous"]
        done = subprocess.run([*command, str(recipe)], env=env, timeout=120, capture_output=True, text=True)
        assert done.returncode == 2 and "no space left" in done.stderr and str(disk) in done.stderr, (
            done.stderr
        )
        assert "Traceback" not in done.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_write_error_without_the_word_space(tmp_path, city, monkeypatch, capsys):
    """GDAL's write errors do not always say 'space': a write error on a nearly full disk says it."""
    COUNTS["lifecycle"] += 1
    import pyogrio.errors

    import urbanrisk.cli_disk
    import urbanrisk.run

    def fail(*args, **kwargs):
        raise pyogrio.errors.DataSourceError("failed to write feature: I/O error")

    monkeypatch.setattr(urbanrisk.run, "write_outputs", fail)
    full = shutil._ntuple_diskusage(1, 1, 0)
    monkeypatch.setattr(urbanrisk.cli_disk.shutil, "disk_usage", lambda path: full)
    code, text = cli("run", "--quiet", "--scheduler", "synchronous", raster_recipe(tmp_path, city[0]))
    refused(code, text, "no space left")


# --- properties of results --------------------------------------------------------------------------------

RANK = {g: i for i, g in enumerate(GRADE_CLASSES)}  # I (0) is the most severe


def _bupt(
    folder: Path,
    hazards: list[tuple[float, float, int]],
    stations: list[tuple[float, float]],
    *,
    complete: bool = False,
) -> Path:
    """The BUPT recipe with these hazards and fire stations; ``complete``: the station registry is
    declared to list every fire station (``complete_for``), kept even when it lists none."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,kind,name,lon,lat,severity"] + [
        f"h{i},fuel,h{i},{lon},{lat},{sev}" for i, (lon, lat, sev) in enumerate(hazards)
    ]
    (folder / "hazards.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows = ["id,kind,name,lon,lat"] + [
        f"f{i},fire_station,f{i},{lon},{lat}" for i, (lon, lat) in enumerate(stations)
    ]
    (folder / "stations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    body = yaml.safe_load((ROOT / "recipes" / "beijing-bupt.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(BUPT_OSM)
    body["grid"]["resolution"] = 10
    body["layers"]["hazards"] = {
        "type": "points", "role": "hazard", "path": str(folder / "hazards.csv"),
        "severity": {"column": "severity", "order": "4_is_most_severe"},
    }  # fmt: skip
    if stations or complete:
        body["layers"]["stations"] = {
            "type": "points",
            "role": "resource",
            "path": str(folder / "stations.csv"),
        }
    if complete:
        body["layers"]["stations"]["complete_for"] = ["fire_station"]
    body["outputs"]["dir"] = str(folder / "out")
    path = folder / "bupt.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def _grades(recipe: Path):
    from urbanrisk.run import run_recipe

    grid = run_recipe(recipe, scheduler="synchronous", write=False).grid
    return grid["grade"].map(RANK), grid


LONLAT = st.tuples(st.floats(116.349, 116.355), st.floats(39.957, 39.963))


@hsettings(FAST, max_examples=2, phases=[Phase.explicit, Phase.generate])  # ~3 s an example: no shrinking
@given(
    hazards=st.lists(
        st.tuples(st.floats(116.349, 116.355), st.floats(39.957, 39.963), st.integers(1, 3)),
        min_size=1,
        max_size=3,
    ),
    stations=st.lists(LONLAT, min_size=1, max_size=3),
)
def test_grades_never_fall_when_danger_rises(hazards, stations):
    """Property: raising a hazard's severity, or removing a resource from a registry declared complete
    (the last one included), never lowers a grade."""
    COUNTS["properties"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, _ = _grades(_bupt(folder, hazards, stations, complete=True))
        worse = [(lon, lat, sev + 1) for lon, lat, sev in hazards]
        higher, _ = _grades(_bupt(folder, worse, stations, complete=True))
        fewer, _ = _grades(_bupt(folder, hazards, stations[1:], complete=True))
    graded = base < RANK["no data"]
    assert (higher[graded] <= base[graded]).all()
    assert (fewer[graded] <= base[graded]).all()


def test_same_recipe_twice_gives_identical_tables(tmp_path, city):
    COUNTS["properties"] += 1
    recipe = raster_recipe(tmp_path, city[0])
    for _ in range(2):
        assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    runs = sorted((tmp_path / "out" / "runs").iterdir())
    assert len(runs) == 2
    parts = sorted(p.name for p in (runs[0] / "grid").iterdir())
    assert parts and parts == sorted(p.name for p in (runs[1] / "grid").iterdir())
    for name in parts:
        assert (runs[0] / "grid" / name).read_bytes() == (runs[1] / "grid" / name).read_bytes(), name
    assert set(os.listdir(runs[0])) == set(os.listdir(runs[1]))
    for child in sorted(runs[0].glob("*.parquet")):
        assert child.read_bytes() == (runs[1] / child.name).read_bytes(), child.name


def _run_in_memory(recipe: Path):
    from urbanrisk.outputs.manifest import build_manifest
    from urbanrisk.outputs.report import report_html
    from urbanrisk.outputs.summary import run_summary
    from urbanrisk.run import run_recipe

    result = run_recipe(recipe, scheduler="synchronous", write=False)
    summary = run_summary(result)
    # what `urbanrisk run` prints is "  <name>: <status>" for each of summary.statuses, then warnings
    printed = "\n".join(
        [f"  {k}: {v}" for k, v in summary.statuses.items()] + [f"  WARNING: {w}" for w in summary.warnings]
    )
    return result, printed, build_manifest(result, summary, run={}), report_html(result, summary)


def test_removing_the_last_station_never_lowers_a_grade(tmp_path):
    """Issue #14: the registry is declared complete (complete_for: [fire_station]) in both recipes, so
    with its last station removed the fire standard is evaluated (nobody reached), not unknown."""
    from urbanrisk.outputs.deck import _cell_tips

    COUNTS["properties"] += 1
    hazards = [(116.349, 39.957, 1)]
    base, base_grid = _grades(_bupt(tmp_path / "base", hazards, [(116.349, 39.957)], complete=True))
    result, printed, manifest, report = _run_in_memory(_bupt(tmp_path / "none", hazards, [], complete=True))
    grid = result.grid
    none = grid["grade"].map(RANK).reindex(base.index)
    graded = base < RANK["no data"]
    assert graded.sum() == 55 and (none[graded] <= base[graded]).all()
    assert (none[graded] < base[graded]).any()  # none at all is worse than one station
    assert (
        grid["lack_of_coping"].reindex(base.index)[graded] >= base_grid.loc[graded, "lack_of_coping"]
    ).all()
    said = (
        "no fire_station in a registry declared complete (layer 'stations', complete_for): "
        "every resident uncovered"
    )
    assert "coverage fire: ok: " in printed and said in printed and "skipped: no fire_station" not in printed
    assert grid["fire_travel"].isna().all() and not grid["fire_covered"].any()
    assert not grid["unknown"].str.contains("fire coverage").any()
    fire = manifest["coverage"]["standards"]["fire"]
    assert said in fire["status"] and fire["evaluated"]
    assert fire["residents_uncovered"] == pytest.approx(grid["residents"].sum())
    assert html.escape(said) in report
    assert (result.coverage.sites["standard"] == "fire").sum() >= 1  # where a first station would help most
    assert all("fire not reached" in tip for tip in _cell_tips(grid.head(3), {"fire": "s"}))  # the map


def test_no_station_and_no_declaration_leaves_the_fire_standard_unknown(tmp_path):
    """Missing is not zero: without complete_for no fire station in the data is unknown, and every
    output says so (the status the CLI prints, each cell's unknown column, a warning)."""
    result, printed, manifest, _ = _run_in_memory(_bupt(tmp_path, [(116.349, 39.957, 1)], []))
    skipped = "no fire_station in the data within 2000 m of the area: fire coverage unknown"
    assert f"  coverage fire: skipped: {skipped}" in printed
    assert "WARNING: fire coverage: no fire_station in the data (unknown, not none" in printed
    grid = result.grid
    assert grid["unknown"].str.contains("fire coverage: no fire_station in the data").all()
    assert "fire_travel" not in grid.columns
    assert not manifest["coverage"]["standards"]["fire"]["evaluated"]
    assert manifest["data_completeness"]["cells_unknown_by_indicator"]["fire coverage"] == len(grid)
