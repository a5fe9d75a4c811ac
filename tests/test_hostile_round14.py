"""Hostile input, round 14 (session 20, hostile21): a generator of what nobody had tried: an .xlsx with a
stray cell typed at row 1,048,576 (in column A, in column XFD), right of its header in column XFD, far
right of a data row, a few thousand rows down.
Every case: ``urbanrisk validate`` refuses it naming the file, the cell and the fix (in Chinese too), or
says ok and the run's reader reads it right (checked by hand); within seconds, never a traceback, a hang
or a silent wrong number. Small files made in the test; validate and the readers only.
"""

from __future__ import annotations

import bz2
import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from test_hostile import city, cli, raster_recipe, write_tif  # noqa: F401  (city: the module's fixture)
from test_hostile_round12 import ROWS, Case, _near, _recipe, read_right_or_refused_clearly
from test_hostile_round13 import _xlsx
from urbanrisk.layers.raster import raster_info
from urbanrisk.outputs.i18n_checks import check_text

XY = [(x, y) for _, x, y in ROWS]
GOOD = [[n, "加油站", x, y] for n, x, y in ROWS]


# --- Excel: a stray cell --------------------------------------------------------------------------------


def _stray(row: int, column: int) -> Callable[[object], None]:
    return lambda sheet: sheet.cell(row, column, "x")  # type: ignore[attr-defined]


def _stray_value_at_the_last_row(folder: Path, tif: Path) -> Case:
    """'x' typed in A1048576 (Ctrl+Down, then a key): 2 CPU s and 300 MB to read 1,048,571 empty rows."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1_048_576, 1))
    case.said = ("h.xlsx", "A1048576", "Ctrl+End")
    return case


def _stray_value_in_the_last_cell(folder: Path, tif: Path) -> Case:
    """'x' in XFD1048576: every empty row padded to 16,384 cells, past 90 s."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1_048_576, 16_384))
    case.said = ("h.xlsx", "XFD1048576", "Ctrl+End")
    return case


def _stray_header_cell(folder: Path, tif: Path) -> Case:
    """'x' in XFD1, the header's row: a column named x 16,379 columns right of 纬度 (2.5 GB for 20,000
    rows): refused, naming the column."""
    case = _xlsx(folder, tif, GOOD, style=_stray(1, 16_384))
    case.said = ("h.xlsx", "column XFD", "Ctrl+End")
    return case


def _stray_cell_right_of_a_row(folder: Path, tif: Path) -> Case:
    """'x' in XFD3, in no named column: the rows read as the sheet shows them."""
    case = _xlsx(folder, tif, GOOD, style=_stray(3, 16_384))
    case.check = lambda f: _near(f, XY)
    return case


def _stray_cell_thousands_of_rows_down(folder: Path, tif: Path) -> Case:
    """'x' in XFD9000 (a row of no site, under the gap refused): read, each empty row empty (7.8 CPU s and
    1.2 GB when each was 16,384 cells)."""
    case = _xlsx(folder, tif, GOOD, style=_stray(9_000, 16_384))
    case.check = lambda f: _near(f, XY)
    return case


# --- a population raster stored packed ------------------------------------------------------------------


def _raster_packed(folder: Path, tif: Path) -> Case:
    """int16 values of 50 with a GDAL scale of 0.1 (5 people a pixel): read raw, 10 times the people."""
    path = write_tif(
        folder / "p.tif", np.full((20, 20), 50, "int16"), from_origin(116.30, 40.0, 0.001, 0.001)
    )
    with rasterio.open(path, "r+") as dst:
        dst.scales = (0.1,)
    read = lambda: raster_info(path, band=1, layer="pop")  # noqa: E731
    return Case(raster_recipe(folder, path), said=("p.tif", "packed", "gdal_translate -unscale"), read=read)


# --- a recipe typed with a Chinese input method left on ---------------------------------------------------


