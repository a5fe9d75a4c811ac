"""Hostile input, round 15 (session 21, hostile22): a generator of what nobody had tried
(/work/bench/hostile22/gen.py, outside the repository): an output folder on a disk that fills while the
GeoPackage is written by the forked writer (a traceback: the child's error came back as text, its type
and errno lost); a .osm.pbf cut short at a block boundary (it reads as a whole file: no building, and
residents from buildings ran as 0 in every cell, every cell graded IV, ``validate`` said ok); a population
raster whose columns run east to west (its box read west > east, as across 180°: ``validate`` said ok,
"about 584,128 cells" for 20 x 20 pixels, and the run ran out of memory); scratch files of the OSM pass
that cannot be written (a file-size limit: the extract was blamed, "re-download the extract"); outputs
written past the largest file allowed (``ulimit -f``, FAT32's 4 GB: EFBIG was an internal error); a CSV
registry in UTF-16 without a BOM (Latin text in UTF-16 is valid UTF-8: its columns read 'n\\x00a\\x00…'); a
name holding a bidirectional override (U+202E: shown as other text in the sheets and pages).

Every case: a clear message naming the folder and the fix with exit 2, or a correct result; never a
traceback, a hang or a damaged last run. Small cases made in the test.
"""

from __future__ import annotations

import argparse
import errno
import os
import resource
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio.errors
import pytest
from rasterio.transform import Affine

from test_hostile import SRC, cli, raster_recipe, refused, write_tif
from urbanrisk import cli_disk
from urbanrisk.layers.points import points_from_file
from urbanrisk.outputs.forked import ForkedCall, ForkedCallError
from urbanrisk.outputs.i18n_checks import check_text

#: what GDAL said when the disk filled under the forked GeoPackage writer (no word of space)
GDAL_ROLLBACK = "Error while writing batch to OGR layer: sqlite3_exec(ROLLBACK) failed: cannot rollback"


def _raise(error: BaseException):
    def finish(_prepared: object) -> None:
        raise error

    return finish


def _forked_error(error: BaseException) -> ForkedCallError:
    call = ForkedCall(_raise(error), lambda: None)
    try:
        with pytest.raises(ForkedCallError) as caught:
            call.result()
    finally:
        call.close()
    return caught.value


def test_a_forked_writers_error_keeps_its_type_and_errno():
    """The child's exception comes back as the cause: an OSError with its errno, pyogrio's own type."""
    full = _forked_error(OSError(errno.ENOSPC, "No space left on device"))
    assert isinstance(full.__cause__, OSError) and full.__cause__.errno == errno.ENOSPC
    assert "No space left on device" in str(full)  # the child's traceback still in the message
    gdal = _forked_error(pyogrio.errors.DataLayerError(GDAL_ROLLBACK))
    assert isinstance(gdal.__cause__, pyogrio.errors.DataLayerError)


def test_a_full_disk_under_the_forked_writer_is_a_clear_message(tmp_path, monkeypatch):
    """GDAL's words on a full disk name no space; the disk of the output folder has none: said so,
    with the folder and the fix (was: an internal error with the traceback, exit 1)."""
    error = _forked_error(pyogrio.errors.DataLayerError(GDAL_ROLLBACK))
    monkeypatch.setattr(cli_disk.shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(1, 1, 0))
    args = argparse.Namespace(recipe="r.yaml", out=str(tmp_path))
    message = cli_disk.disk_message(args, error)
    assert message is not None and "no space left" in message and str(tmp_path) in message, message
    assert "--out" in message


def test_an_unpicklable_error_in_the_child_still_comes_back_as_text():
    """An exception that does not survive a pickle: the text alone, as before (no hang, no crash)."""

    class OddError(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}{b}")

    error = _forked_error(OddError("x", "y"))
    assert error.__cause__ is None and "OddError" in str(error)


# --- an OSM extract cut short at a block boundary ---------------------------------------------------------

PBF = Path(__file__).parent / "data" / "baltimore_se_triangle.osm.pbf"


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value, shift, at = value | (byte & 0x7F) << shift, shift + 7, at + 1
        if byte < 0x80:
            return value, at


