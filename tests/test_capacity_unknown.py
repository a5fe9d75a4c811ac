"""A capacity a clerk writes as 不详 (or 待定, n/a, —) is unknown, as an empty cell is: it was refused
("not a number") while a quantity of 不详 read as unknown. Text that is no such word (很多) is still
refused, by validate and by the run alike."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import BALTIMORE_PBF, validated, write_recipe
from urbanrisk._errors import LayerError
from urbanrisk.layers.points import points_from_file

LON, LAT = -76.57, 39.285


def _registry(tmp_path, capacities: list[str]):
    rows = [f"S{i},shelter,place {i},{LON + 0.001 * i},{LAT},{c}" for i, c in enumerate(capacities)]
    path = tmp_path / "shelters.csv"
    path.write_text("id,kind,name,lon,lat,容纳人数\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _recipe(tmp_path, registry):
    layer = {"type": "points", "role": "resource", "path": str(registry), "capacity_column": "容纳人数"}
    body = {
        "name": "east-baltimore",
        "area": {"bbox": [-76.575, 39.28, -76.56, 39.29]},
        "grid": {"resolution": 9},
        "layers": {"osm": {"type": "osm", "path": str(BALTIMORE_PBF)}, "shelters": layer},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    return write_recipe(tmp_path, body)


def test_unknown_words_read_as_unknown_capacity(tmp_path, capsys) -> None:
    registry = _registry(tmp_path, ["3000", "不详", " 待定 ", "N/A", "—", ""])
    points = points_from_file(registry, layer="shelters", role="resource", capacity_column="容纳人数")
    assert points["capacity"].iloc[0] == 3000
    assert np.isnan(points["capacity"].iloc[1:].to_numpy(dtype=float)).all()  # unknown, never 0
    code, text = validated(_recipe(tmp_path, registry), capsys)
    assert code == 0, text


def test_other_text_is_still_refused(tmp_path, capsys) -> None:
    registry = _registry(tmp_path, ["3000", "很多"])
    with pytest.raises(LayerError, match="'很多'"):
        points_from_file(registry, layer="shelters", role="resource", capacity_column="容纳人数")
    code, text = validated(_recipe(tmp_path, registry), capsys)
    assert code == 2 and "'很多'" in text