def _typed(folder: Path, tif: Path, old: str, new: str, said: tuple[str, ...]) -> Case:
    text = raster_recipe(folder, tif).read_text(encoding="utf-8").replace(old, new, 1)
    assert new in text
    return Case(_recipe(folder, text.encode("utf-8")), said=said)


def _full_width_colon(folder: Path, tif: Path) -> Case:
    """'grid：' read as a key 'grid：{resolution' ("did you mean 'grid'?", not why)."""
    return _typed(folder, tif, "grid:", "grid：", ("r.yaml:", "'grid'", "full-width colon", "'grid: '"))


def _full_width_colon_on_the_first_line(folder: Path, tif: Path) -> Case:
    """'name：r' read as text, and YAML failed on line 2 ("mapping values are not allowed here")."""
    return _typed(folder, tif, "name: r", "name：r", ("r.yaml:1:", "'name'", "full-width colon"))


def _full_width_space_indent(folder: Path, tif: Path) -> Case:
    """Two U+3000 before 'pop:': read as a top-level key '\u3000\u3000pop' (layers empty)."""
    return _typed(
        folder, tif, "  pop:", "\u3000\u3000pop:", ("r.yaml:", "full-width space", "ordinary spaces")
    )


def _no_break_space_indent(folder: Path, tif: Path) -> Case:
    return _typed(folder, tif, "  pop:", "\u00a0\u00a0pop:", ("r.yaml:", "no-break space", "ordinary spaces"))


def _full_width_text_in_a_title(folder: Path, tif: Path) -> Case:
    """A title of Chinese with its own '：' and an indented paragraph: read as written."""
    return _typed(folder, tif, "name: r", "name: r\ntitle: |\n  \u3000\u3000北京：海淀区", ())


def _binary_path(folder: Path, tif: Path) -> Case:
    """path: !!binary aGVsbG8= was the path 'hello' ('file not found: .../hello')."""
    return _typed(
        folder, tif, f"path: {tif}", "path: !!binary aGVsbG8=", ("r.yaml:", "!!binary", "remove the tag")
    )


def _integer_of_400_digits(folder: Path, tif: Path) -> Case:
    """A bbox corner of 400 digits was written out whole in the message."""
    text = raster_recipe(folder, tif).read_text(encoding="utf-8")
    text = text.replace("area:\n  layer: pop\n", f"area:\n  bbox: [116.3, 39.98, {'1' * 400}, 40.0]\n")
    assert "1" * 400 in text
    case = Case(_recipe(folder, text.encode("utf-8")), said=("r.yaml:", "area.bbox", "(400 characters)"))
    return case


def _path_ending_with_a_space(folder: Path, tif: Path) -> Case:
    """'city.tif ' in quotes: 'file not found: .../city.tif  — fix the path', the space unseen."""
    text = raster_recipe(folder, tif).read_text(encoding="utf-8").replace(f"path: {tif}", f"path: '{tif} '")
    return Case(_recipe(folder, text.encode("utf-8")), said=("r.yaml:", f"'{tif} '", "delete the space"))


# --- coordinates written as a clerk types them -------------------------------------------------------------


def _csv_rows(folder: Path, tif: Path, cells: Callable[[float, float], tuple[str, str]]) -> Case:
    path = folder / "h.csv"
    path.write_text(
        "名称,类别,经度,纬度\n" + "".join(f"{n},加油站,{','.join(cells(x, y))}\n" for n, x, y in ROWS),
        encoding="utf-8",
    )
    layer = {"type": "points", "role": "hazard", "path": str(path), "kind_column": "类别"}
    return Case(raster_recipe(folder, tif, layers={"x": layer}))


def _hemisphere_letters(folder: Path, tif: Path) -> Case:
    """116.305E / 39.991N: 'non-numeric or empty', not what to write."""
    case = _csv_rows(folder, tif, lambda x, y: (f"{x}E", f"{y}N"))
    case.said = ("h.csv", "'116.305E' in row 2", "hemisphere as a letter", "write 116.305")
    return case


