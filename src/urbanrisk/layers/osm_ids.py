"""OSM objects that an extract holds more than once (the same type and id): counted, named, refused.

libosmium reads every copy: a tagged node twice is two places (two fuel stations where one is), a
building way twice is two buildings sharing the residents, and a way's node's location is whichever
copy came last. The usual cause is an extract concatenated with another that overlaps it
(``osmium cat a.pbf b.pbf``) instead of merged. The copies are found among the tagged objects the
pass writes as OPL text anyway (``tagged.opl``: every tagged node, way and relation, ``n<id> ...``),
with numpy over their ids: no Python call per object. An untagged node (a way's vertex) repeated
alone is not seen; an extract concatenated twice repeats its tagged objects too. Light: validate
(:mod:`urbanrisk.osm_check`) imports it without geopandas or shapely.

Examples
--------
>>> found = RepeatedIds()
>>> found.add(pa.array(["n1 T", "n2 Tamenity=fuel", "n1 T", "w9 Thighway=service", "w9 T"]))
>>> found.repeated()
{'node': [1], 'way': [9]}
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import osmium
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

#: an object's type as OPL writes it, in the order of a sorted file
_KINDS = {"n": "node", "w": "way", "r": "relation"}
#: how many repeated ids a message names (it counts them all)
SHOWN = 5


def opl_lines(path: Path, block_size: int = 1 << 22) -> Iterator[pa.StringArray]:
    """The lines of an OPL text, a block at a time (OPL escapes tabs: a line is one field)."""
    if path.stat().st_size == 0:
        return
    options = pa_csv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False)
    read = pa_csv.ReadOptions(column_names=["line"], block_size=block_size)
    convert = pa_csv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False)
    with pa_csv.open_csv(path, read_options=read, parse_options=options, convert_options=convert) as stream:
        for batch in stream:
            yield batch.column(0)
    pa.default_memory_pool().release_unused()  # its buffers back to the system, not kept for later


class RepeatedIds:
    """The ids of the OPL lines it is given, per type, and which of them come more than once."""

    def __init__(self) -> None:
        self.ids: dict[str, list[np.ndarray]] = {kind: [] for kind in _KINDS}

    def add(self, lines: pa.StringArray) -> None:
        """Keep the type and id of each of ``lines`` (``n<id> ...``, ``w<id> ...``, ``r<id> ...``)."""
        first = pc.list_element(pc.split_pattern(lines, " ", max_splits=1), 0)
        kind = pc.utf8_slice_codeunits(first, 0, 1)
        number = pc.cast(pc.utf8_slice_codeunits(first, 1), pa.int64())
        for letter in _KINDS:
            ids = number.filter(pc.equal(kind, letter)).to_numpy()
            if len(ids):
                self.ids[letter].append(ids)

    def repeated(self) -> dict[str, list[int]]:
        """Each type's ids found more than once, ascending (types with none left out)."""
        found = {}
        for letter, blocks in self.ids.items():
            ids = np.concatenate(blocks) if blocks else np.zeros(0, np.int64)
            if len(ids) > 1 and not (np.diff(ids) > 0).all():  # a sorted file: ascending, no sort needed
                ids = np.sort(ids)
                same = ids[1:] == ids[:-1]
                if same.any():
                    found[_KINDS[letter]] = np.unique(ids[1:][same]).tolist()
        return found


def repeated_in(path: Path) -> dict[str, list[int]]:
    """The tagged objects the extract at ``path`` holds more than once (:meth:`RepeatedIds.repeated`):
    one pass writing them as OPL in C++, their ids read with pyarrow. For the run, when libosmium's area
    assembly stopped at a way held twice ("Way ID twice in input"), to name the ids and the fix."""
    ids = RepeatedIds()
    with tempfile.TemporaryDirectory(prefix="urbanrisk-ids-") as folder:
        tagged = Path(folder) / "tagged.opl"
        writer = osmium.SimpleWriter(osmium.io.File(str(tagged), "opl,add_metadata=false"), 1 << 20)
        try:
            with osmium.io.Reader(str(path)) as reader:
                osmium.apply(reader, osmium.filter.EmptyTagFilter(), writer)
        finally:
            writer.close()
        for lines in opl_lines(tagged, 1 << 20):
            ids.add(lines)
    return ids.repeated()


def twice_fix(name: str) -> str:
    """How to mend the extract named ``name`` that holds objects more than once (checked with osmium-tool
    1.15: ``merge`` and ``sort`` + ``time-filter`` each keep one copy of each object)."""
    return (
        f"extracts joined with osmium cat, or a history file? join extracts with osmium merge {name} "
        f"b.osm.pbf -o merged.osm.pbf, or keep one copy of each object (osmium sort {name} -o sorted.osm.pbf "
        "&& osmium time-filter sorted.osm.pbf -o once.osm.pbf)"
    )


def repeated_message(
    path: Path, found: dict[str, list[int]], error: BaseException | None = None
) -> str | None:
    """What to say of the extract at ``path`` holding the objects ``found`` more than once (None: none).

    With ``error``, libosmium refused the file for it ("Way ID twice in input": its area assembly), and
    ``found`` may be empty (an untagged way twice): the message says so, the ids named when known. The
    one message for objects held twice, for validate and the run.

    Examples
    --------
    >>> print(repeated_message(Path("a.osm.pbf"), {"node": [1, 2], "way": [9]}))  # doctest: +ELLIPSIS
    a.osm.pbf: it holds objects twice (the same type and id: node 1, node 2, way 9; 3 tagged in all): ...
    >>> print(repeated_message(Path("a.osm"), {}, RuntimeError("Way ID twice in input")))
    ... # doctest: +NORMALIZE_WHITESPACE
    a.osm: cannot read this OSM file (Way ID twice in input): it holds objects twice; extracts joined with
    osmium cat, or a history file? join extracts with osmium merge a.osm b.osm.pbf -o merged.osm.pbf, or
    keep one copy of each object (osmium sort a.osm -o sorted.osm.pbf && osmium time-filter sorted.osm.pbf
    -o once.osm.pbf)
    """
    if not found and error is None:
        return None
    named = [f"{kind} {ident}" for kind, ids in found.items() for ident in ids]
    shown = ", ".join(named[:SHOWN]) + (", …" if len(named) > SHOWN else "")
    what = f" (the same type and id: {shown}; {len(named):,} tagged in all)" if named else ""
    head = f"{path}: cannot read this OSM file ({error})" if error is not None else f"{path}"
    tail = "" if error is not None else ": the run would read each copy (a place or a building twice)"
    return f"{head}: it holds objects twice{what}{tail}; {twice_fix(path.name)}"