def _block_ends(data: bytes) -> list[int]:
    """Where each block of a .osm.pbf ends (a BlobHeader's length, its datasize: field 3)."""
    ends, at = [], 0
    while at < len(data):
        size = struct.unpack(">I", data[at : at + 4])[0]
        header, at, i, datasize = data[at + 4 : at + 4 + size], at + 4 + size, 0, 0
        while i < len(header):
            field, kind = header[i] >> 3, header[i] & 7
            value, i = _varint(header, i + 1)
            if kind == 2:  # bytes: skip them
                i += value
            elif field == 3:
                datasize = value
        at += datasize
        ends.append(at)
    return ends


def _osm_recipe(folder: Path, osm: Path) -> Path:
    recipe = folder / "r.yaml"
    recipe.write_text(
        "name: cut\narea: {layer: osm}\ngrid: {resolution: 9}\nlayers:\n"
        f"  osm: {{type: osm, path: {osm.name}}}\n"
        "  population: {type: population_from_buildings, source: osm, floor_area_per_person_m2: 60}\n"
        "outputs: {dir: out}\n",
        encoding="utf-8",
    )
    return recipe


@pytest.mark.parametrize("block", [1, 2])  # after the node blocks; after the first block of ways
def test_a_pbf_cut_at_a_block_boundary_is_not_read_as_a_city_of_nobody(tmp_path, block):
    """Cut at a block's end, the extract reads as whole: no building in it. Residents estimated from
    buildings were 0 in every cell, every cell graded IV, and ``validate`` said ok: now both refuse it,
    naming the layer, the file and the fix (in Chinese too)."""
    data = PBF.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: _block_ends(data)[block]])
    recipe = _osm_recipe(tmp_path, cut)
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "maps no building")
        assert "'population'" in text and "cut.osm.pbf" in text and "cut short" in text, text
        line = next(line for line in text.splitlines() if "maps no building" in line)
        assert "没有任何建筑物" in check_text(line.strip().removeprefix("urbanrisk: error: "), "zh"), line
    assert not (tmp_path / "out" / "latest").exists()


def test_an_extract_whose_buildings_are_relations_only_still_validates(tmp_path):
    """A building drawn as a multipolygon relation only (its ways untagged) is a building: ok."""
    osm = tmp_path / "rel.osm"
    nodes = [(1, 39.29, -76.61), (2, 39.29, -76.609), (3, 39.291, -76.609), (4, 39.291, -76.61)]
    osm.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
        + "".join(f"<node id='{i}' version='1' lat='{lat}' lon='{lon}'/>\n" for i, lat, lon in nodes)
        + "<way id='10' version='1'>"
        + "".join(f"<nd ref='{i}'/>" for i in (1, 2, 3, 4, 1))
        + "</way>\n<way id='11' version='1'><nd ref='1'/><nd ref='3'/>"
        + "<tag k='highway' v='residential'/></way>\n"
        + "<relation id='20' version='1'><member type='way' ref='10' role='outer'/>"
        + "<tag k='type' v='multipolygon'/><tag k='building' v='apartments'/></relation>\n</osm>\n",
        encoding="utf-8",
    )
    code, text = cli("validate", _osm_recipe(tmp_path, osm))
    assert code == 0, text


# --- a raster whose columns run east to west ----------------------------------------------------------------


def test_a_raster_with_a_negative_pixel_width_is_refused_with_the_warp(tmp_path):
    """20 x 20 pixels of 0.001° whose columns run east to west: refused by ``validate`` and the run,
    naming the file and gdalwarp (was: ok, ~584,128 cells around the globe, then a MemoryError)."""
    data = np.arange(400, dtype="float32").reshape(20, 20)
    tif = write_tif(tmp_path / "west.tif", data, Affine(-0.001, 0, 116.32, 0, -0.001, 40.0))
    recipe = raster_recipe(tmp_path, tif)
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "west.tif has its columns running east to west")
        assert "gdalwarp" in text, text
        line = next(line for line in text.splitlines() if "east to west" in line)
        assert "自东向西" in check_text(line.strip().removeprefix("urbanrisk: error: "), "zh"), line


