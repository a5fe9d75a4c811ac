"""responsibility.xlsx on hand cases (session 20, duty21): no run. The whole workbook on real data is in
tests/test_hazard_kept.py (south Tsinghua)."""

from __future__ import annotations

import pandas as pd

from urbanrisk.outputs import tables
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.report_sections import NO_BOOK
from urbanrisk.outputs.responsibility_book import display_width, grade_sheets, write_responsibility_book


def _items(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"item_type": ["hazard_source"] * n, "name": [f"加油站 {i}" for i in range(n)], "grade": ["II"] * n}
    )


def test_a_list_longer_than_the_cap_gets_no_workbook_and_the_report_says_so(tmp_path, monkeypatch):
    """openpyxl writes ~4,000 rows a CPU second: a 100,000-source list would add ~25 s to the run."""
    monkeypatch.setattr(tables, "MAX_BOOK_ROWS", 3)
    assert tables.write_tables({"responsibility": _items(4)}, tmp_path) == [
        "responsibility.parquet",
        "responsibility.csv",
    ]
    assert not (tmp_path / "responsibility.xlsx").exists()
    (tmp_path / "short").mkdir()
    assert "responsibility.xlsx" in tables.write_tables({"responsibility": _items(3)}, tmp_path / "short")
    zh = translator("zh")(NO_BOOK, n="100,000", most="20,000")
    assert (
        zh == "清单共 100,000 项（超过 20,000 项），未生成 responsibility.xlsx：请使用 responsibility.csv。"
    )


def test_sheets_widths_and_a_control_character(tmp_path):
    from openpyxl import load_workbook

    assert display_width("THS-H01") == 7 and display_width("加油站（II级）") == 14
    frame = pd.DataFrame({"grade": ["IV", "no data"], "name": ["a\x07b", "x" * 200]})
    assert [name for _, name, _ in grade_sheets(frame, "en")] == [
        "I (red)",
        "II (orange)",
        "III (yellow)",
        "IV (blue)",
        "no data",
    ]
    write_responsibility_book(frame, ["grade", "name"], tmp_path / "b.xlsx", "en")
    book = load_workbook(tmp_path / "b.xlsx")
    assert book["IV (blue)"]["B2"].value == "ab"  # a bell character: no sheet may hold it
    long = book["no data"]
    assert long.column_dimensions["B"].width == 60 and long["B2"].alignment.wrap_text  # capped, wrapped
    assert long["A2"].value == "no data"  # English keeps the grade's key