def _west_as_a_letter(folder: Path, tif: Path) -> Case:
    case = _csv_rows(folder, tif, lambda x, y: (f"W{x}", str(y)))
    case.said = ("h.csv", "hemisphere as a letter", "write -116.305")
    return case


def _chinese_full_stop(folder: Path, tif: Path) -> Case:
    """116。305: the input method's full stop for the decimal point."""
    case = _csv_rows(folder, tif, lambda x, y: (str(x).replace(".", "。"), str(y)))
    case.said = ("h.csv", "'116。305' in row 2", "Chinese full stop", "write 116.305")
    return case


GENERATOR: dict[str, Callable[[Path, Path], Case]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _stray_value_at_the_last_row, _stray_value_in_the_last_cell, _stray_header_cell,
        _stray_cell_right_of_a_row, _stray_cell_thousands_of_rows_down, _raster_packed, _full_width_colon,
        _full_width_colon_on_the_first_line, _full_width_space_indent, _no_break_space_indent,
        _full_width_text_in_a_title, _path_ending_with_a_space, _hemisphere_letters, _west_as_a_letter,
        _chinese_full_stop, _binary_path, _integer_of_400_digits,
    )
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GENERATOR))
def test_each_generated_input_is_read_right_or_refused_clearly(tmp_path, city, name: str) -> None:  # noqa: F811
    read_right_or_refused_clearly(GENERATOR[name](tmp_path, city[0]), name)


SAID = [
    "r.yaml:9: layers.h.path: /a/h.xlsx: sheet 'Sheet' holds a value at row 1,048,576 (cell XFD1048576), "
    "1,048,571 empty rows below the value before it: a stray cell? delete row 1,048,576 (in Excel, Ctrl+End "
    "goes to it) and save, or save the registry as CSV",
    "r.yaml:9: layers.h.path: /a/h.xlsx: its header names 'x' in column XFD, 16,379 empty columns right of "
    "the name before it ('纬度'): a stray cell? delete column XFD (in Excel, Ctrl+End goes to the last cell "
    "used) and save",
    "r.yaml:6: layers.pop.path: /a/p.tif: band 1 stores its values packed (each value = stored number x 0.1 "
    "+ 0), which urbanrisk does not unpack: write the people per pixel themselves (gdal_translate -unscale "
    "-ot Float32 in.tif out.tif)",
    "r.yaml:5: layers.osm.path: /a/j.osm: the file holds 4 references of ways to nodes of negative id "
    "(drawn in JOSM and never uploaded: the run would leave out every building and street drawn through "
    "them) and 1 objects "
    "marked action='delete' (deleted in JOSM: the run would read them): upload the edits in JOSM and "
    "download the area again, or purge the deleted objects and renumber the new ones (osmium renumber j.osm "
    "-o renumbered.osm)",
    "r.yaml:5: layers.osm.path: /a/j.osm holds an XML comment or text of more than 4 MB, which no extract "
    "holds and the OSM reader takes minutes over: delete it, or export the extract again",
    "r.yaml:6: layers.pop.path: file not found: '/a/city.tif ' — the path begins or ends with a space, and "
    "'/a/city.tif' exists: delete the space",
    "r.yaml:10: layers.x.lat: h.csv: '116.305W' in row 2 writes its hemisphere as a letter: write -116.305 "
    "(east and north positive, west and south negative)",
    "r.yaml:10: layers.x.lat: h.csv: '116。305' in row 2 writes its decimals after '。' (a Chinese full "
    "stop): write 116.305",
    "r.yaml:5: layers.osm.path: j.osm is an osmChange file (a diff of edits, as .osc), not an extract: give "
    "the extract the edits apply to (osmium apply-changes extract.osm.pbf changes.osc -o new.osm.pbf)",
    "r.yaml:6: the line is indented with a full-width space (U+3000), which YAML does not read as "
    "indentation (typed by an input method?): indent with ordinary spaces",
    "r.yaml:3: 'grid' is followed by a full-width colon '：' (typed by a Chinese input method), which YAML "
    "does not read as a colon: write 'grid: ' (an ordinary colon and a space)",
]


