"""Invisible format characters in ids and unit codes (zero-width space U+200B, joiners U+200C/D, word
joiner U+2060, a BOM inside a cell U+FEFF): ``A1`` and ``A\u200b1`` look the same and were two sites or
two units, silently (hostile22's leftover): CSV and Excel registries dropped U+200B, U+2060 and U+FEFF
already, not the joiners; GeoJSON, GeoPackage and Shapefile registries and units, and the census join's
keys, dropped none. They are now one id: written twice, refused as any id written twice (validate and
the run); alone, read as it looks and named in the run's note."""

from __future__ import annotations

import pytest

from test_hostile import city, cli, refused  # noqa: F401  (city: the module's fixture)
from test_hostile_round3 import _recipe as units_recipe
from test_hostile_round3 import _units
from test_hostile_round7 import _recipe as raster_recipe
from urbanrisk._errors import LayerError
from urbanrisk.layers.census import unit_key
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.polygons import polygons_from_file
from urbanrisk.outputs.i18n import data_text

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _registry(folder, first: str, second: str):
    csv = folder / "haz.csv"
    csv.write_text(
        f"id,kind,name,lon,lat\n{first},fuel,A,116.305,39.99\n{second},gas,B,116.31,39.992\n",
        encoding="utf-8",
    )
    return csv


@pytest.mark.parametrize("mark", INVISIBLE)
def test_an_id_and_its_twin_with_an_invisible_character_are_one_id_written_twice(tmp_path, city, mark):  # noqa: F811
    csv = _registry(tmp_path, "A1", f"A{mark}1")
    with pytest.raises(LayerError, match="id 'A1' appears more than once"):
        points_from_file(csv, layer="haz", role="hazard")
    recipe = raster_recipe(tmp_path, city[0])
    text = recipe.read_text(encoding="utf-8")
    text = text.replace("layers:\n", f"layers:\n  haz: {{type: points, role: hazard, path: '{csv}'}}\n", 1)
    recipe.write_text(text, encoding="utf-8")
    code, said = cli("validate", recipe)
    refused(code, said, "layers.haz.id_column")
    assert "id 'A1' in row 2 and row 3: ids must be unique" in said, said


def test_invisible_characters_alone_are_removed_and_the_rows_named(tmp_path) -> None:
    csv = _registry(tmp_path, "A1\u200c", "B\u200d2\u2060")
    points = points_from_file(csv, layer="haz", role="hazard")
    assert points["id"].tolist() == ["A1", "B2"]
    note = next(n for n in points.attrs["notes"] if "invisible" in n)
    assert note.startswith(
        "haz: removed invisible characters (zero-width space, joiner, BOM) from 2 of the ids"
    )
    assert "of haz.csv (row 2, row 3)" in note, note
    zh = data_text(note, "zh")
    assert zh.startswith("haz：已从 haz.csv 的 2 个编号中删除不可见字符") and "第 2 行、第 3 行" in zh, zh


def test_units_whose_ids_differ_by_a_zero_width_space_are_one_id(tmp_path) -> None:
    """Two units of different names: validate and the run refuse the clash (one unit would swallow the
    other, as for any id given twice); the units' ids read as they look, the note naming them."""
    _units(tmp_path / "社区.geojson", [("A1", "甲社区"), ("A\u200b1", "乙社区"), ("B2", "丙社区")])
    recipe = units_recipe(tmp_path, {"units": {"type": "polygons", "path": "社区.geojson", "level": "社区"}})
    code, text = cli("validate", recipe)
    refused(code, text, "社区.geojson")
    assert "id 'A1' names several units (甲社区、乙社区) at level community" in text, text
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 2 and "id 'A1' names several units (甲社区、乙社区)" in text, text
    units = polygons_from_file(tmp_path / "社区.geojson", layer="units")
    assert units["id"].tolist() == ["A1", "A1", "B2"]
    note = units.attrs["notes"][0]
    assert "from 1 of the ids of 社区.geojson (unit A1)" in note, note
    assert "单元 A1" in data_text(note, "zh")


def test_a_census_key_is_compared_without_invisible_characters() -> None:
    assert (
        unit_key("1101\u200b08") == unit_key("110108") and unit_key("\ufeff花园路\u2060街道") == "花园路街道"
    )
