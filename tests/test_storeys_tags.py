"""``building:levels`` values that are no plausible number of storeys (1e20, -2, NaN, inf, 0) were ignored
(the height or the type's default used) without a word, and ``3;4`` read as 3 silently (hostile22's
leftover): the run now counts both in the OSM layer's stats and says so in its notes, in zh too; the
partitioned ingest counts the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_recipe
from urbanrisk.inputs import load_layers
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.outputs.i18n import data_text
from urbanrisk.recipe import load_recipe

#: building:levels as tagged -> storeys the run reads (12: apartments' default; 8: a height of 24 m / 3)
LEVELS = {
    "1e20": 12.0,
    "-2": 12.0,
    "NaN": 12.0,
    "inf": 12.0,
    "0": 12.0,
    "3;4": 3.0,
    "5 floors": 5.0,
    "6": 6.0,
}


def _extract(folder: Path) -> Path:
    nodes, ways = [], []
    for i, value in enumerate([*LEVELS, None]):
        x, y = 116.305 + i * 0.001, 39.99
        corners = [(x, y), (x + 0.0005, y), (x + 0.0005, y + 0.0005), (x, y + 0.0005)]
        ids = [100 + 4 * i + k for k in range(4)]
        nodes += [
            f"<node id='{n}' version='1' lat='{b}' lon='{a}'/>"
            for n, (a, b) in zip(ids, corners, strict=True)
        ]
        tags = "<tag k='building' v='apartments'/>" + (
            f"<tag k='building:levels' v='{value}'/>" if value else "<tag k='height' v='24'/>"
        )
        refs = "".join(f"<nd ref='{n}'/>" for n in [*ids, ids[0]])
        ways.append(f"<way id='{10 + i}' version='1'>{refs}{tags}</way>")
    street = "<way id='99' version='1'><nd ref='100'/><nd ref='104'/><tag k='highway' v='residential'/></way>"
    path = folder / "levels.osm"
    body = "".join(nodes) + "".join(ways) + street
    path.write_text(f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>{body}</osm>\n", "utf-8")
    return path


def test_implausible_storeys_are_ignored_and_counted(tmp_path) -> None:
    osm = osm_from_file(_extract(tmp_path))
    levels = dict(zip(osm.buildings["osm_ref"], osm.buildings["levels"], strict=True))
    assert [levels[f"way/{10 + i}"] for i in range(len(LEVELS) + 1)] == [*LEVELS.values(), 8.0], levels
    assert osm.stats["building_levels_ignored"] == 5 and osm.stats["building_levels_read_loosely"] == 2


@pytest.mark.parametrize("ingest", ["memory", "partitioned"])
def test_the_run_says_how_many_storeys_tags_it_ignored(tmp_path, ingest) -> None:
    path = _extract(tmp_path)
    body = {
        "name": "levels",
        "area": {"layer": "osm"},
        "grid": {"resolution": 9},
        "layers": {"osm": {"type": "osm", "path": str(path)}},
        "outputs": {"dir": str(tmp_path / "out")},
        "compute": {"ingest": ingest},
    }
    notes = load_layers(load_recipe(write_recipe(tmp_path, body))).notes
    said = [note for note in notes if "building:levels" in note]
    assert said == [
        "osm: 5 building(s) of levels.osm tag building:levels with no plausible number of storeys (0 or "
        "fewer, above 200, 1e20, NaN, inf, words): ignored, their height or their type's default storeys "
        "used instead; check those tags",
        "osm: 2 building(s) of levels.osm tag building:levels with more than a number (3;4, 5 floors): the "
        "first number read (3, 5); check those tags",
    ], notes
    assert data_text(said[0], "zh").startswith(
        "osm：levels.osm 中有 5 座建筑物的 building:levels 不是合理的层数"
    )
