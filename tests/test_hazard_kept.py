"""A hazard registry keeps the office's own columns (负责人, 联系电话, 地址) into hazard_sources.parquet,
the responsibility list (责任清单: its CSV with Chinese headers, the report) and the map, in the order the
office wrote them and escaped in every HTML output. Real shipped data: the south Tsinghua recipe, with a
copy of its made-up hazard registry whose 负责人 of one row is hostile markup and one phone a formula."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import urbanrisk as ur
from chromium_pages import browser, open_page  # noqa: F401  (the process's Chromium)
from conftest import LAYERS, shipped_recipe

HOSTILE = '<img src=x onerror="alert(1)">'
KEPT = ["负责人", "联系电话", "地址"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hazard_kept")
    registry = pd.read_csv(
        LAYERS / "beijing-tsinghua-south" / "hazards.csv", dtype=str, keep_default_na=False
    )
    registry.loc[registry["编号"] == "THS-H02", "负责人"] = HOSTILE
    registry.loc[registry["编号"] == "THS-H01", "联系电话"] = "=1+1"  # Excel would run it
    registry.to_csv(folder / "hazards.csv", index=False)
    recipe = shipped_recipe(folder, "beijing-tsinghua-south")
    text = recipe.read_text(encoding="utf-8")
    shipped = str((LAYERS / "beijing-tsinghua-south" / "hazards.csv").resolve())
    recipe.write_text(text.replace(shipped, str(folder / "hazards.csv")), encoding="utf-8")
    result = ur.run_recipe(recipe, scheduler="synchronous")
    return result, result.run_dir


def test_hazard_sources_parquet_keeps_the_columns_in_the_offices_order(run):
    _, folder = run
    table = pd.read_parquet(folder / "hazard_sources.parquet")
    assert [c for c in table.columns if c in KEPT] == KEPT
    rows = table.set_index("id")
    assert rows.loc["THS-H02", "负责人"] == HOSTILE  # data as written: escaped where shown, not here
    assert rows.loc["THS-H03", "联系电话"] == "010-0000-0103"
    assert pd.isna(rows.loc["THS-H04", "联系电话"])  # an empty cell: not known, never ""
    osm = rows[rows["source"] == "OpenStreetMap"]
    assert len(osm) and osm[KEPT].isna().all().all()  # an OSM feature has no 负责人: unknown


def test_the_responsibility_csv_reads_as_a_clerk_needs_it(run):
    _, folder = run
    with open(folder / "responsibility.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    at = head.index("名称")
    assert head[at - 2 : at + 4] == ["编号", "类别代码", "名称", "负责人", "联系电话", "地址"]
    assert {"等级", "主要因素", "街道", "社区"} <= set(head)
    items = [dict(zip(head, row, strict=True)) for row in rows[1:]]
    sources = [r for r in items if r["事项类型代码"] == "hazard_source"]
    ids = [r["编号"] for r in sources if r["编号"].startswith("THS-")]
    assert sorted(ids) == [f"THS-H0{i}" for i in range(1, 6)]  # one row per registry source
    rank = {"I": 0, "II": 1, "III": 2, "IV": 3, "no data": 4}
    grades = [rank[r["等级"]] for r in items]
    assert grades == sorted(grades)  # worst grade first
    by_id = {r["编号"]: r for r in sources}
    assert by_id["THS-H01"]["联系电话"] == "'=1+1"  # quoted: Excel shows it, does not run it
    assert by_id["THS-H04"]["联系电话"] == ""
    assert by_id["THS-H03"]["负责人"] == "赵某（虚构）" and by_id["THS-H03"]["社区"] == "科技园社区"
    assert by_id["THS-H03"]["主要因素"].startswith("严重度一级（4）× 后果")  # why its grade, in Chinese
    assert all(r["负责人"] == "" for r in items if r["事项类型代码"] != "hazard_source")


@pytest.mark.parametrize("page", ["report.html", "map.html"])
def test_kept_hazard_columns_are_shown_escaped(run, page):
    _, folder = run
    text = (folder / page).read_text(encoding="utf-8")
    assert "赵某（虚构）" in text and "010-0000-0103" in text
    assert "<img src=x" not in text and "\\u003cimg src=x" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text.replace("\\u0026", "&")


def test_each_registers_hazards_name_their_rows_of_the_responsibility_list(run):
    """A 社区's register names the sources reaching it; their ids lead to 负责人 and 联系电话."""
    _, folder = run
    with open(folder / "register_community.csv", encoding="utf-8-sig", newline="") as f:
        units = {row["名称"]: row for row in csv.DictReader(f)}
    with open(folder / "responsibility.csv", encoding="utf-8-sig", newline="") as f:
        listed = {row["编号"]: row for row in csv.DictReader(f) if row["事项类型代码"] == "hazard_source"}
    unit = units["西王庄社区"]
    assert unit["影响到的危险源编号"] == "THS-H02; THS-H03"  # worst first, as 影响到的危险源 names them
    assert unit["影响到的危险源"].startswith("燃气设施 海淀燃气双清路液化气供应站（I级）；危险化学品场所")
    for ids in (u["影响到的危险源编号"] for u in units.values()):
        assert all(i in listed for i in ids.split("; ") if i)
    assert listed["THS-H02"]["负责人"] == HOSTILE