@pytest.mark.parametrize("text", SAID)
def test_the_new_refusals_are_said_in_chinese(text: str) -> None:
    chinese = check_text(text, "zh")
    for english in (
        "stray cell",
        "delete ",
        "empty ",
        " and save",
        "packed",
        "never uploaded",
        "upload the",
        "export",
    ):
        assert english not in chinese, chinese


# --- an OSM file saved by JOSM ----------------------------------------------------------------------------

JOSM_HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' upload='false' generator='JOSM'>\n"
STREET = (
    "<node id='2' version='1' lat='39.99' lon='116.306'/>"
    "<node id='3' version='1' lat='39.991' lon='116.307'/>"
    "<way id='10' version='1'><nd ref='2'/><nd ref='3'/><tag k='highway' v='residential'/></way>\n"
)


def _josm_recipe(folder: Path, body: str) -> tuple[Path, Path]:
    osm = folder / "j.osm"
    osm.write_text(JOSM_HEAD + body + STREET + "</osm>\n", encoding="utf-8")
    recipe = folder / "j.yaml"
    recipe.write_text(
        f"name: j\narea: {{bbox: [116.30, 39.98, 116.32, 40.0]}}\ngrid: {{resolution: 9}}\n"
        f"layers:\n  osm: {{type: osm, path: {osm}}}\noutputs: {{dir: {folder / 'out'}}}\n",
        encoding="utf-8",
    )
    return recipe, osm


JOSM = {
    # a building drawn in JOSM, never uploaded: libosmium keeps no location of a negative id, and the run
    # left the building out (0 buildings, 0 residents) without a word
    "drawn": (
        "".join(f"<node id='-{i}' action='modify' lat='{y}' lon='{x}'/>" for i, (x, y) in enumerate(
            [(116.305, 39.99), (116.306, 39.99), (116.306, 39.991)], start=1))
        + "<way id='-9' action='modify'><nd ref='-1'/><nd ref='-2'/><nd ref='-3'/><nd ref='-1'/>"
        "<tag k='building' v='apartments'/></way>",
        "4 references of ways to nodes of negative id",
    ),
    # a fuel station deleted in JOSM and saved: libosmium reads it as present
    "deleted": (
        "<node id='7' action='delete' version='1' lat='39.99' lon='116.305'>"
        "<tag k='amenity' v='fuel'/></node>",
        "action='delete'",
    ),
}  # fmt: skip


def _compressed(recipe: Path, osm: Path, name: str) -> Path:
    """``osm`` written as ``name`` (.gz, .bz2), the recipe pointed at it."""
    packed = osm.with_name(name)
    data = osm.read_bytes()
    packed.write_bytes(bz2.compress(data, 1) if name.endswith(".bz2") else gzip.compress(data, 1))
    recipe.write_text(recipe.read_text(encoding="utf-8").replace(str(osm), str(packed)), encoding="utf-8")
    return packed


@pytest.mark.parametrize("name", sorted(JOSM))
@pytest.mark.parametrize("suffix", ["", ".bz2"])
def test_an_osm_file_of_unsaved_josm_edits_is_refused_by_validate_and_the_run(tmp_path, name, suffix) -> None:
    body, said = JOSM[name]
    recipe, osm = _josm_recipe(tmp_path, body)
    osm = _compressed(recipe, osm, "j.osm" + suffix) if suffix else osm
    for command in ("validate", "run"):
        args = ("run", "--scheduler", "synchronous", recipe) if command == "run" else ("validate", recipe)
        code, text = cli(*args)
        assert code == 2 and f"{osm}: the file holds" in text and said in text, text
        assert f"osmium renumber j.osm{suffix}" in text, text
    assert not (tmp_path / "out" / "latest").exists()


