"""Session 16, office16: what a Chinese office's own files still slipped past (each test fails on main).

Hand-made small tables and the shipped Wudaokou extracts; no metropolis run.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely

from test_hostile import city, cli, raster_recipe  # noqa: F401  (city: the module's fixture)
from urbanrisk._errors import LayerError
from urbanrisk.layers import census, table_rows
from urbanrisk.layers.census import read_census
from urbanrisk.layers.points import default_kind_names, points_from_file
from urbanrisk.layers.tabular import Rows
from urbanrisk.outputs.i18n import data_text
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.outputs.i18n_exposure import zh_bounds
from urbanrisk.preflight_points import unknown_kinds_text
from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

CELL = h3.latlng_to_cell(39.99, 116.33, 9)


def test_census_reads_totals_with_the_registries_test(tmp_path: Path) -> None:
    """One total-row test for census and registries; a 街道's 小计 in the key column is a total, not a
    unit."""
    path = tmp_path / "pop.csv"
    path.write_text("社区,常住人口\n花园路社区,1200\n北太平庄街道小计,1200\n合计,1200\n", encoding="utf-8")
    table = read_census(path, key_column="社区", count_column="常住人口", layer="pop")
    assert table.keys == ["花园路社区"]
    assert any("skipped the total rows (row 3, row 4)" in note for note in table.notes), table.notes
    assert census.total_row is table_rows.total_row
    assert not hasattr(census, "TOTAL_WORDS")


def _exposed_60(grid, centres, radii, utm_crs, weights=None):
    """60 residents in every 500 m circle, all of it measured."""
    return np.tile([60.0, 0.0, 1.0, math.pi * 500.0**2], (len(radii), 1))


def test_a_bare_number_taken_as_tonnes_is_said_in_the_basis_and_the_notes(tmp_path: Path) -> None:
    """液氯 '10' (no unit in the cell, no 单位 column, no unit in the header) is 10 t: S = 10/5 = 2,
    Σβq/Q = 4×10/5 = 8, α 1.5 (60 people): R 12, 三级 — as before, now said; '10吨' says nothing."""
    path = tmp_path / "台账.csv"
    path.write_text(
        "名称,类别,物质,最大存量,经度,纬度\n甲厂,chemical,液氯,10,116.33,39.99\n乙厂,chemical,液氯,10吨,116.34,39.99\n",
        encoding="utf-8",
    )
    points = points_from_file(path, layer="haz", role="hazard", kind_column="类别")
    assert points["quantity_t"].tolist() == ["10", "10吨"]
    notes = [n for n in points.attrs["notes"] if "no unit" in n]
    assert notes == [
        "haz: 1 quantity of 台账.csv has no unit (row 2) and was taken as tonnes (GB 18218's unit): write "
        "the unit in the cell (800 kg), in a unit column or in the column's header (quantity (t))"
    ]  # English words only: the English report shows it (test_english_pages)
    assert data_text(notes[0], "zh").startswith("haz：台账.csv 中有 1 个存量未写单位（row 2），已按吨")
    assert data_text(notes[0], "zh").endswith("或写在“单位”列或表头中（最大存量（吨））")
    grid = gpd.GeoDataFrame(
        {"residents": [60.0]}, geometry=[shapely.Point(116.33, 39.99)], index=[CELL], crs=4326
    )
    out = major_hazard_grades(points, grid, gb18218_table(), utm_crs="EPSG:32650", exposed_of=_exposed_60)
    assert out["gb18218_R"].tolist() == [12.0, 12.0] and out["gb18218_grade"].tolist() == ["三级", "三级"]
    assert out["gb18218_basis"].tolist() == [
        "α 1.5 × (氯 4×10/5); no unit written ('10'): taken as tonnes",
        "α 1.5 × (氯 4×10/5)",
    ]
    assert zh_bounds(out["gb18218_basis"].iloc[0]) == "α 1.5 × (氯 4×10/5)；未写单位（'10'）：按吨计"


def test_the_zh_unknown_kind_messages_name_the_kinds_in_chinese(tmp_path: Path) -> None:
    """validate's and the run's unknown-kind messages in zh list 加油站（fuel）, not fuel alone."""
    rows = Rows(["类别"], [["加油占"]], header_line=1, sheet=None)
    names = default_kind_names("hazard")
    validate = check_text(unknown_kinds_text("台账.csv", "hazard", [(0, "加油占")], rows, names), "zh")
    assert "已知类别：危险化学品场所（chemical）、烟花爆竹/民爆（explosives）、加油站（fuel）" in validate, (
        validate
    )
    path = tmp_path / "台账.csv"
    path.write_text("名称,类别,经度,纬度\n甲,加油占,116.33,39.99\n", encoding="utf-8")
    with pytest.raises(LayerError) as refused:
        points_from_file(path, layer="haz", role="hazard", kind_column="类别")
    run = check_text(str(refused.value), "zh")
    assert "已知类别：危险化学品场所（chemical）" in run and "known kinds" not in run, run
    assert "加油站（fuel）、燃气设施（gas）" in run


def _units_and_registry(folder: Path, tif: Path) -> Path:
    """Two 社区 side by side (北邮 west of 116.31, 蓟门里 east); a 台账 whose row 3 says 蓟门里社区 of a
    point in 北邮, row 4 lies in no unit, row 5 writes 蓟门里 without its level word."""
    from shapely.geometry import box

    units = gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": ["北邮社区", "蓟门里社区居委会"]},
        geometry=[box(116.300, 39.98, 116.310, 40.0), box(116.310, 39.98, 116.320, 40.0)],
        crs=4326,
    )
    units.to_file(folder / "社区.geojson")
    registry = folder / "台账.csv"
    registry.write_text(
        "名称,类别,所属街道,社区,经度,纬度\n"
        "甲站,fuel,北太平庄街道,北邮社区,116.305,39.99\n"
        "乙站,fuel,北太平庄街道,蓟门里社区,116.306,39.99\n"
        "丙站,fuel,北太平庄街道,北邮社区,116.40,39.99\n"
        "丁站,fuel,北太平庄街道,蓟门里,116.315,39.99\n",
        encoding="utf-8",
    )
    layers = {
        "units": {"type": "polygons", "path": str(folder / "社区.geojson"), "level": "community"},
        "haz": {"type": "points", "role": "hazard", "path": str(registry), "kind_column": "类别"},
    }
    return raster_recipe(folder, tif, layers=layers)


def test_a_registrys_community_other_than_where_its_point_lies_is_said(tmp_path, city):  # noqa: F811
    """乙站's 社区 says 蓟门里, its point lies in 北邮: a typo in one of them; said by validate and the run
    (en), nothing re-assigned; the 街道 column is not compared (the recipe has no 街道 units)."""
    recipe = _units_and_registry(tmp_path, city[0])
    said = (
        "haz: 1 row names in column '社区' of 台账.csv another unit than the one the point lies in (row 3: "
        "'蓟门里社区', its point in '北邮社区'): a typo in the name or in the coordinates; check them "
        "(nothing is re-assigned: each point counts where it lies)"
    )
    code, text = cli("validate", recipe)
    assert code == 0 and said in text, text
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0 and said in text, text
    zh = data_text(said, "zh")
    assert zh.startswith(
        "haz：台账.csv 的“社区”列中有 1 行所写单位与其坐标所在单位不同（row 3: '蓟门里社区'"
    ), zh