def test_registers_carry_each_reaching_sources_kept_columns_beside_its_id(run):
    """A 社区 clerk reads the 负责人 and 联系电话 of each source reaching the unit in its own register,
    in the order of 影响到的危险源编号; a source without one (an OSM feature, an empty phone) shows "–"."""
    _, folder = run
    with open(folder / "register_community.csv", encoding="utf-8-sig", newline="") as f:
        head = next(csv.reader(f))
        f.seek(0)
        units = {row["名称"]: row for row in csv.DictReader(f)}
    at = head.index("影响到的危险源编号")
    assert head[at + 1 : at + 4] == ["危险源负责人", "危险源联系电话", "危险源地址"]  # not the 社区's own
    unit = units["科技园社区"]
    assert unit["影响到的危险源编号"] == "THS-H02; THS-H03; THS-H04; THS-H05"
    assert unit["危险源负责人"] == f"{HOSTILE}; 赵某（虚构）; 孙某（虚构）; 周某（虚构）"
    assert unit["危险源联系电话"] == "010-0000-0102; 010-0000-0103; –; 010-0000-0105"  # H04's is empty
    osm = units["新林院社区"]
    assert osm["影响到的危险源编号"].endswith("; osm:node/380739844")
    assert osm["危险源联系电话"].endswith("; –")  # an OSM source's 联系电话: unknown
    table = pd.read_parquet(folder / "register_community.parquet").set_index("name")
    for name, row in table.iterrows():  # one value per id, whatever the unit
        parts = row["hazard_联系电话"].split("; ") if isinstance(row["hazard_联系电话"], str) else []
        assert len(parts) == len(row["hazard_ids"].split("; ") if row["hazard_ids"] else []), name


def test_the_reports_register_tables_show_the_ids_and_kept_columns_escaped(run):
    _, folder = run
    text = (folder / "report.html").read_text(encoding="utf-8")
    registers = text[text.index("风险清单") : text.index("责任清单")]
    for header in ("影响到的危险源编号", "危险源负责人", "危险源联系电话"):
        assert f"<th>{header}</th>" in registers
    assert "<td>THS-H02; THS-H03; THS-H04; THS-H05</td>" in registers
    assert (
        "<td>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;; 赵某（虚构）; 孙某（虚构）; 周某（虚构）</td>"
        in registers
    )
    assert "<img src=x" not in registers


def test_a_hazard_registry_may_not_keep_a_column_named_ids():
    """Its register column would be hazard_ids, the sources' ids: refused, as urbanrisk's own names."""
    from urbanrisk.resource_columns import reserved_kept_columns

    assert reserved_kept_columns(["负责人", "IDs"], "hazard") == ["IDs"]


