"""Recipe validation: the issue's example validates; every error class names its line and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from urbanrisk import RecipeError, load_recipe
from urbanrisk.cli import main
from urbanrisk.recipe import recipe_from_text

RECIPES = ROOT / "recipes"

EXAMPLE = """\
name: beijing-wudaokou
title: Beijing · Haidian · Wudaokou
area: {layer: osm}            # or {bbox: [minlon, minlat, maxlon, maxlat]} or {path: boundary.geojson}
grid: {resolution: 10}
layers:
  osm: {type: osm, path: ../layers/beijing-wudaokou/wudaokou_2017.osm}
  population: {type: population_from_buildings, source: osm, floor_area_per_person_m2: 38.6}
  hazards:
    type: points
    path: ../layers/beijing-wudaokou/hazards.csv
    lon: lon
    lat: lat
    severity: {column: severity, order: 4_is_most_severe}
outputs: {dir: ../outputs/beijing-wudaokou}
"""


def problems(text: str, base: Path = RECIPES) -> list[str]:
    with pytest.raises(RecipeError) as info:
        recipe_from_text(text, base_dir=base, source="r.yaml")
    return info.value.problems


def test_issue_example_validates_as_is():
    recipe = recipe_from_text(EXAMPLE, base_dir=RECIPES)
    assert recipe.name == "beijing-wudaokou"
    assert recipe.grid.resolution == 10
    assert recipe.layers["population"].floor_area_per_person_m2 == 38.6
    # relative paths resolve against the recipe's folder
    assert Path(recipe.layers["osm"].path) == ROOT / "layers" / "beijing-wudaokou" / "wudaokou_2017.osm"
    assert Path(recipe.outputs.dir) == ROOT / "outputs" / "beijing-wudaokou"


def test_layer_store_path_resolves_against_the_recipe_folder_and_urls_stay():
    local = recipe_from_text(EXAMPLE + "compute: {store: ../store}\n", base_dir=RECIPES)
    assert Path(local.compute.store) == ROOT / "store"
    remote = recipe_from_text(EXAMPLE + "compute: {store: 'memory://bucket/store'}\n", base_dir=RECIPES)
    assert remote.compute.store == "memory://bucket/store"  # s3:// too, with s3fs (not installed here)


@pytest.mark.parametrize("name", sorted(p.name for p in RECIPES.glob("*.yaml")))
def test_shipped_recipes_validate(name):
    assert load_recipe(RECIPES / name).name == name.removesuffix(".yaml")


def test_unknown_key_names_line_and_nearest_valid_key():
    text = EXAMPLE.replace("grid: {resolution: 10}", "grid: {resolution: 10, partiton_resolution: 7}")
    (msg,) = problems(text)
    assert msg.startswith("r.yaml:4: grid.partiton_resolution: unknown key 'partiton_resolution'")
    assert "did you mean 'partition_resolution'?" in msg


def test_unknown_layer_option_suggests_the_right_one():
    text = EXAMPLE.replace("    lat: lat\n", "    lat: lat\n    cords: gcj02\n")
    (msg,) = problems(text)
    assert msg.startswith("r.yaml:13: layers.hazards.cords: unknown key 'cords'")
    assert "did you mean 'coords'?" in msg


def test_unknown_layer_type():
    (msg,) = problems(EXAMPLE.replace("type: points", "type: pionts"))
    assert msg.startswith("r.yaml:8: layers.hazards: unknown layer type 'pionts'")
    assert "did you mean 'points'?" in msg


def test_missing_file_names_resolved_path_and_fix():
    (msg,) = problems(EXAMPLE.replace("hazards.csv", "hazard.csv"))
    assert msg.startswith("r.yaml:10: layers.hazards.path: file not found:")
    assert str(ROOT / "layers" / "beijing-wudaokou" / "hazard.csv") in msg
    assert "relative paths resolve against the recipe's folder" in msg


@pytest.mark.parametrize("value", ["16", "-1", "9.5", "ten", "true"])  # true: read as resolution 1
def test_bad_resolution(value):
    (msg,) = problems(EXAMPLE.replace("resolution: 10", f"resolution: {value}"))
    assert msg.startswith("r.yaml:4: grid.resolution: bad H3 resolution")
    assert "whole number from 0 to 15" in msg


def test_lonlat_outside_range():
    text = EXAMPLE.replace("area: {layer: osm}", "area: {bbox: [116.3, 39.9, 216.4, 40.0]}")
    (msg,) = problems(text)
    assert msg.startswith("r.yaml:3: area.bbox: lon/lat outside range")


def test_swapped_bbox_is_explained():
    text = EXAMPLE.replace("area: {layer: osm}", "area: {bbox: [39.9, 116.3, 40.0, 116.4]}")
    (msg,) = problems(text)
    assert "look like [minlat, minlon, maxlat, maxlon]" in msg


def test_every_problem_reported_at_once_in_line_order():
    text = (
        EXAMPLE.replace("area: {layer: osm}", "area: {layer: osmm}")
        .replace("resolution: 10", "resolution: 16")
        .replace("source: osm,", "source: hazards,")
        .replace("hazards.csv", "nothere.csv")
        .replace("outputs: {dir:", "outputz: {dir:")
    )
    found = problems(text)
    assert len(found) == 5
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines) == [3, 4, 7, 10, 14]
    assert "did you mean 'osm'?" in found[0]
    assert "source 'hazards' is not an osm layer" in found[2]
    assert "unknown key 'outputz'" in found[4] and "did you mean 'outputs'?" in found[4]


def test_a_key_written_twice_is_refused_not_silently_overwritten():
    """YAML keeps the last of two equal keys: a second `hazards:` layer (a second registry pasted under
    the same name) dropped the first from the run without a word, and a second `grid:` its resolution."""
    text = EXAMPLE.replace("grid: {resolution: 10}", "grid: {resolution: 10}\ngrid: {resolution: 7}")
    text = text.replace(
        "outputs:", "  hazards: {type: points, path: ../layers/beijing-wudaokou/hazards.csv}\noutputs:"
    )
    found = problems(text)
    assert found == [
        "r.yaml:5: grid: written twice (lines 4 and 5): YAML keeps only the last, silently; keep one",
        "r.yaml:15: layers.hazards: written twice (lines 9 and 15): YAML keeps only the last, silently; "
        "give each layer its own name",
    ]


def test_yaml_1_1_base_60_and_octal_numbers_are_refused_not_read_as_90_and_8():
    """PyYAML reads an unquoted `1:30` as 90 (base 60) and `010` as 8 (octal): a fire limit of "1:30"
    became 90 minutes and a resolution of `010` became 8, silently. Both are refused with the line and
    the fix, with every other problem; `1_000`, `07`, `0x1A` and a quoted '1:30' read as written."""
    text = EXAMPLE.replace("grid: {resolution: 10}", "grid: {resolution: 010}").replace(
        "outputs:", "coverage: {overrides: {fire: {limit: 1:30}}}\noutputs:"
    )
    assert problems(text) == [
        "r.yaml:4: grid.resolution: '010' is read by YAML as the number 8 (octal: YAML 1.1 reads a leading "
        "0 so): write 10 if you mean that, or quote it ('010') if it is text (a code keeps its zeros only "
        "quoted)",
        "r.yaml:14: coverage.overrides.fire.limit: '1:30' is read by YAML as the number 90 (YAML 1.1 reads "
        "it in base 60): write the number you mean (90?), or quote it ('1:30') if it is text",
    ]
    fine = EXAMPLE.replace("grid: {resolution: 10}", "grid: {resolution: 0_9}").replace(
        "outputs:", "coverage: {overrides: {fire: {limit: 07}}}\noutputs:"
    )
    recipe = recipe_from_text(fine, base_dir=RECIPES, source="r.yaml")
    assert recipe.grid.resolution == 9 and recipe.coverage.overrides["fire"].limit == 7


def test_yaml_syntax_error_names_the_line():
    (msg,) = problems(EXAMPLE.replace("grid: {resolution: 10}", "grid: {resolution: 10"))
    assert msg.startswith("r.yaml:")
    assert "not valid YAML" in msg


def test_python_tags_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = EXAMPLE.replace(
        "title: Beijing · Haidian · Wudaokou",
        f"title: !!python/object/apply:os.system ['touch {marker}']",
    )
    (msg,) = problems(text)
    assert "not valid YAML" in msg
    assert msg.endswith("remove the tag: a recipe holds plain values, and nothing in it is ever executed")
    assert not marker.exists()


def test_a_scalar_where_a_mapping_goes_is_explained_in_words():
    """`area: 5` read "Input should be a valid dictionary or instance of AreaSpec (got 5)"."""
    (area,) = problems(EXAMPLE.replace("area: {layer: osm}", "area: 5"))
    assert (
        area == "r.yaml:3: area: should be a mapping (key: value) with keys such as layer, bbox, path, not 5"
    )
    found = problems(EXAMPLE.split("layers:")[0] + "layers: [a, b]\noutputs: {dir: out}\n")
    assert any(
        "layers: should be a mapping (key: value) of layer names to layers (osm: {type: osm, path: " in p
        for p in found
    ), found


def test_validate_command_exit_codes(tmp_path, capsys):
    assert main(["validate", str(RECIPES / "beijing-wudaokou.yaml")]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace("resolution: 10", "resolution: 99"), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "grid.resolution: bad H3 resolution 99" in err
    assert "layers.osm.path: file not found" in err  # tmp folder: relative paths do not resolve
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 2


def test_validate_refuses_absurd_bbox_job(tmp_path, capsys):
    text = EXAMPLE.replace("area: {layer: osm}", "area: {bbox: [116.0, 39.6, 116.8, 40.2]}").replace(
        "resolution: 10", "resolution: 15"
    )
    path = tmp_path / "absurd.yaml"
    path.write_text(text.replace("../layers", str(ROOT / "layers")), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "H3 cells" in err and "GB of memory" in err and "--force" in err


def test_validate_estimates_cells_from_the_osm_header(tmp_path, capsys):
    assert main(["validate", str(RECIPES / "beijing-wudaokou.yaml")]) == 0
    # the run makes 506 cells (those overlapping the header's box): the estimate counts the boundary
    # band and the cells' local size (before: "about 326", average cells over the box's area alone)
    estimate = int(re.search(r"about ([\d,]+) cells", capsys.readouterr().out)[1].replace(",", ""))
    assert abs(estimate - 506) <= 0.05 * 506, estimate
    absurd = tmp_path / "absurd.yaml"
    text = EXAMPLE.replace("resolution: 10", "resolution: 15").replace("../layers", str(ROOT / "layers"))
    absurd.write_text(text, encoding="utf-8")
    assert main(["validate", str(absurd)]) == 2
    assert re.search(r"use resolution 1[0-3] or coarser", capsys.readouterr().err)  # r14 needs ~600 GB


def test_a_bad_name_and_a_finer_partition_are_explained_by_validate():
    """A name with a slash read "String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'"; a
    partition_resolution finer than the grid passed validate and stopped the run."""
    text = EXAMPLE.replace("name: beijing-wudaokou", "name: 海淀/五道口").replace(
        "grid: {resolution: 10}", "grid: {resolution: 10, partition_resolution: 12}"
    )
    name, grid = problems(text)
    assert name == (
        "r.yaml:1: name: bad name '海淀/五道口': ASCII letters, digits, '_', '.' and '-', starting with a "
        "letter or digit (it names the output folder), e.g. name: beijing-wudaokou; Chinese goes in title:"
    )
    assert grid.startswith("r.yaml:4: grid: partition_resolution (12) is finer than resolution (10)")
