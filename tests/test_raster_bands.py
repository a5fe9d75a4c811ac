"""A population raster of several bands: the recipe must say which holds the people (session 21).

Before, band 1 was read whatever the file held: a WorldPop copy whose first band is a data-quality
mask of 1.0 everywhere gave one person a pixel, silently. Now validate and the run refuse the file
until the recipe names the band, listing the bands (with their descriptions); with ``band: 2`` the run
counts exactly the people of the single-band original.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio

from conftest import ACCRA_TIF, accra_recipe, validated
from urbanrisk.cli import main


def _two_bands(folder: Path) -> Path:
    """The shipped Accra WorldPop raster as band 2, behind a band 1 of 1.0 (a quality mask)."""
    with rasterio.open(ACCRA_TIF) as src:
        people, profile = src.read(1), src.profile
    profile.update(count=2)
    path = folder / "accra_two_bands.tif"
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.where(people == src.nodata, people, 1.0).astype(people.dtype), 1)
        dst.write(people, 2)
        dst.set_band_description(1, "quality")
        dst.set_band_description(2, "people")
    return path


def _residents(folder: Path, recipe: Path) -> float:
    assert main(["run", str(recipe)]) == 0
    manifest = json.loads((folder / "out" / "latest" / "manifest.json").read_text("utf-8"))
    return manifest["counts"]["residents"]


def test_a_raster_of_two_bands_is_refused_until_the_recipe_names_the_band(tmp_path, capsys):
    two = _two_bands(tmp_path)
    layer = {"type": "raster", "path": str(two)}
    code, said = validated(accra_recipe(tmp_path, layers={"population": layer}), capsys)
    assert code == 2, said
    assert "has 2 bands (band 1: 'quality', band 2: 'people')" in said
    assert "`band: 1`" in said and "layers.population" in said
    code, said = validated(accra_recipe(tmp_path, layers={"population": {**layer, "band": 2}}), capsys)
    assert code == 0, said


def test_the_named_band_counts_the_people_of_the_single_band_original(tmp_path, capsys):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    one = _residents(tmp_path / "one", accra_recipe(tmp_path / "one"))
    layer = {"type": "raster", "path": str(_two_bands(tmp_path)), "band": 2}
    two = _residents(tmp_path / "two", accra_recipe(tmp_path / "two", layers={"population": layer}))
    assert one > 1000 and two == pytest.approx(one, rel=1e-9)


def test_the_refusal_is_said_in_chinese():
    from urbanrisk.outputs.i18n_checks import check_text

    said = check_text(
        "r.yaml:6: layers.pop.path: /a/p.tif has 2 bands (band 1: 'quality', band 2: 'people') and the "
        "recipe names none: say which holds the people per pixel, e.g. `band: 1` under layers: pop:",
        "zh",
    )
    assert "有 2 个波段" in said and "say which" not in said
