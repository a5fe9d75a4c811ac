"""An extract holding objects twice or out of order (two extracts joined with ``osmium cat``, a history
file) is refused by libosmium, and the run says how to mend it (session 21): it said "is it complete?
re-download the extract", which was complete. Each copy counted would have doubled the buildings and
residents of the overlap; the run never reads such a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbanrisk._errors import LayerError
from urbanrisk.layers.osm import osm_from_file

NODES = "".join(
    f"<node id='{i}' version='1' lat='{39.99 + i * 1e-4}' lon='{116.305 + (i % 2) * 1e-4}'/>"
    for i in (1, 2, 3)
)
WAY = (
    "<way id='{id}' version='1'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='1'/>"
    "<tag k='building' v='apartments'/></way>"
)


def _osm(folder: Path, body: str) -> Path:
    path = folder / "joined.osm"
    path.write_text(f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>{body}</osm>\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (NODES + WAY.format(id=10) + WAY.format(id=10), "it holds objects twice"),
        (NODES + WAY.format(id=11) + WAY.format(id=10), "osmium sort joined.osm -o sorted.osm.pbf"),
    ],
)
def test_an_extract_joined_twice_or_unsorted_is_refused_with_its_fix(tmp_path, body, said):
    assert len(osm_from_file(_osm(tmp_path, NODES + WAY.format(id=10))).buildings) == 1  # once: read
    with pytest.raises(LayerError) as refused:
        osm_from_file(_osm(tmp_path, body))
    assert said in str(refused.value) and "osmium merge" in str(refused.value)
    assert "re-download" not in str(refused.value)


def test_the_fixes_are_said_in_chinese(tmp_path):
    from urbanrisk.outputs.i18n_checks import check_text

    twice = NODES + WAY.format(id=10) + WAY.format(id=10)
    for body in (twice, NODES + WAY.format(id=11) + WAY.format(id=10)):
        with pytest.raises(LayerError) as refused:
            osm_from_file(_osm(tmp_path, body))
        said = check_text(str(refused.value), "zh")
        assert "无法读取此 OSM 文件" in said and "osmium merge" in said and "extracts" not in said, said
