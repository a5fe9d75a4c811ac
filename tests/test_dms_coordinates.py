"""Coordinates in degrees, minutes and seconds (度分秒), as surveys and older 台账 write them:
validate said "non-numeric or empty 经度 / 纬度: fix or remove those rows" and the run refused them.
Now they are read, by validate and the run alike (full-width digits, primes or 度分秒, hemispheres);
a malformed one (75 minutes) is still refused. Values by hand: d + m/60 + s/3600."""

from __future__ import annotations

import numpy as np
import pytest

import urbanrisk as ur
from conftest import BUPT_OSM, write_recipe
from urbanrisk.cli import main
from urbanrisk.layers.points import points_from_file

#: (经度, 纬度) as typed, and by hand
ROWS = [
    ("116°20′60.0″", "39°57′32.4″", 116 + 20 / 60 + 60 / 3600, 39 + 57 / 60 + 32.4 / 3600),
    ("东经116度21分10.8秒", "北纬39度57分43.2秒", 116 + 21 / 60 + 10.8 / 3600, 39 + 57 / 60 + 43.2 / 3600),
    ("116°21'16.2\"E", "39°57'27\"N", 116 + 21 / 60 + 16.2 / 3600, 39 + 57 / 60 + 27 / 3600),
    ("１１６°２１′", "39.9580", 116 + 21 / 60, 39.958),  # full-width, minutes only; a decimal beside
]


def _registry(tmp_path, rows):
    lines = ["名称,类型,经度,纬度"] + [
        f"危险源{i},加油站,{lon},{lat}" for i, (lon, lat, *_) in enumerate(rows)
    ]
    path = tmp_path / "危险源台账.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


def _recipe(tmp_path, registry):
    return write_recipe(
        tmp_path,
        {
            "name": "dms",
            "area": {"bbox": [116.3489, 39.9567, 116.3551, 39.9637]},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "hazards": {"type": "points", "role": "hazard", "path": str(registry), "kind_column": "类型"},
            },
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": "zh"},
        },
    )


def test_degrees_minutes_seconds_are_read_by_validate_and_the_run(tmp_path, capsys):
    registry = _registry(tmp_path, ROWS)
    recipe = _recipe(tmp_path, registry)
    assert main(["validate", str(recipe)]) == 0, capsys.readouterr()
    points = points_from_file(registry, layer="hazards", kind_column="类型")
    expected = np.array([(lon, lat) for *_, lon, lat in ROWS])
    assert np.c_[points.geometry.x, points.geometry.y] == pytest.approx(expected, abs=1e-9)
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    assert len(result.screens.hazard_sources) == len(ROWS)


def test_a_malformed_one_is_still_refused_with_its_row(tmp_path, capsys):
    registry = _registry(tmp_path, [*ROWS[:1], ("116°75′10″", "39°57′32″")])
    code = main(["validate", str(_recipe(tmp_path, registry))])
    text = capsys.readouterr()
    assert code == 2
    assert "第 3 行的 '经度' / '纬度' 不是数字或为空" in text.out + text.err
