"""Hostile input, sixth round, what was left (session 12): control characters of untrusted names reaching
the analyst's terminal, a boundary of points only, a boundary drawn across 180° without a cut, a hole that
cancels its polygon. Each case is told by ``validate`` as the run finds it, with its fix, or works.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from conftest import write_recipe
from test_antimeridian import DATA, across_180
from test_hostile import city, cli, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk._stdout import visible
from urbanrisk.recipe import load_recipe

#: what a hostile name may hold: clear the screen, go back to the line's start, ring, reverse the text
HOSTILE = "\x1b[2J\r\x07\u202e"


def _raster_recipe(folder: Path, tif: Path, *, file: str = "r.yaml", out: str = "out", **area) -> Path:
    body = {
        "name": "r",
        "area": area or {"layer": "pop"},
        "grid": {"resolution": 9},
        "layers": {"pop": {"type": "raster", "path": str(tif)}},
        "outputs": {"dir": str(folder / out)},
    }
    return write_recipe(folder, body, name=file)


def _shown_safely(text: str) -> None:
    """No control character but newlines reached the terminal; each is shown as its escape."""
    assert not any(c in text for c in "\x1b\r\x07\u202e"), repr(text)
    assert "\\x1b[2J\\r\\x07\\u202e" in text, text


# --- 1. control characters of untrusted names -----------------------------------------------------------


def test_visible_shows_every_control_character_and_keeps_lines():
    assert (
        visible("a\x1b[31mb\x9bc\x00\u2066\u2028d\n\t医院") == "a\\x1b[31mb\\x9bc\\x00\\u2066\\u2028d\n\t医院"
    )


def test_validate_and_run_show_a_hostile_file_name_escaped(tmp_path, city):  # noqa: F811
    """The recipe's file name and its output folder reach ``validate`` and ``run``'s lines."""
    recipe = _raster_recipe(tmp_path, city[0], file=f"r{HOSTILE}.yaml", out="out\x1b[31m\u202e")
    code, text = cli("validate", recipe)
    assert code == 0, text
    _shown_safely(text)
    code, text = cli("run", "--scheduler", "synchronous", recipe, timeout=300)
    assert code == 0, text
    _shown_safely(text)
    assert "out\\x1b[31m\\u202e" in text  # the run folder's line


@pytest.mark.parametrize("char", ["\t", "\r", "\n"])
def test_an_output_folder_gdal_cannot_write_under_is_refused_before_the_run(tmp_path, city, char):  # noqa: F811
    """GDAL opens no GeoPackage under a path holding a tab, CR or LF: a traceback after the whole run."""
    recipe = _raster_recipe(tmp_path, city[0], out=f"out{char}x")
    for command in ("validate", "run"):
        refused(*cli(command, recipe), "rename the folder")
    good = _raster_recipe(tmp_path, city[0], file="good.yaml")
    refused(*cli("run", "--out", tmp_path / f"o{char}x", good), "rename the folder")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_error_naming_a_hostile_file_shows_it_escaped(tmp_path, city, language):  # noqa: F811
    recipe = _raster_recipe(tmp_path, city[0], path=str(tmp_path / f"area{HOSTILE}.geojson"))
    body = recipe.read_text(encoding="utf-8") + f"report: {{language: {language}}}\n"
    recipe.write_text(body, encoding="utf-8")
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "area")
        _shown_safely(text)


# --- 2. a boundary of points only -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_a_boundary_of_points_only_is_told_by_validate(tmp_path, city, suffix):  # noqa: F811
    points = gpd.GeoDataFrame({"n": [1, 2]}, geometry=shapely.points([(116.305, 39.99), (116.31, 39.995)]))
    area = tmp_path / f"area{suffix}"
    points.set_crs("EPSG:4326").to_file(area)
    recipe = _raster_recipe(tmp_path, city[0], path=str(area))
    code, text = cli("validate", recipe)
    refused(code, text, "holds no polygon (only Point)")
    assert "give the study area's boundary as polygons" in text
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    refused(code, text, "holds no polygon")
    recipe.write_text(recipe.read_text(encoding="utf-8") + "report: {language: zh}\n", encoding="utf-8")
    refused(*cli("validate", recipe), "中没有多边形（只有 Point）")


def test_a_boundary_of_polygons_in_a_geopackage_still_validates(tmp_path, city):  # noqa: F811
    area = tmp_path / "area.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.box(116.302, 39.985, 116.315, 39.998)], crs="EPSG:4326").to_file(area)
    code, text = cli("validate", _raster_recipe(tmp_path, city[0], path=str(area)))
    assert code == 0, text


# --- 3. a boundary drawn across 180° without a cut ------------------------------------------------------


def test_a_boundary_drawn_across_180_without_a_cut_is_read_the_short_way_round(tmp_path):
    """179.9 -> -179.9 in one ring (no cut at 180°, as many tools draw it): it was read as the band round
    the world the long way (validate ok, the run refused on job size); now the 0.2° across 180°."""
    tif = across_180(tmp_path, "below_-180")
    ring = [[179.9, -16.1], [-179.9, -16.1], [-179.9, -15.9], [179.9, -15.9], [179.9, -16.1]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    (tmp_path / "fiji.geojson").write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": geometry})
    )
    recipe = _raster_recipe(tmp_path, tif, path=str(tmp_path / "fiji.geojson"))
    code, text = cli("validate", recipe)
    assert code == 0 and "cells" in text, text
    from urbanrisk.preflight import estimate_cells

    assert 100 < estimate_cells(load_recipe(recipe)) < 10_000  # 0.2° x 0.2° at resolution 9: ~2,400 cells
    code, text = cli("run", "--scheduler", "synchronous", recipe, timeout=300)
    assert code == 0, text
    from urbanrisk.grid_dataset import read_grid

    grid = read_grid(tmp_path / "out" / "latest", ["residents"], geometry=False)
    assert grid["residents"].sum() == pytest.approx(DATA.sum(), rel=1e-6)


# --- 4. a hole identical to its shell -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_a_hole_that_cancels_its_polygon_is_refused_with_the_fix(tmp_path, city, suffix):  # noqa: F811
    """make_valid ran it as the whole shell: the study area the analyst cut away was measured."""
    shell = [(116.302, 39.985), (116.315, 39.985), (116.315, 39.998), (116.302, 39.998), (116.302, 39.985)]
    area = tmp_path / f"area{suffix}"
    gpd.GeoDataFrame(geometry=[shapely.Polygon(shell, [shell[::-1]])], crs="EPSG:4326").to_file(area)
    recipe = _raster_recipe(tmp_path, city[0], path=str(area))
    commands = ("validate", "run") if suffix == ".geojson" else ("run",)  # validate reads GeoJSON's rings
    for command in commands:
        code, text = cli(command, recipe)
        refused(code, text, "has a hole that cancels its polygon")
        assert "remove that ring, or draw the hole inside the outer ring" in text
    recipe.write_text(recipe.read_text(encoding="utf-8") + "report: {language: zh}\n", encoding="utf-8")
    refused(*cli(commands[0], recipe), "抵消了整个多边形的洞")


def test_a_hole_inside_its_shell_still_runs(tmp_path, city):  # noqa: F811
    shell = [(116.302, 39.985), (116.315, 39.985), (116.315, 39.998), (116.302, 39.998), (116.302, 39.985)]
    hole = [(116.305, 39.988), (116.308, 39.988), (116.308, 39.991), (116.305, 39.988)]
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Polygon(shell, [hole])], crs="EPSG:4326").to_file(area)
    recipe = _raster_recipe(tmp_path, city[0], path=str(area))
    code, text = cli("validate", recipe)
    assert code == 0, text
