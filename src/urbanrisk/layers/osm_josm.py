"""What an OSM file saved by JOSM holds that libosmium reads otherwise than JOSM shows it: ways through
nodes drawn and never uploaded (negative ids: libosmium's location index keeps no negative id, so every
building or street drawn so was left out without a word; a tagged node of negative id, or a way of
negative id over positive nodes, reads right) and objects deleted in JOSM but still in the file
(``action='delete'``: read as present); and a comment or text of megabytes, which libosmium's XML
parser reads in time growing with its square. The words validate (:mod:`urbanrisk.osm_check`) and the run
(:func:`urbanrisk.layers.osm.read_pass`) give. Light: bytes searched in C, nothing parsed.

Examples
--------
>>> josm_counts(b"<node id='-1' action='modify'/><nd ref=\\"-1\\"/><way id='2' action='delete'>")
(1, 1)
"""

from __future__ import annotations

import bz2
import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

#: a way's reference to a node of negative id: libosmium's location index keeps no negative id (a tagged
#: node of negative id, or a way of negative id over positive nodes, reads right)
_NEGATIVE = (b"<nd ref='-", b'<nd ref="-')
_DELETED = (b"action='delete'", b'action="delete"')
_CHUNK = 1 << 23
#: the longest XML comment (or text without a '<') an extract may hold: libosmium's expat reads a token in
#: time growing with its square (20 MB: 0.23 CPU s, 40 MB: 0.75, 80 MB: 2.7; 200 MB kept validate past 90 s)
MAX_TOKEN_BYTES = 4_000_000


def josm_counts(data: bytes) -> tuple[int, int]:
    """(ways' references to nodes of negative id, objects marked deleted) in ``data``."""
    return sum(data.count(p) for p in _NEGATIVE), sum(data.count(p) for p in _DELETED)


def _opened(path: Path) -> Any:
    """The file at ``path``, a .gz or .bz2 read decompressed as it streams (a .pbf is not searched: None).

    A .bz2 is searched too (it was not: a JOSM save or a giant comment compressed went unseen); bzip2
    streams ~40 MB of XML a CPU second here (Wudaokou x 10); the reader's own pass is slower."""
    name = path.name.lower()
    if name.endswith(".pbf"):
        return None
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")


class _Scan:
    """The counts of one pass over an extract's XML: JOSM's marks, and its longest comment or text."""

    def __init__(self) -> None:
        self.negative = self.deleted = 0
        self.comment_at: int | None = None  # where an open comment began
        self.since = 0  # bytes since the last '<'
        self.giant = False
        self.head = b""  # the first bytes of the XML
        self.end: bytes | None = None  # its last bytes (from its last '<'), once read to the end
        self.stream_cut: str | None = None  # a .gz or .bz2 whose stream ends early: the decompressor's error

    def feed(self, data: bytes, base: int) -> None:
        """Count ``data``, which begins at byte ``base`` of the file."""
        found = josm_counts(data)
        self.negative, self.deleted = self.negative + found[0], self.deleted + found[1]
        at = 0
        while True:
            if self.comment_at is None:
                at = data.find(b"<!--", at)
                if at < 0:
                    break
                self.comment_at, at = base + at, at + 4
            else:
                end = data.find(b"-->", at)
                if end < 0:
                    break
                self.giant = self.giant or base + end - self.comment_at > MAX_TOKEN_BYTES
                self.comment_at, at = None, end + 3
        if self.comment_at is not None and base + len(data) - self.comment_at > MAX_TOKEN_BYTES:
            self.giant = True
        first = data.find(b"<")
        self.giant = self.giant or self.since + (len(data) if first < 0 else first) > MAX_TOKEN_BYTES
        self.since = self.since + len(data) if first < 0 else len(data) - data.rfind(b"<") - 1


@lru_cache(maxsize=8)
def _scanned(path: Path, size: int, mtime: int) -> _Scan | None:
    scan = _Scan()
    try:
        handle = _opened(path)
        if handle is None:
            return None
        with handle:
            scan.head = handle.read(512)
            if not scan.head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<osm")):
                return None
            handle.seek(0)
            tail, base = b"", 0
            while chunk := handle.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a mark cut at the chunk's end is counted with the next one
                cut = 0 if cut < 0 else cut
                if len(data) - cut > MAX_TOKEN_BYTES:  # megabytes after the last '<': a giant token
                    scan.giant = True
                    return scan
                scan.feed(data[:cut], base)
                base, tail = base + cut, data[cut:]
                if scan.giant:
                    return scan
            scan.feed(tail, base)
            scan.end = tail[-1024:]
    except EOFError as exc:  # a .gz or .bz2 cut short: "Compressed file ended before the end-of-stream..."
        scan.stream_cut = str(exc)
    except (OSError, ValueError):
        return None  # the reader names what it cannot read
    return scan


def xml_ending(path: Path) -> tuple[bytes, bytes | None, str | None] | None:
    """(first bytes, last bytes or None when not read to the end, the decompressor's error when the
    stream ends early) of the OSM XML at ``path`` (plain, .gz or .bz2), from the one streamed pass
    :func:`josm_message` makes (bounded: 8 MB at a time); None when it is no XML or cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    scan = _scanned(path, stat.st_size, stat.st_mtime_ns)
    return None if scan is None else (scan.head, scan.end, scan.stream_cut)


def josm_message(path: Path) -> str | None:
    """What to say of the OSM XML file at ``path`` (plain or .gz) when it holds a giant comment or text,
    or objects of negative id or marked deleted (JOSM's unsaved edits), else None. One pass a file (kept
    while its size and time are unchanged: validate asks for each of its checks)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    scan = _scanned(path, stat.st_size, stat.st_mtime_ns)
    if scan is None:
        return None
    if scan.giant:
        return (
            f"{path} holds an XML comment or text of more than {MAX_TOKEN_BYTES // 1_000_000} MB, which no "
            "extract holds and the OSM reader takes minutes over: delete it, or export the extract again"
        )
    negative, deleted = scan.negative, scan.deleted
    said = []
    if negative:
        said.append(
            f"{negative:,} references of ways to nodes of negative id (drawn in JOSM and never uploaded: the "
            "run would leave out every building and street drawn through them)"
        )
    if deleted:
        said.append(f"{deleted:,} objects marked action='delete' (deleted in JOSM: the run would read them)")
    if not said:
        return None
    fix = f"osmium renumber {path.name} -o renumbered.osm"
    return (
        f"{path}: the file holds {' and '.join(said)}: upload the edits in JOSM and download the area "
        f"again, or purge the deleted objects and renumber the new ones ({fix})"
    )
