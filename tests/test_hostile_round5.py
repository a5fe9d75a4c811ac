"""Hostile input, fifth round (session 11): what a generator of malformed recipes, registries, rasters,
OSM files, output folders and spoiled run folders found (/work/bench/hostile11/gen.py, outside the
repository). Each case ends in exit 2 naming the file or key and the fix, or works; never a traceback.
"""

from __future__ import annotations

import pytest

from test_hostile import cli, refused


@pytest.mark.parametrize(
    ("layers", "said"),
    [
        ("  2020: {type: raster, path: x.tif}\n", "layers: the key '2020' reads as a number, not as a name"),
        ("  yes: {type: raster, path: x.tif}\n", "layers: the key 'yes' reads as true/false"),
        ("  ~: {type: raster, path: x.tif}\n", "layers: the key '~' reads as null"),
        ("  ? [a, b]\n  : {type: raster, path: x.tif}\n", "layers: a key written as a list or a mapping"),
    ],
)
def test_a_key_that_is_not_a_name_is_refused_with_its_line(tmp_path, layers, said):
    """`2020:` as a layer's name, `yes:`, `~:` or `? [a, b]`: a TypeError traceback (exit 1)."""
    recipe = tmp_path / "r.yaml"
    text = (
        f"name: r\narea: {{bbox: [116.3, 39.9, 116.31, 39.91]}}\ngrid: {{resolution: 9}}\nlayers:\n{layers}"
    )
    recipe.write_text(text + f"outputs: {{dir: {tmp_path / 'out'}}}\n", encoding="utf-8")
    code, text = cli("validate", recipe)
    refused(code, text, f"{recipe}:5: {said}")
    assert "put it in quotes" in text or "write one name" in text
