"""Hostile input, round 14 (session 20, hostile21): a generator of what nobody had tried: an .xlsx with a
stray cell typed at row 1,048,576 (in column A, in column XFD), right of its header in column XFD, far
right of a data row, a few thousand rows down.
Every case: ``urbanrisk validate`` refuses it naming the file, the cell and the fix (in Chinese too), or
says ok and the run's reader reads it right (checked by hand); within seconds, never a traceback, a hang
or a silent wrong number. Small files made in the test; validate and the readers only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from test_hostile import city, cli, raster_recipe, write_tif  # noqa: F401  (city: the module's fixture)
from test_hostile_round12 import ROWS, Case, _near, read_right_or_refused_clearly
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


GENERATOR: dict[str, Callable[[Path, Path], Case]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _stray_value_at_the_last_row, _stray_value_in_the_last_cell, _stray_header_cell,
        _stray_cell_right_of_a_row, _stray_cell_thousands_of_rows_down, _raster_packed,
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
    "r.yaml:5: layers.osm.path: /a/j.osm: the file holds 10 negative ids and references (objects drawn in "
    "JOSM and never uploaded: the run would leave out every building and street drawn so) and 1 objects "
    "marked action='delete' (deleted in JOSM: the run would read them): upload the edits in JOSM and "
    "download the area again, or purge the deleted objects and renumber the new ones (osmium renumber j.osm "
    "-o renumbered.osm)",
]


@pytest.mark.parametrize("text", SAID)
def test_the_new_refusals_are_said_in_chinese(text: str) -> None:
    chinese = check_text(text, "zh")
    for english in ("stray cell", "delete ", "empty ", " and save", "packed", "never uploaded", "upload the"):
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
        "negative ids",
    ),
    # a fuel station deleted in JOSM and saved: libosmium reads it as present
    "deleted": (
        "<node id='7' action='delete' version='1' lat='39.99' lon='116.305'>"
        "<tag k='amenity' v='fuel'/></node>",
        "action='delete'",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(JOSM))
def test_an_osm_file_of_unsaved_josm_edits_is_refused_by_validate_and_the_run(tmp_path, name: str) -> None:
    body, said = JOSM[name]
    recipe, osm = _josm_recipe(tmp_path, body)
    for command in ("validate", "run"):
        args = ("run", "--scheduler", "synchronous", recipe) if command == "run" else ("validate", recipe)
        code, text = cli(*args)
        assert code == 2 and f"{osm}: the file holds" in text and said in text, text
        assert "osmium renumber j.osm" in text, text
    assert not (tmp_path / "out" / "latest").exists()


def test_the_same_street_without_josm_edits_still_runs(tmp_path) -> None:
    recipe, _ = _josm_recipe(tmp_path, "<node id='7' action='modify' version='2' lat='39.99' lon='116.305'/>")
    assert cli("validate", recipe)[0] == 0
