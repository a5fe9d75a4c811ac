"""``validate`` refuses an ``area: {layer: osm}`` job exactly when the run refuses it.

validate sized such a job from the extract's header box; on the triangle cut of south-east Baltimore
(``tests/data/baltimore_se_triangle.osm.pbf``) at r10 the box makes ~1,661 cells, the footprint the run
grids 987 (986 made). With a cell limit between the two, validate refused a job the run completes;
it now sizes a job the box refuses on the footprint, with the run's own check
(:mod:`urbanrisk.preflight_footprint`)."""

from __future__ import annotations

import pytest
import shapely
import shapely.geometry
import yaml

from conftest import ACCRA_TIF, DATA
from urbanrisk import grid as gridmod
from urbanrisk import jobsize, settings
from urbanrisk._errors import GridError
from urbanrisk.cli import main
from urbanrisk.inputs import load_layers, study_area
from urbanrisk.preflight import estimate_cells, sized_job
from urbanrisk.recipe import load_recipe


def _recipe(folder):
    body = {
        "name": "triangle",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(DATA / "baltimore_se_triangle.osm.pbf")},
            "population": {"type": "population_from_buildings", "source": "osm"},
        },
        "outputs": {"dir": str(folder / "out")},
    }
    path = folder / "recipe.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def test_validate_accepts_what_the_run_accepts_and_refuses_what_it_refuses(tmp_path, monkeypatch, capsys):
    path = _recipe(tmp_path)
    recipe = load_recipe(path)
    box_cells = estimate_cells(recipe)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)  # the run's own study area and check (partitions.build_grid)
    run_cells = gridmod.check_job(area, 10)
    assert box_cells == 1661 and run_cells == 987  # the box: an upper bound

    monkeypatch.setattr(settings, "max_cells", 1200)  # between the two
    assert gridmod.check_job(area, 10) == run_cells  # the run goes on
    assert main(["validate", str(path)]) == 0  # main's validate refused it: "about 1,661 H3 cells"
    out = capsys.readouterr().out
    assert "about 987 cells)" in out and "at most" not in out  # the footprint's count, not a bound

    monkeypatch.setattr(settings, "max_cells", 900)  # below both: refused by both, in the same words
    monkeypatch.setattr(jobsize, "available_memory", lambda: 16 * 10**9)  # the same memory said
    with pytest.raises(GridError) as run_refusal:
        gridmod.check_job(area, 10)
    with pytest.raises(GridError) as validate_refusal:
        sized_job(recipe)
    assert str(validate_refusal.value) == str(run_refusal.value)
    assert "about 987 H3 cells" in str(run_refusal.value)


@pytest.mark.parametrize(
    ("geometry", "resolution", "made"),
    [
        (
            shapely.Polygon(
                shapely.box(-0.25, 5.52, -0.15, 5.62).exterior.coords,  # a square with a hole
                [shapely.box(-0.22, 5.55, -0.18, 5.59).exterior.coords],
            ),
            8,
            235,
        ),
        (
            shapely.MultiPolygon(
                [shapely.box(-0.35, 5.40, -0.31, 5.44), shapely.box(-0.10, 5.60, -0.06, 5.64)]
            ),
            7,
            21,
        ),
    ],
)
def test_validate_and_the_run_size_an_area_file_alike(tmp_path, geometry, resolution, made):
    """An area GeoJSON: validate took the polygon's own area and rings, the run its box's perimeter
    and, for a hole whose ring turns the exterior's way (both counter-clockwise here), the hole's area
    added instead of taken out: the square with a hole at r8 was 238 cells for validate and 295 for the
    run (235 made), the two squares at r7 22 and 47 (21 made): a limit between them and the run
    refused what validate passed. Now both say the same."""
    import json

    from urbanrisk.area_from_file import area_from_file

    path = tmp_path / "area.geojson"
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}
    path.write_text(json.dumps(feature), encoding="utf-8")
    body = {"name": "shape", "area": {"path": str(path)}, "grid": {"resolution": resolution}}
    body["layers"] = {"population": {"type": "raster", "path": str(ACCRA_TIF), "nodata": "empty"}}
    recipe_path = tmp_path / "recipe.yaml"
    recipe_path.write_text(
        yaml.safe_dump({**body, "outputs": {"dir": str(tmp_path / "out")}}), encoding="utf-8"
    )
    area = area_from_file(str(path))
    assert len(gridmod.cells_from_area(area, resolution)) == made
    assert estimate_cells(load_recipe(recipe_path)) == gridmod.check_job(area, resolution)
