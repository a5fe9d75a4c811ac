"""Whether an OSM extract was cut short (an interrupted download), told without reading it.

A .osm.pbf is a chain of blocks, each a 4-byte length, a BlobHeader (protobuf) and ``datasize`` bytes:
walking the headers must land exactly at the end of the file. An .osm (XML) ends with ``</osm>``.
Light on purpose (struct and the file's own bytes): ``urbanrisk validate`` calls it, so that a cut
extract is refused before a run, not minutes into its OSM read.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .osm_josm import xml_ending

#: A BlobHeader is at most 64 KiB (the PBF format's own limit).
MAX_HEADER = 64 * 1024


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def _datasize(header: bytes) -> int:
    """The ``datasize`` (field 3) of a BlobHeader; ValueError when it has none."""
    i = 0
    while i < len(header):
        key, i = _varint(header, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(header, i)
            if field == 3:
                return value
        elif wire == 2:
            length, i = _varint(header, i)
            i += length
        else:
            raise ValueError(f"wire type {wire}")
    raise ValueError("no datasize")


def pbf_end(path: str | Path) -> tuple[int, int]:
    """(bytes the block headers account for, file size) of a .osm.pbf: equal when it is whole.

    Raises
    ------
    ValueError
        When a block header cannot be read (not a PBF, or cut inside a header).
    """
    size = Path(path).stat().st_size
    pos = 0
    with open(path, "rb") as handle:
        while pos < size:
            handle.seek(pos)
            head = handle.read(4)
            length = struct.unpack(">I", head)[0] if len(head) == 4 else -1
            if not 0 < length <= MAX_HEADER:
                raise ValueError(f"no block header at byte {pos:,}")
            header = handle.read(length)
            if len(header) < length:
                raise ValueError(f"cut inside the block header at byte {pos:,}")
            try:
                pos += 4 + length + _datasize(header)
            except IndexError as exc:
                raise ValueError(f"unreadable block header at byte {pos:,}") from exc
    return pos, size


#: the fix of a file cut short
AGAIN = ": download or export it again"


def osm_cut_short(path: str | Path) -> str | None:
    """Why the extract at ``path`` looks cut short (or is no extract) and the fix, or None (whole, or
    compressed in no way it reads: the run names it). A .osm.gz or .osm.bz2 is streamed, its last
    bytes kept (the pass :func:`~urbanrisk.layers.osm_josm.josm_message` makes anyway: once a file)."""
    name = Path(path).name.lower()
    if name.endswith((".osm.gz", ".osm.bz2")):
        return _compressed_cut_short(Path(path))
    if name.endswith(".pbf"):
        try:
            end, size = pbf_end(path)
        except (ValueError, struct.error) as exc:
            return f"{Path(path).name} is not a whole .osm.pbf ({exc}){AGAIN}"
        if end != size:
            held = f"its blocks need {end:,} bytes, the file holds {size:,}"
            return f"{Path(path).name} is cut short: {held}{AGAIN}"
        return None
    if name.endswith(".osm"):
        with open(path, "rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, Path(path).stat().st_size - 1024))
            tail = handle.read().rstrip()
        if not tail.endswith(b"</osm>"):
            return _not_an_extract(Path(path).name, head) or (
                f"{Path(path).name} does not end with </osm>: the XML is cut short{AGAIN}"
            )
    return None


def _compressed_cut_short(path: Path) -> str | None:
    """:func:`osm_cut_short` of a .osm.gz or .osm.bz2: its stream ended early, or its XML before
    ``</osm>`` (compressed whole after the download was cut, or an export that stopped)."""
    ending = xml_ending(path)
    if ending is None:
        return None
    head, end, stream_cut = ending
    kind = "gzip" if path.name.lower().endswith(".gz") else "bzip2"
    if stream_cut is not None:
        return f"{path.name} is cut short: its {kind} stream ends early ({stream_cut}){AGAIN}"
    if end is not None and not end.rstrip().endswith(b"</osm>"):
        return _not_an_extract(path.name, head) or (
            f"{path.name} does not end with </osm>: the XML is cut short{AGAIN}"
        )
    return None


def _not_an_extract(name: str, head: bytes) -> str | None:
    """What a file ending otherwise than </osm> is when it is whole but no extract (told as cut short)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00" or head[:1] == b"\x00":
        return f"{name} is UTF-16 text, which the OSM reader does not read: save it as UTF-8"
    if b"<osmChange" in head:
        return (
            f"{name} is an osmChange file (a diff of edits, as .osc), not an extract: give the extract the "
            "edits apply to (osmium apply-changes extract.osm.pbf changes.osc -o new.osm.pbf)"
        )
    return None
