"""A census table (人口统计表) as a 统计局 sends it: a title row, 人口（人） merged across two columns over
户籍人口 and 常住人口, a total row and footnotes. The header was read as its first row, so validate
said there is no column 常住人口 and offered 人口（人）: the 户籍 column, taken silently by whoever
followed the hint. Now the two-row header is refused with the fix (unmerge), in English and Chinese,
as 坐标 over 经度 / 纬度 already was; the table with one header row passes."""

from __future__ import annotations

import json

import openpyxl
import pytest
import shapely

from conftest import BUPT_OSM, validated, write_recipe
from urbanrisk._errors import LayerError
from urbanrisk.layers.census import read_census
from urbanrisk.layers.tabular import rows_from_file

ROWS = [("北太平庄街道", "北邮社区", 5321, 8234), ("北太平庄街道", "蓟门里社区", 4102, 6010)]


def _census(tmp_path, *, merged: bool):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["海淀区第七次全国人口普查社区人口统计表"])
    sheet.merge_cells("A1:D1")
    if merged:
        sheet.append(["街道", "社区", "人口（人）", None])
        sheet.merge_cells("C2:D2")
        sheet.merge_cells("A2:A3")
        sheet.merge_cells("B2:B3")
        sheet.append([None, None, "户籍人口", "常住人口"])
    else:
        sheet.append(["街道", "社区", "户籍人口", "常住人口"])
    for row in ROWS:
        sheet.append(list(row))
    sheet.append(["合计", None, 9423, 14244])
    sheet.append([])
    sheet.append(["注：常住人口为2020年11月1日零时数据。"])
    path = tmp_path / ("七普_合并表头.xlsx" if merged else "七普.xlsx")
    book.save(path)
    return path


def _recipe(tmp_path, table, language):
    units = tmp_path / "社区.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"c{i}", "name": name},
            "geometry": shapely.geometry.mapping(
                shapely.box(116.349 + 0.003 * i, 39.957, 116.352 + 0.003 * i, 39.963)
            ),
        }
        for i, (_, name, _, _) in enumerate(ROWS)
    ]
    units.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return write_recipe(
        tmp_path,
        {
            "name": "census",
            "area": {"bbox": [116.3489, 39.9570, 116.3551, 39.9630]},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "units": {"type": "polygons", "path": str(units), "level": "社区"},
                "population": {
                    "type": "population_table",
                    "path": str(table),
                    "units": "units",
                    "key_column": "社区",
                    "count_column": "常住人口",
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": language},
        },
    )


def test_a_census_header_merged_over_two_rows_is_refused_with_the_fix(tmp_path, capsys):
    table = _census(tmp_path, merged=True)
    code, text = validated(_recipe(tmp_path, table, "zh"), capsys)
    assert code == 2, text
    assert "表头占了两行（街道, 社区, 人口（人） 之下为 户籍人口, 常住人口：合并单元格？）" in text
    assert "（取消合并，如把 户籍人口 / 常住人口 写在第一行）" in text
    assert "人口（人）'" not in text  # no hint towards the merged column (the 户籍 one)
    code, text = validated(_recipe(tmp_path, table, "en"), capsys)
    assert (
        code == 2
        and "its header spans two rows (街道, 社区, 人口（人） over 户籍人口, 常住人口: merged cells?)"
        in text
    )
    assert "unmerge the cells, e.g. 户籍人口 / 常住人口 in the first row" in text
    with pytest.raises(LayerError, match="header spans two rows"):  # the run's reader, the same words
        read_census(table, key_column="社区", count_column="常住人口", layer="population")


def test_the_same_table_with_one_header_row_passes_and_reads_the_resident_column(tmp_path, capsys):
    table = _census(tmp_path, merged=False)
    code, text = validated(_recipe(tmp_path, table, "zh"), capsys)
    assert code == 0, text
    counts = read_census(table, key_column="社区", count_column="常住人口", layer="population")
    assert "8234" in str(counts) and "5321" not in str(counts)


def test_a_registry_row_with_text_in_an_unnamed_column_is_data_not_a_header(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes("名称,类型,,备注\n中国石化,加油站,x,\n".encode("gbk"))
    table = rows_from_file(path, layer="h")
    assert table.columns == ["名称", "类型", "column_3", "备注"] and table.rows == [
        ["中国石化", "加油站", "x", ""]
    ]
