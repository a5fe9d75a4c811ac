"""Hostile input, round 8 (session 14): what round 7 left (``outputs.dir: /proc/self`` passed
``validate``; a raster in US survey feet read as metres; a hole's vertices beyond the 64th never
tested) and what a generator of hostile inputs found. Each is told by ``validate`` as by the run, with
its fix; good input still passes.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)

# --- 1. outputs.dir on a virtual file system ----------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
@pytest.mark.parametrize("folder", ["/proc/self", "/proc/self/out/x"])
def test_outputs_dir_on_a_virtual_file_system_is_refused_by_validate(tmp_path, city, folder):  # noqa: F811
    """``outputs.dir: /proc/self`` passed validate; only the run refused it."""
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": folder})
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "cannot write a file in the folder")
        assert "outputs.dir" in text and "virtual file system" in text and "no space" not in text, text


def test_outputs_dir_in_a_folder_one_may_write_still_validates(tmp_path, city):  # noqa: F811
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": str(tmp_path / "new" / "out")})
    code, text = cli("validate", recipe)
    assert code == 0, text
    assert not (tmp_path / "new").exists()  # validate makes nothing


# --- 2. a population raster in US survey feet (State Plane) ------------------------------------------------

#: Maryland State Plane in US survey feet (EPSG:2248): Baltimore's centre is about (1422700, 591400)
FOOT = 1200 / 3937  # metres in a US survey foot


def _feet_tif(folder: Path, people: float, crs: str = "EPSG:2248", origin=(1422700, 591400)) -> Path:
    from rasterio.transform import from_origin

    from test_hostile import write_tif

    data = np.full((20, 20), people, "float32")
    return write_tif(folder / "feet.tif", data, from_origin(*origin, 100, 100), crs=crs)


def test_a_raster_in_feet_has_its_pixels_measured_in_feet(tmp_path):
    """A 100 ft pixel is 929 m², not 10,000 m²: 10,000 people on it are 10.76 million per km² (by hand:
    10,000 / (100 x 0.3048006 m)² x 1e6), which the check read as 1 million and let through."""
    from urbanrisk.layers.raster_density import raster_density

    most, pixel_top, _, _ = raster_density(_feet_tif(tmp_path, 10_000))
    assert most == 10_000
    assert pixel_top == pytest.approx(10_000 / (100 * FOOT) ** 2 * 1e6, rel=0.005)


def test_web_mercator_pixels_are_measured_on_the_ground(tmp_path):
    """EPSG:3857's 100 m pixels at 39.2° N are 77.5 m on the ground (by hand: 100 x cos 39.2°)."""
    from urbanrisk.layers.raster_density import raster_density

    tif = _feet_tif(tmp_path, 100, crs="EPSG:3857", origin=(-8528000, 4750000))
    import rasterio

    with rasterio.open(tif) as src:
        lat = np.degrees(2 * np.arctan(np.exp(src.xy(10, 10)[1] / 6378137)) - np.pi / 2)
    side_km = 0.1 * np.cos(np.radians(lat))
    assert raster_density(tif)[1] == pytest.approx(100 / side_km**2, rel=0.01)


@pytest.mark.parametrize(("people", "said"), [(10_000, "more than anyone could live on"), (300, None)])
def test_a_raster_in_feet_is_refused_or_told_as_its_ground_says(tmp_path, people, said):
    """10,000 a 100 ft pixel: refused (10.8 million per km²); 300: 323,000 per km², told (it was 30,000)."""
    recipe = raster_recipe(tmp_path, _feet_tif(tmp_path, people))
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        if said:
            refused(code, text, said)
        else:
            assert code == 0, text
            assert "hold more than 200,000 people per km²" in text, text


# --- 3. a hole whose 65th vertex, or an edge between two inside, leaves its outer ring ----------------------


def _u_shell(x0: float = 116.300, y0: float = 39.985, side: float = 0.010) -> list[tuple[float, float]]:
    """A U: a square of ``side`` with a notch from its top down to the middle, 0.4 to 0.6 of its width."""
    u = [(0, 0), (1, 0), (1, 1), (0.6, 1), (0.6, 0.5), (0.4, 0.5), (0.4, 1), (0, 1), (0, 0)]
    return [(x0 + side * a, y0 + side * b) for a, b in u]


