"""Hostile input, what round 7 left (session 13): a population raster of absurd values (3e38 people in a
pixel, a density per km² read as people per pixel), a boundary hole drawn outside its outer ring, a
registry whose file declares a projected CRS over lon/lat numbers, ``--out /proc/self``. Each is told by
``validate`` as by the run, with its fix; good input still passes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from rasterio.transform import from_origin

from conftest import ROOT, write_recipe
from test_hostile import city, cli, refused, write_tif  # noqa: F401  (city: the module's fixture)
from urbanrisk.outputs.i18n_checks import check_text

SHELL = [(116.301, 39.985), (116.318, 39.985), (116.318, 39.998), (116.301, 39.998), (116.301, 39.985)]
ACCRA = ROOT / "layers" / "accra" / "accra_worldpop_2015adj.tif"


def _recipe(folder: Path, tif: Path, *, name: str = "r.yaml", layers: dict | None = None, **extra) -> Path:
    body = {
        "name": "r",
        "area": {"layer": "pop"},
        "grid": {"resolution": 9},
        "layers": {"pop": {"type": "raster", "path": str(tif)}, **(layers or {})},
        "outputs": {"dir": str(folder / "out")},
        **extra,
    }
    return write_recipe(folder, body, name=name)


def _both(recipe: Path) -> list[tuple[int, str]]:
    """``urbanrisk validate`` and ``urbanrisk run`` of a recipe: (exit code, what each said)."""
    return [cli("validate", recipe), cli("run", "--scheduler", "synchronous", recipe, timeout=300)]


# --- 1. population rasters of absurd values -----------------------------------------------------------------


def _city_tif(folder: Path, data: np.ndarray) -> Path:
    return write_tif(folder / "pop.tif", data, from_origin(116.30, 40.0, 0.001, 0.001))


@pytest.mark.parametrize("value", [3.4028235e38, 3e38, 1e9])
def test_a_pixel_of_more_people_than_anyone_could_live_on_is_refused(tmp_path, value):
    """3.4e38 (float32's largest: a nodata not declared) ran through as 3e38 residents in one cell."""
    data = np.random.default_rng(0).random((20, 20)).astype("float32") * 10
    data[5, 7] = value
    recipe = _recipe(tmp_path, _city_tif(tmp_path, data))
    for code, text in _both(recipe):
        refused(code, text, "more than anyone could live on")
        assert f"gdal_edit.py -a_nodata {float(np.float32(value)):.9g}" in text, text
    assert not (tmp_path / "out" / "latest").exists()


def test_a_raster_of_people_per_km2_read_as_per_pixel_is_told_by_validate_and_the_run(tmp_path):
    """30,000 "people" in every 0.001° pixel (0.0095 km²): 3.2 million per km², told, not refused."""
    recipe = _recipe(tmp_path, _city_tif(tmp_path, np.full((20, 20), 30_000, "float32")))
    for code, text in _both(recipe):
        assert code == 0, text
        assert "hold more than 200,000 people per km²" in text, text
        assert "check that the raster is people per pixel" in text, text


def test_the_shipped_accra_worldpop_passes_untold():
    """WorldPop's Accra (100 m pixels, 4,765 people at most: 556,000 per km² in one pixel) is a real
    dense city: neither refused nor told."""
    from urbanrisk.layers.raster_density import density_problems, raster_density

    most, pixel_top, place_top, dense = raster_density(ACCRA)
    assert most == pytest.approx(4765.327, rel=1e-6)
    assert 500_000 < pixel_top < 600_000 and 100_000 < place_top < 200_000 and dense == 0
    assert density_problems(ACCRA) == (None, None)


def test_block_densities_by_hand():
    """Two 2 x 2 blocks of 0.01 km² pixels (the second cut by the edge: its two pixels only)."""
    from urbanrisk.layers.raster_density import block_densities

    data = np.array([[100.0, 0.0, 50.0], [0.0, 2000.0, 30.0]])
    densities = block_densities(data, np.array([0.01, 0.01]), 2)
    assert densities.tolist() == pytest.approx([2100 / 0.04, 80 / 0.02])


# --- 2. a hole drawn outside its outer ring ----------------------------------------------------------------

SMALL_OUT = [(116.320, 39.985), (116.322, 39.985), (116.322, 39.987), (116.320, 39.985)]  # beside the shell
LARGE_OUT = [(116.320, 39.980), (116.360, 39.980), (116.360, 40.020), (116.320, 39.980)]


def _boundary(folder: Path, name: str, shape) -> Path:
    path = folder / name
    driver = {"gpkg": "GPKG", "shp": "ESRI Shapefile", "geojson": "GeoJSON"}[name.rsplit(".", 1)[1]]
    gpd.GeoDataFrame({"id": [0]}, geometry=[shape], crs=4326).to_file(path, driver=driver)
    return path


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
@pytest.mark.parametrize("hole", [SMALL_OUT, LARGE_OUT], ids=["smaller", "larger"])
def test_a_hole_outside_its_shell_is_told_as_such(tmp_path, city, suffix, hole):  # noqa: F811
    """The larger was told "a hole that cancels its polygon"; the smaller was added to the study area."""
    area = _boundary(tmp_path, f"b.{suffix}", shapely.Polygon(SHELL, [hole]))
    for code, text in _both(_recipe(tmp_path, city[0], area={"path": str(area)})):
        refused(code, text, "has a hole drawn outside its outer ring")
        assert "cancels" not in text, text


def test_a_shapefile_hole_outside_every_shell_is_read_as_gdal_reads_it(tmp_path, city):  # noqa: F811
    """GDAL reads a Shapefile's counter-clockwise ring outside every outer ring as a polygon of its own
    (the run went through); validate refused it as "a hole that cancels its polygon"."""
    area = _boundary(tmp_path, "b.shp", shapely.Polygon(SHELL, [LARGE_OUT]))
    code, text = cli("validate", _recipe(tmp_path, city[0], area={"path": str(area)}))
    assert code == 0, text


def test_a_hole_inside_or_touching_its_shell_still_validates(tmp_path, city):  # noqa: F811
    touching = [(116.301, 39.985), (116.305, 39.990), (116.305, 39.988), (116.301, 39.985)]
    area = _boundary(tmp_path, "b.geojson", shapely.Polygon(SHELL, [touching]))
    code, text = cli("validate", _recipe(tmp_path, city[0], area={"path": str(area)}))
    assert code == 0, text


# --- 3. a registry whose file declares a projected CRS over lon/lat numbers --------------------------------

SITES = [(116.305, 39.990), (116.310, 39.992), (116.315, 39.995)]


def _sites(folder: Path, name: str, crs: int, xy=SITES) -> Path:
    path = folder / name
    frame = gpd.GeoDataFrame(
        {"id": range(len(xy)), "kind": "fuel", "name": ["A", "B", "C"][: len(xy)]},
        geometry=gpd.points_from_xy(*zip(*xy, strict=True)),
        crs=crs,
    )
    frame.to_file(path, driver="GPKG" if name.endswith(".gpkg") else "GeoJSON")
    return path


def _with_registry(folder: Path, tif: Path, registry: Path, **spec) -> Path:
    haz = {"type": "points", "role": "hazard", "path": str(registry), **spec}
    return _recipe(folder, tif, area={"bbox": [116.30, 39.98, 116.32, 40.0]}, layers={"haz": haz})


@pytest.mark.parametrize("name", ["haz.geojson", "haz.gpkg"])
def test_a_registry_declaring_epsg3857_over_lon_lat_is_told(tmp_path, city, name):  # noqa: F811
    """Read as metres, the sites lay 12 km off the Gulf of Guinea: the run only noted that none was in the
    study area (and screened no hazard)."""
    registry = _sites(tmp_path, name, 3857)
    if name.endswith(".geojson"):
        assert "3857" in json.dumps(json.loads(registry.read_text())["crs"])
    for code, text in _both(_with_registry(tmp_path, city[0], registry)):
        refused(code, text, "the CRS is mislabelled")
        assert "3 of 3 points" in text and "declare EPSG:4326" in text, text


def test_a_recipe_crs_declaring_metres_over_lon_lat_is_told(tmp_path, city):  # noqa: F811
    registry = _sites(tmp_path, "haz.gpkg", 4326)
    recipe = _with_registry(tmp_path, city[0], registry)
    assert cli("validate", recipe)[0] == 0  # the file's own CRS (lon/lat) is used
    shp = tmp_path / "shp"
    shp.mkdir()
    gpd.read_file(registry).to_file(shp / "haz.shp")
    (shp / "haz.prj").unlink()  # no CRS in the file: the recipe's is used
    recipe = _with_registry(tmp_path, city[0], shp / "haz.shp", crs="EPSG:3857")
    refused(*cli("validate", recipe), "`crs: EPSG:3857` declares a projected CRS")


def test_a_geopackage_declaring_lon_lat_over_metres_is_told_by_validate(tmp_path, city):  # noqa: F811
    """The run refused it ("give `crs:`", which the file's own CRS overrides); validate said ok."""
    metres = gpd.GeoSeries(gpd.points_from_xy(*zip(*SITES, strict=True)), crs=4326).to_crs(32650)
    registry = _sites(tmp_path, "haz.gpkg", 4326, list(zip(metres.x, metres.y, strict=True)))
    for code, text in _both(_with_registry(tmp_path, city[0], registry)):
        refused(code, text, "the file declares lon/lat, but its coordinates go beyond it")
        assert "ogr2ogr -a_srs EPSG:<code>" in text, text


def test_a_registry_in_true_metres_still_validates(tmp_path, city):  # noqa: F811
    metres = gpd.GeoSeries(gpd.points_from_xy(*zip(*SITES, strict=True)), crs=4326).to_crs(3857)
    registry = _sites(tmp_path, "haz.gpkg", 3857, list(zip(metres.x, metres.y, strict=True)))
    code, text = cli("validate", _with_registry(tmp_path, city[0], registry))
    assert code == 0, text


# --- 4. --out on a virtual file system -------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
def test_out_on_a_virtual_file_system_says_why_not_no_space(tmp_path, city):  # noqa: F811
    """/proc holds 0 bytes of 0: any failed write there was told "no space left"."""
    recipe = _recipe(tmp_path, city[0])
    code, text = cli("run", "--out", "/proc/self", "--scheduler", "synchronous", recipe)
    refused(code, text, "cannot write a file in the folder")
    assert "no space" not in text and "virtual file system" in text, text


# --- the messages in Chinese -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "r.yaml:5: layers.pop.path: p.tif: a pixel of band 1 holds 3e+38 people (3.2e+40 per km²), more "
            "than anyone could live on (at most 10,000,000 per km²): if 3.00000005e+38 marks pixels without "
            "data, declare it (gdal_edit.py -a_nodata 3.00000005e+38 FILE); else give the raster of people "
            "per pixel (not per km², not scaled)",
            "r.yaml:5: layers.pop.path: p.tif：第 1 波段的一个像元有 3e+38 人",
        ),
        (
            "p.tif: 4 places of about 0.1 km² hold more than 200,000 people per km² (the densest 3,164,000), "
            "as dense as the world's most crowded districts: check that the raster is people per pixel (not "
            "per km², not scaled)",
            "p.tif：有 4 处约 0.1 平方公里的地方每平方公里超过 200,000 人",
        ),
        (
            "area: b.gpkg has a hole drawn outside its outer ring (an inner ring not inside the polygon it "
            "belongs to, which would add its own area or cancel the polygon): draw the hole inside the outer "
            "ring, or give that ring as a polygon of its own if it is part of the study area",
            "研究区：b.gpkg 有一个画在外环之外的洞",
        ),
        (
            "r.yaml:9: layers.haz.path: haz.gpkg: the file declares a projected CRS (metres), but its "
            "coordinates are lon/lat in the study area (3 of 3 points; read as metres, none is): the CRS is "
            "mislabelled; declare EPSG:4326 (ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg; a GeoJSON: remove "
            "its crs member), or remove `crs:`",
            "r.yaml:9: layers.haz.path: haz.gpkg：该文件声明的是投影坐标系（米）",
        ),
        (
            "r.yaml:9: layers.haz.path: haz.gpkg: the file declares lon/lat, but its coordinates go beyond "
            "it (e.g. 441000, 4420000: projected metres?): the CRS is mislabelled; give the file its true "
            "CRS (ogr2ogr -a_srs EPSG:<code> out.gpkg in.gpkg)",
            "r.yaml:9: layers.haz.path: haz.gpkg：该文件声明的是经纬度，但其坐标超出了经纬度范围",
        ),
        (
            "/proc/self: cannot write a file in the folder (No such file or directory): it is not a folder "
            "files can be written to (a virtual file system such as /proc or /sys?); give --out / "
            "outputs.dir a folder you can write to",
            "/proc/self：无法在该文件夹中写入文件（No such file or directory）",
        ),
    ],
)
def test_the_messages_read_in_chinese(english, chinese):
    said = check_text(english, "zh")
    assert said.startswith(chinese), said
    assert not re.search(r"[a-z]{4,} [a-z]{4,} [a-z]{4,}", said), said  # no English sentence left