def test_the_responsibility_workbook_opens_as_a_clerk_needs_it(run):
    """responsibility.xlsx: a sheet per grade, worst first, the CSV's Chinese headers bold and frozen,
    columns as wide as their Chinese text, cells typed (a formula stays text, codes stay codes)."""
    from openpyxl import load_workbook

    from urbanrisk.outputs.responsibility_book import display_width

    _, folder = run
    with open(folder / "responsibility.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = load_workbook(folder / "responsibility.xlsx")
    assert book.sheetnames == ["I级（红）", "II级（橙）", "III级（黄）", "IV级（蓝）", "无数据"]
    grades = {
        "I级（红）": "I",
        "II级（橙）": "II",
        "III级（黄）": "III",
        "IV级（蓝）": "IV",
        "无数据": "无数据",
    }
    found = {}
    for sheet in book.worksheets:
        head = [c.value for c in sheet[1]]
        assert head == rows[0] and all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        items = [dict(zip(head, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert {i["等级"] for i in items} <= {grades[sheet.title]}
        name = head.index("名称") + 1
        widest = max(display_width(str(i["名称"])) for i in items) if items else 0
        assert sheet.column_dimensions[sheet.cell(1, name).column_letter].width >= min(widest, 60)
        found |= {(i["事项类型代码"], i["编号"]): (sheet, r) for r, i in enumerate(items, start=2)}
    assert len(found) == len(rows) - 1  # every item once
    sheet, at = found[("hazard_source", "THS-H01")]
    phone = sheet.cell(at, rows[0].index("联系电话") + 1)
    assert phone.value == "=1+1" and phone.data_type == "s"  # text as written: Excel does not run it
    sheet, at = found[("hazard_source", "THS-H03")]
    head = rows[0]
    assert sheet.cell(at, head.index("社区代码") + 1).value == "110108027002"  # a code, not 1.1E+11
    assert isinstance(sheet.cell(at, head.index("常住人口") + 1).value, int)
    sheet, at = found[("hazard_source", "THS-H04")]
    assert sheet.cell(at, head.index("联系电话") + 1).value is None  # unknown: empty, never 0 or ""
    sheet, at = found[("hazard_source", "THS-H02")]
    assert sheet.cell(at, head.index("负责人") + 1).value == HOSTILE


def test_the_maps_community_outlines_are_cased(run):
    """South Tsinghua's 社区 over yellow cells (fresh19): their line drawn over a dark casing, one toggle."""
    _, folder = run
    text = (folder / "map.html").read_text(encoding="utf-8")
    assert text.count('"id":"units:community:halo"') == 1 and text.count('"id":"units:community"') == 1
    assert text.index('"id":"units:community:halo"') < text.index('"id":"units:community"')  # under it
    assert 'data-layer="units:community"' in text and 'data-layer="units:community:halo"' not in text


def test_printed_the_wide_tables_fit_across_an_a4_page_and_phones_stay_whole(run, browser):  # noqa: F811
    """fresh21: printed on A4 the 社区 register (1,262 px) lost its last columns and phones broke at each
    hyphen ("010-" / "0000-" / "0202"). The top hazards, the registers and the 责任清单 print across the
    page (landscape: 1,047 px inside its margins) in smaller type, their Chinese headings over two lines;
    a number of digits and hyphens stays on one line."""
    _, folder = run
    page = open_page(browser, folder / "report.html", 1047, 900)
    page.emulate_media(media="print")
    widths = page.evaluate(
        """() => [...document.querySelectorAll('section[data-page="landscape"]')].map(s => [
        s.querySelector('h2').innerText,
        Math.max(...[...s.querySelectorAll('table')].map(t => t.scrollWidth))])"""
    )
    phones = page.evaluate(
        """() => [...document.querySelectorAll('td .nw')].filter(e => /^010-/.test(e.innerText))
        .map(e => e.getClientRects().length)"""
    )
    page.close()
    assert [title for title, _ in widths] == [
        "危险源点",
        "分级风险清单（区—街道—社区—网格）",
        "责任清单（属地与行业责任）",
    ]
    assert all(width <= 1047 for _, width in widths), widths
    assert len(phones) >= 4 and set(phones) == {1}  # the 责任清单's and the registers' phones, whole