def _spiked_hole(x0: float = 116.300, y0: float = 39.985, side: float = 0.010) -> list[tuple[float, float]]:
    """A 1,000-vertex band along the U's bottom (y 0.1 to 0.3) with one vertex up in the notch (0.5, 0.7),
    where the old check's 64 evenly spaced samples did not look."""
    band = [(0.1 + 0.8 * i / 499, 0.1) for i in range(500)] + [(0.9 - 0.8 * i / 498, 0.3) for i in range(499)]
    peak = next(i for i in range(745, 760) if i not in _sampled(1001))  # x about 0.5 on the band's top
    band.insert(peak, ((band[peak - 1][0] + band[peak][0]) / 2, 0.7))
    return [(x0 + side * a, y0 + side * b) for a, b in [*band, band[0]]]


def _sampled(n: int) -> set[int]:
    return set(np.unique(np.linspace(0, n - 1, min(64, n)).astype(int)).tolist())


#: a hole of 4 vertices, two in each arm of the U, its top edge across the notch (all vertices inside)
BRIDGE = [(0.3, 0.6), (0.7, 0.6), (0.7, 0.8), (0.3, 0.8), (0.3, 0.6)]


def test_the_hand_made_holes_are_what_they_claim():
    """The spike is not among the 64 vertices the check sampled; the bridge's vertices are all inside."""
    import shapely

    spiked = _spiked_hole()
    spike = next(i for i, (_, y) in enumerate(spiked) if y > 39.985 + 0.006)
    assert spike not in _sampled(len(spiked)) and len(spiked) == 1001
    shell = shapely.Polygon(_u_shell())
    assert not shell.covers(shapely.LineString(spiked))
    bridge = [(116.300 + 0.010 * a, 39.985 + 0.010 * b) for a, b in BRIDGE]
    assert all(shell.covers(shapely.Point(p)) for p in bridge) and not shell.covers(
        shapely.LineString(bridge)
    )


@pytest.mark.parametrize("hole", ["spiked", "bridge"])
def test_hole_outside_tests_every_vertex_and_edge(hole):
    from urbanrisk.layers.ring_inside import hole_outside

    ring = (
        _spiked_hole() if hole == "spiked" else [(116.300 + 0.010 * a, 39.985 + 0.010 * b) for a, b in BRIDGE]
    )
    assert hole_outside(np.array(_u_shell()), [np.array(ring)])
    inside = [
        (116.300 + 0.010 * a, 39.985 + 0.010 * b) for a, b in [(0.1, 0.1), (0.3, 0.1), (0.3, 0.9), (0.1, 0.1)]
    ]
    assert not hole_outside(np.array(_u_shell()), [np.array(inside)])
    along = [
        (116.300 + 0.010 * a, 39.985 + 0.010 * b) for a, b in [(0.0, 0.0), (0.4, 0.0), (0.4, 0.5), (0.0, 0.0)]
    ]
    assert not hole_outside(np.array(_u_shell()), [np.array(along)])  # on the outer ring: inside


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
@pytest.mark.parametrize("hole", ["spiked", "bridge"])
def test_a_hole_leaving_a_u_shaped_boundary_is_told_by_validate_and_the_run(tmp_path, city, suffix, hole):  # noqa: F811
    """Both went through: GEOS's make_valid added the part of the hole in the notch to the study area."""
    import geopandas as gpd
    import shapely

    ring = (
        _spiked_hole() if hole == "spiked" else [(116.300 + 0.010 * a, 39.985 + 0.010 * b) for a, b in BRIDGE]
    )
    area = tmp_path / f"b.{suffix}"
    shape = shapely.Polygon(_u_shell(), [ring])
    gpd.GeoDataFrame({"id": [0]}, geometry=[shape], crs=4326).to_file(area)
    recipe = raster_recipe(tmp_path, city[0], area={"path": str(area)})
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, "has a hole drawn outside its outer ring")


# --- 4. `urbanrisk incident` with hostile arguments ------------------------------------------------------


