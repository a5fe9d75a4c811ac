"""A .osm.gz or .osm.bz2 cut short: ``osm_cut_short`` looked only at a plain .osm's closing ``</osm>``, so a
compressed extract whose XML stops mid-file (compressed whole after the download was cut) or whose stream
ends early passed the run's checks and failed minutes into its OSM read, with libosmium's XML or gzip
error. It is now refused first, by validate and the run, from the one streamed pass the JOSM checks make
anyway (8 MB at a time, the last bytes kept)."""

from __future__ import annotations

import bz2
import gzip

import pytest

from conftest import BUPT_OSM, ROOT
from test_hostile import cli
from urbanrisk.layers.osm_ends import _datasize, osm_cut_short

PACK = {"gz": gzip.compress, "bz2": bz2.compress}


def _recipe(folder, path):
    recipe = folder / "c.yaml"
    layers = f"layers:\n  osm: {{type: osm, path: '{path}'}}\n"
    out = f"outputs: {{dir: '{folder / 'out'}'}}\n"
    recipe.write_text(
        f"name: c\narea: {{layer: osm}}\ngrid: {{resolution: 9}}\n{layers}{out}",
        encoding="utf-8",
    )
    return recipe


@pytest.mark.parametrize("kind", ["gz", "bz2"])
def test_a_compressed_extract_whose_xml_stops_before_its_end_is_refused_first(tmp_path, kind) -> None:
    xml = BUPT_OSM.read_bytes()
    whole, cut = tmp_path / f"whole.osm.{kind}", tmp_path / f"cut.osm.{kind}"
    whole.write_bytes(PACK[kind](xml))
    cut.write_bytes(PACK[kind](xml[: xml.rfind(b"<way ")]))
    assert osm_cut_short(whole) is None
    said = f"cut.osm.{kind} does not end with </osm>: the XML is cut short: download or export it again"
    assert osm_cut_short(cut) == said
    for command in ("validate", "run"):
        code, text = cli(command, _recipe(tmp_path, cut))
        assert code == 2 and said in text and "XML parsing error" not in text, text


def test_a_gzip_stream_that_ends_early_is_told_as_cut_short(tmp_path) -> None:
    packed = gzip.compress(BUPT_OSM.read_bytes())
    path = tmp_path / "trunc.osm.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    assert osm_cut_short(path).startswith("trunc.osm.gz is cut short: its gzip stream ends early (")


def test_a_pbf_cut_inside_its_ways_is_refused_by_validate_and_the_run(tmp_path) -> None:
    """A guard (refused on the start tree too): cut inside a block of ways, not at its end, the blocks'
    lengths tell it (a cut at a block's end cannot be told: round 15 refuses one left without buildings)."""
    import osmium

    source = ROOT / "tests" / "data" / "baltimore_se_triangle.osm.pbf"
    data, starts, at = source.read_bytes(), [], 0
    while at < len(data):  # each block: 4 bytes of length, a BlobHeader, its datasize
        length = int.from_bytes(data[at : at + 4], "big")
        starts.append(at)
        at += 4 + length + _datasize(data[at + 4 : at + 4 + length])
    cut = tmp_path / "cut.osm.pbf"
    for start, end in zip(starts[1:], [*starts[2:], len(data)], strict=True):  # the first block of ways
        cut.write_bytes(data[:end])
        middle = (start + end) // 2
        if any(o.type_str() == "w" for o in osmium.FileProcessor(str(cut))):
            break
    cut.write_bytes(data[:middle])
    said = f"cut.osm.pbf is cut short: its blocks need {end:,} bytes, the file holds {middle:,}"
    for command in ("validate", "run"):
        code, text = cli(command, _recipe(tmp_path, cut))
        assert code == 2 and said in text, text
