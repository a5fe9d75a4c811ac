"""The cells' units in the map's tips, on hand cases (session 19, fresh19): no run."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import h3
import pandas as pd
from shapely.geometry import box

from urbanrisk.outputs.map_unit_tips import cell_unit_lines, with_units


def _registers() -> dict[str, gpd.GeoDataFrame]:
    """A 街道 over the west half of a box and its one 社区 (named with markup) over the west quarter."""
    street = gpd.GeoDataFrame(
        {"id": ["S1", "unassigned"], "name": ["清华园街道", "未划入 unassigned"], "parent_id": ["", ""]},
        geometry=[box(116.30, 39.98, 116.32, 40.00), box(116.32, 39.98, 116.34, 40.00)],
        crs=4326,
    )
    community = gpd.GeoDataFrame(
        {"id": ["C1"], "name": ["南园<b>社区"], "parent_id": ["S1"]},
        geometry=[box(116.30, 39.98, 116.31, 40.00)],
        crs=4326,
    )
    return {"street": street, "community": community}


def test_each_cell_names_its_units_finest_first_escaped_and_nothing_outside_them():
    cells = pd.Index([h3.latlng_to_cell(39.99, lon, 9) for lon in (116.305, 116.315, 116.335)])
    result = SimpleNamespace(screens=SimpleNamespace(registers=_registers()), recipe=None)
    west, middle, east = cell_unit_lines(cells, result, "zh")
    assert west == "社区：南园&lt;b&gt;社区 · 街道：清华园街道"  # a name's markup shown, not obeyed
    assert middle == "街道：清华园街道"  # no 社区 holds it: that level left out
    assert east == ""  # the registers' "unassigned" row is no unit
    assert cell_unit_lines(cells, result, "en")[1] == "street: 清华园街道"
    assert cell_unit_lines(cells, None) == ["", "", ""]  # no registers (no levels): nothing added
    assert cell_unit_lines(cells, SimpleNamespace(screens=SimpleNamespace(registers={}))) == ["", "", ""]


def test_the_units_line_goes_under_the_cells_id():
    assert (
        with_units("<b>单元 a</b><br/>II 较大", "街道：东升地区")
        == "<b>单元 a</b><br/>街道：东升地区<br/>II 较大"
    )
    assert with_units("<b>单元 a</b>", "街道：东升地区") == "<b>单元 a</b><br/>街道：东升地区"
    assert with_units("<b>单元 a</b><br/>II", "") == "<b>单元 a</b><br/>II"