@pytest.fixture(scope="module")
def bupt_run(tmp_path_factory) -> Path:
    """The BUPT sample (a 0.7 km campus) run once: its recipe."""
    import yaml

    from conftest import BUPT_OSM

    folder = tmp_path_factory.mktemp("bupt")
    body = yaml.safe_load((ROOT / "recipes" / "beijing-bupt.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(BUPT_OSM)
    body["outputs"]["dir"] = str(folder / "out")
    recipe = folder / "bupt.yaml"
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    code, text = cli("run", "--scheduler", "synchronous", recipe, timeout=300)
    assert code == 0, text
    return recipe


AT = "116.352,39.960"  # inside the BUPT run's cells


@pytest.mark.parametrize("radius", ["inf", "1e308", "50000000", "50001"])
def test_an_incident_radius_past_any_city_is_refused(tmp_path, bupt_run, radius):
    """inf and 1e308 overflowed h3's disk, 5e7 m ran it out of memory: tracebacks."""
    code, text = cli(
        "incident", bupt_run, "--at", AT, "--kind", "fire", "--radius", radius, "--out", tmp_path / "i"
    )
    refused(code, text, "--radius")
    assert "at most 50,000" in text, text
    assert not (tmp_path / "i").exists()


def test_an_incident_radius_of_50_km_is_answered(tmp_path, bupt_run):
    code, text = cli(
        "incident", bupt_run, "--at", AT, "--kind", "fire", "--radius", "50000", "--out", tmp_path / "i"
    )
    assert code == 0, text
    assert "50,000 m: ≥" in text, text  # most of the disc lies past the run's area: a lower bound
    assert (tmp_path / "i" / "incident.json").is_file()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
def test_an_incident_out_on_a_virtual_file_system_is_refused(bupt_run):
    """``--out /proc/self``: a FileNotFoundError traceback after the answer."""
    code, text = cli("incident", bupt_run, "--at", AT, "--kind", "fire", "--out", "/proc/self")
    refused(code, text, "cannot write a file in the folder")


def test_an_incident_out_inside_a_run_folder_is_refused(bupt_run):
    """``--out <outputs.dir>/latest`` wrote the answer into the last good run."""
    latest = bupt_run.parent / "out" / "latest"
    before = sorted(p.name for p in latest.iterdir())
    for out in (latest, latest / "incident"):
        code, text = cli("incident", bupt_run, "--at", AT, "--kind", "fire", "--out", out)
        refused(code, text, "holds the runs of")
        assert "give --out a folder outside it" in text, text
    assert sorted(p.name for p in latest.iterdir()) == before


# --- 5. GBK text whose bytes happen to be UTF-8 -------------------------------------------------------------

HEADER = "id,kind,name,lon,lat,capacity\n"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8
        + HEADER.encode()
        + "1,fire_station,站一,116.305,39.99,10\n".encode()
        + "2,hospital,医院,116.31,39.995,200\n".encode("gbk"),  # a GBK row pasted behind a BOM
        codecs.BOM_UTF8 + (HEADER + "1,fire_station,站一,116.305,39.99,10\n").encode("gbk"),  # GBK, a BOM
        (HEADER + "2,hospital,医院,116.31,39.995,200\n").encode("gbk"),  # GBK, every byte valid UTF-8
    ],
    ids=["bom-and-a-gbk-row", "gbk-behind-a-bom", "gbk-as-utf8"],
)
def test_a_registry_of_gbk_read_as_utf8_is_refused_with_its_chinese(tmp_path, city, data):  # noqa: F811
    """医院 in GBK is D2BD D4BA, which UTF-8 reads as ҽԺ (Cyrillic, Armenian): the names ran as garbage."""
    (tmp_path / "res.csv").write_bytes(data)
    layer = {"res": {"type": "points", "role": "resource", "path": str(tmp_path / "res.csv")}}
    recipe = raster_recipe(tmp_path, city[0], layers=layer)
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, "which is GBK text read as UTF-8")
        assert "'医院' in GBK" in text or "'站一' in GBK" in text, text


@pytest.mark.parametrize(
    "text",
    [
        "1,Пожарная часть № 5,Москва\n2,Ерeван,Երևան\n",  # Russian; an Armenian word beside a Russian one
        "1,Πυροσβεστική,Αθήνα\n2,מכבי אש,תל אביב\n3,إطفاء,دبي\n",  # Greek, Hebrew, Arabic
        "1,Café,Zürich\n2,消防站,北京\n3,Nguyễn Trãi,Hà Nội\n",  # accents, Chinese, Vietnamese
    ],
)
def test_real_text_in_other_alphabets_is_not_taken_for_gbk(text):
    from urbanrisk.layers.encoding import gbk_read_as_utf8

    assert gbk_read_as_utf8((HEADER + text).encode()) == []


# --- 6. a workbook whose first sheet is hidden --------------------------------------------------------------


def _hidden_first_workbook(path: Path) -> Path:
    """An old copy of the registry on a hidden first sheet; the one on screen second."""
    import openpyxl

    book = openpyxl.Workbook()
    old = book.active
    old.title, old.sheet_state = "old", "hidden"
    old.append(["id", "kind", "name", "lon", "lat", "capacity"])
    old.append([1, "shelter", "closed in 2019", 116.312, 39.996, 900])
    current = book.create_sheet("current")
    current.append(["id", "kind", "name", "lon", "lat", "capacity"])
    current.append([1, "shelter", "school yard", 116.305, 39.990, 300])
    current.append([2, "shelter", "park", 116.308, 39.985, 1200])
    book.active = 1
    book.save(path)
    return path