@pytest.mark.parametrize("name", ["j.osm", "j.osm.gz", "j.osm.bz2"])
@pytest.mark.parametrize("comment", ["<!--" + " " * 5_000_000 + "-->", "<!--" + "<a>" * 2_000_000 + "-->"])
def test_an_osm_file_holding_a_giant_comment_is_refused_at_once(tmp_path, name: str, comment: str) -> None:
    """libosmium's expat reads a comment in time growing with its square (20 MB: 0.23 CPU s, 80 MB: 2.7, four
    reads by validate; 200 MB in a .osm.gz kept it past 90 s): one of 5 MB is refused before it is parsed."""
    recipe, osm = _josm_recipe(tmp_path, comment)
    if name != "j.osm":
        osm = _compressed(recipe, osm, name)
    code, text = cli("validate", recipe)
    assert code == 2 and f"{osm} holds an XML comment or text of more than 4 MB" in text, text


def test_an_osm_file_in_utf16_or_of_changes_is_named_as_such_not_cut_short(tmp_path) -> None:
    """Both were told 'does not end with </osm>: the XML is cut short: download or export it again'."""
    recipe, osm = _josm_recipe(tmp_path, "")
    xml = osm.read_text(encoding="utf-8")
    osm.write_bytes(xml.replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16"))
    code, text = cli("validate", recipe)
    assert code == 2 and "j.osm is UTF-16 text" in text and "save it as UTF-8" in text, text
    osm.write_text(
        xml.replace("<osm version='0.6'", "<osmChange version='0.6'").replace("</osm>", "</osmChange>")
    )
    code, text = cli("validate", recipe)
    assert code == 2 and "j.osm is an osmChange file" in text and "cut short" not in text, text


def test_tagged_nodes_and_ways_of_negative_id_over_positive_nodes_still_read(tmp_path) -> None:
    """A fire station at node -4 (test_incident's lattice) and a way -9 over nodes 2, 3: located, read."""
    body = (
        "<node id='-4' lat='39.99' lon='116.305'><tag k='amenity' v='fire_station'/></node>"
        "<way id='-9'><nd ref='2'/><nd ref='3'/><tag k='highway' v='service'/></way>"
    )
    recipe, osm = _josm_recipe(tmp_path, body)
    osm.write_text(osm.read_text(encoding="utf-8").replace(body, "").replace("</osm>", body + "</osm>"))
    code, text = cli("validate", recipe)
    assert code == 0, text


def test_the_same_street_without_josm_edits_still_runs(tmp_path) -> None:
    recipe, _ = _josm_recipe(tmp_path, "<node id='7' action='modify' version='2' lat='39.99' lon='116.305'/>")
    assert cli("validate", recipe)[0] == 0


# --- a layer URL whose file system lacks its package ------------------------------------------------------


def _missing_filesystem() -> str | None:
    """A protocol fsspec knows whose package is not installed here (http without aiohttp...), or None."""
    import fsspec

    for scheme in ("http", "gcs", "abfs", "hf", "sftp"):
        try:
            fsspec.get_filesystem_class(scheme)
        except ImportError:
            return scheme
    return None


def test_a_layer_url_whose_file_system_is_not_installed_is_refused_by_validate(tmp_path, city) -> None:  # noqa: F811
    """validate said ok of http://.../h.csv; the run then said the http file system needs aiohttp."""
    scheme = _missing_filesystem()
    if scheme is None:
        pytest.skip("every file system fsspec knows is installed")
    layer = {"type": "points", "role": "hazard", "path": f"{scheme}://127.0.0.1:9/h.csv", "kind": "fuel"}
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers={"x": layer}))
    assert code == 2 and "layers.x.path" in text and f"the {scheme}:// filesystem needs a package" in text, (
        text
    )