# --- scratch files the OSM pass cannot write ----------------------------------------------------------------

WUDAOKOU = Path(__file__).parents[1] / "recipes" / "beijing-wudaokou.yaml"


def test_scratch_files_that_cannot_be_written_are_not_blamed_on_the_extract(tmp_path):
    """A file-size limit (ulimit -f 4 KB) under the OSM pass: libosmium's "Write failed" names the
    scratch folder and TMPDIR, not "re-download the extract" (the shipped extract is whole)."""
    env = dict(os.environ, PYTHONPATH=SRC, TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    command = [
        sys.executable,
        "-m",
        "urbanrisk.cli",
        "run",
        "--quiet",
        "--out",
        str(tmp_path / "out"),
        WUDAOKOU,
    ]
    done = subprocess.run(
        command,
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)),
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "cannot write the scratch files" in done.stderr and "TMPDIR" in done.stderr, done.stderr
    assert str(tmp_path) in done.stderr and "re-download" not in done.stderr, done.stderr


# --- outputs written past the largest file allowed --------------------------------------------------------


def test_a_write_past_the_largest_file_allowed_is_a_clear_message(tmp_path, monkeypatch):
    """EFBIG (``ulimit -f``, FAT32's 4 GB) in the write stage: exit 2's message naming the folder and the
    fix (was: an internal error with its traceback); GDAL's "disk I/O error" under a file-size limit too."""
    args = argparse.Namespace(recipe="r.yaml", out=str(tmp_path))
    message = cli_disk.disk_message(args, OSError(errno.EFBIG, "File too large"))
    assert message is not None and "largest file allowed" in message and str(tmp_path) in message, message
    assert "ulimit -f" in message and "--out" in message
    gdal = _forked_error(pyogrio.errors.DataLayerError("sqlite3_exec(COMMIT) failed: disk I/O error"))
    assert cli_disk.disk_message(args, gdal) is None  # no limit, a disk with room: not told as one
    monkeypatch.setattr(cli_disk, "_size_limited", lambda: True)
    message = cli_disk.disk_message(args, gdal)
    assert message is not None and "largest file allowed" in message, message
    assert cli_disk.disk_message(args, PermissionError(errno.EACCES, "Permission denied")) is None


# --- a CSV registry in UTF-16 without a BOM ---------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_registry_without_a_bom_is_read_right(tmp_path, codec):
    """Latin text and digits in UTF-16 without a BOM: every other byte NUL, valid UTF-8 all the same;
    read as UTF-8 its columns were 'n\\x00a\\x00m\\x00e\\x00' ("no column 'kind'"). Read right now."""
    path = tmp_path / "h.csv"
    path.write_bytes(
        "name,kind,lon,lat\nStation A,fuel,116.305,39.991\nb,fuel,116.312,39.985\n".encode(codec)
    )
    frame = points_from_file(path, layer="h", role="hazard", kind_column="kind")
    assert frame["name"].tolist() == ["Station A", "b"] and frame["kind"].tolist() == ["fuel", "fuel"]
    assert frame.geometry.x.tolist() == [116.305, 116.312] and frame.geometry.y.tolist() == [39.991, 39.985]


# --- bidirectional overrides in names ----------------------------------------------------------------------


def test_bidirectional_overrides_are_removed_from_names_as_control_characters(tmp_path):
    """U+202E (right-to-left override) and the isolates made a name show as other text in the CSV, the
    workbook and the pages; removed as control characters are (with the run's note); RLM is kept."""
    path = tmp_path / "h.csv"
    rows = ["\u202egnp.exe", "a\u2066b\u2069c", "شارع\u200f"]
    text = "name,kind,lon,lat\n" + "".join(f"{n},fuel,116.30{i},39.99\n" for i, n in enumerate(rows))
    path.write_text(text, encoding="utf-8")
    frame = points_from_file(path, layer="h", role="hazard", kind_column="kind")
    assert frame["name"].tolist() == ["gnp.exe", "abc", "شارع\u200f"]