@pytest.mark.parametrize(("sheet", "names"), [(None, ["school yard", "park"]), ("old", ["closed in 2019"])])
def test_the_sheet_excel_shows_is_read_not_a_hidden_one(tmp_path, city, sheet, names):  # noqa: F811
    """The hidden first sheet was read: the shelters on screen were not there, the closed one was."""
    import pandas as pd

    layer = {"type": "points", "role": "resource", "path": str(_hidden_first_workbook(tmp_path / "r.xlsx"))}
    recipe = raster_recipe(
        tmp_path, city[0], layers={"res": {**layer, **({"sheet": sheet} if sheet else {})}}
    )
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    read = pd.read_parquet(tmp_path / "out" / "latest" / "resources.parquet")
    assert sorted(read["name"]) == sorted(names)


# --- 7. a raster of one pixel smaller than a place ---------------------------------------------------------


def test_a_one_pixel_raster_of_a_tenth_of_a_micro_degree_is_read_in_blocks_of_its_own_size(
    tmp_path, monkeypatch
):
    """A place (0.1 km²) is 28,000 such pixels a side: the check padded one pixel to 28,000² zeros (8.7 GB,
    22 CPU s) to find it holds 5 people on 1.2e-10 km² (by hand: 5 / (1e-7 x 111.32)² / cos 40°)."""
    from rasterio.transform import from_origin

    from test_hostile import write_tif
    from urbanrisk.layers import raster_density as density

    sides = []
    blocks = density.block_densities
    monkeypatch.setattr(density, "block_densities", lambda d, km2, k: sides.append(k) or blocks(d, km2, k))
    tif = write_tif(tmp_path / "dot.tif", np.array([[5.0]], "float32"), from_origin(116.30, 40.0, 1e-7, 1e-7))
    most, pixel_top, place_top, _ = density.raster_density(tif)
    by_hand = 5 / ((1e-7 * 111.32) ** 2 * np.cos(np.radians(40.0 - 0.5e-7)))
    assert most == 5 and pixel_top == pytest.approx(by_hand, rel=1e-6) and place_top == pytest.approx(by_hand)
    assert sides == [1]


# --- 8. an OSM node at latitude 91 ------------------------------------------------------------------------


def test_an_osm_node_out_of_range_is_an_error_not_an_abort(tmp_path):
    """libosmium's writer failed on the way through that node, and freeing it aborted the process
    (std::terminate, exit 134) right after the clear message: a scheduler saw a crash. In a subprocess."""
    import subprocess
    import sys

    osm = tmp_path / "lat91.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hostile">\n'
        '<bounds minlat="39.98" minlon="116.30" maxlat="40.00" maxlon="116.32"/>\n'
        '<node id="1" lat="91" lon="116.305"/><node id="2" lat="39.99" lon="116.306"/>\n'
        '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n</osm>\n',
        encoding="utf-8",
    )
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        f"name: r\narea: {{bbox: [116.30, 39.98, 116.32, 40.0]}}\ngrid: {{resolution: 9}}\n"
        f"layers:\n  osm: {{type: osm, path: {osm}}}\noutputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "urbanrisk", "run", "--scheduler", "synchronous", str(recipe)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "invalid location" in said and "terminate called" not in said, said


# --- 9. storeys written with an exponent ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "storeys"), [("1e308", None), ("1E3", None), ("1.2e1", 12.0), ("5;7", 5.0)])
def test_storeys_with_an_exponent_are_read_whole(text, storeys):
    """``building:levels=1e308`` was read as 1 storey (the digits before the e): a silent wrong floor area,
    where 9999 (as absurd) took the use's default."""
    from urbanrisk.layers.buildings import parse_levels

    got = parse_levels(text)
    assert (np.isnan(got) and storeys is None) or got == storeys


# --- 10. a raster of complex numbers ---------------------------------------------------------------------


def test_a_raster_of_complex_numbers_is_refused_in_both_languages(tmp_path):
    """Its real part was read as people (a ComplexWarning in validate's output), the run went through."""
    from rasterio.transform import from_origin

    from test_hostile import write_tif
    from urbanrisk.outputs.i18n_checks import check_text

    data = (np.random.default_rng(0).random((20, 20)) * 10 + 1j).astype("complex64")
    recipe = raster_recipe(
        tmp_path, write_tif(tmp_path / "c.tif", data, from_origin(116.30, 40.0, 0.001, 0.001))
    )
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, "band 1 holds complex numbers (complex64), not counts of people")
        assert "Warning" not in text, text
        assert check_text(text.strip().splitlines()[-1].strip(), "zh").endswith("请给出每像元人数的栅格"), (
            text
        )
