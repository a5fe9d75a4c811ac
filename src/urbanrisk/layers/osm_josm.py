"""What an OSM file saved by JOSM holds that libosmium reads otherwise than JOSM shows it: objects drawn
and never uploaded (negative ids: libosmium's location index keeps no negative id, so every building or
street drawn so was left out without a word) and objects deleted in JOSM but still in the file
(``action='delete'``: read as present). The words validate (:mod:`urbanrisk.osm_check`) and the run
(:func:`urbanrisk.layers.osm.read_pass`) give. Light: bytes searched in C, nothing parsed.

Examples
--------
>>> josm_counts(b"<node id='-1' action='modify'/><nd ref=\\"-1\\"/><way id='2' action='delete'>")
(2, 1)
"""

from __future__ import annotations

from pathlib import Path

_NEGATIVE = (b" id='-", b' id="-', b" ref='-", b' ref="-')
_DELETED = (b"action='delete'", b'action="delete"')
_CHUNK = 1 << 23


def josm_counts(data: bytes) -> tuple[int, int]:
    """(negative ids and references, objects marked deleted) in ``data``."""
    return sum(data.count(p) for p in _NEGATIVE), sum(data.count(p) for p in _DELETED)


def josm_message(path: Path) -> str | None:
    """What to say of the OSM XML file at ``path`` when it holds objects of negative id or marked
    deleted (JOSM's unsaved edits), else None (a .pbf or compressed file is not searched)."""
    negative = deleted = 0
    try:
        with open(path, "rb") as handle:
            if not handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<osm")):
                return None
            handle.seek(0)
            tail = b""
            while chunk := handle.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a mark cut at the chunk's end is counted with the next one
                cut = 0 if cut < 0 else cut
                found = josm_counts(data[:cut])
                negative, deleted = negative + found[0], deleted + found[1]
                tail = data[cut:]
            found = josm_counts(tail)
    except OSError:
        return None  # the reader names what it cannot read
    negative, deleted = negative + found[0], deleted + found[1]
    said = []
    if negative:
        said.append(
            f"{negative:,} negative ids and references (objects drawn in JOSM and never uploaded: the run "
            "would leave out every building and street drawn so)"
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
