"""Where the OSM read's CPU goes, piece by piece, against ``osmium export -f geojsonseq`` (issue #17).

Each piece is a libosmium pass (or the whole read) run ``--repeat`` times in this one process, the pieces
alternated round by round; printed: the median CPU seconds (user + system) of each and its ratio to
osmium's export of the same file (the ``osmium`` command's own CPU, a child process). The pieces add
up: what a piece costs is its time less the one above it.

- ``read``: the file decoded, tagged objects kept (``EmptyTagFilter``): no location, no area;
- ``locations``: the node location index the pass keeps (``flex_mem``, as ``osmium export``);
- ``areas, no-op call``: + libosmium's area assembly and pyosmium's call per tagged area (a no-op);
- ``areas, tag_dict``: + each area's tags read into a dict (:func:`~urbanrisk.layers.osm_pass.tag_dict`);
- ``areas, tag_dict, WKB``: + its multipolygon as WKB (pyosmium's hex, decoded);
- ``texts``: :func:`~urbanrisk.layers.osm_pass.text_pass` (locations + the OPL text of the streets and
  tagged objects, no Python per object);
- ``run_pass, no-op calls``: the read's one pass, areas and POI nodes to no-op callbacks;
- ``osm_from_file``: the whole read (layers made; warmed once first: lazy imports, PROJ's database).

    PYTHONPATH=src .venv/bin/python benchmarks/osm_pieces.py PBF [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import osmium

from urbanrisk.layers import osm_pass
from urbanrisk.layers.osm import osm_from_file


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _Areas:
    """Per tagged area: nothing, its tags, or its tags and WKB."""

    def __init__(self, work: str) -> None:
        self.work, self.wkb = work, osmium.geom.WKBFactory()

    def area(self, obj: osmium.osm.Area) -> None:
        if self.work == "none":
            return
        osm_pass.tag_dict(obj)
        if self.work == "wkb":
            with contextlib.suppress(osmium.InvalidLocationError, RuntimeError):
                bytes.fromhex(self.wkb.create_multipolygon(obj))


def _areas_pass(path: Path, work: str) -> None:
    manager = osmium.area.AreaManager()
    with osmium.io.Reader(str(path), osmium.osm.RELATION) as reader:
        osmium.apply(reader, manager.first_pass_handler())
    with osmium.io.Reader(str(path)) as reader:
        handler = manager.second_pass_handler(osmium.filter.EmptyTagFilter(), _Areas(work))
        osmium.apply(reader, osm_pass._locations(), handler)


def _plain_pass(path: Path, *handlers: object) -> None:
    with osmium.io.Reader(str(path)) as reader:
        osmium.apply(reader, *handlers)


def pieces(path: Path, folder: Path) -> dict[str, Callable[[], None]]:
    """The pieces, by name, each a function of no argument (``folder``: their scratch texts)."""

    def nothing(_obj: object) -> None:
        return None

    return {
        "read": lambda: _plain_pass(path, osmium.filter.EmptyTagFilter()),
        "locations": lambda: _plain_pass(path, osm_pass._locations()),
        "areas, no-op call": lambda: _areas_pass(path, "none"),
        "areas, tag_dict": lambda: _areas_pass(path, "tags"),
        "areas, tag_dict, WKB": lambda: _areas_pass(path, "wkb"),
        "texts": lambda: osm_pass.text_pass(path, folder),
        "run_pass, no-op calls": lambda: osm_pass.run_pass(
            path, folder, (("amenity", "*"),), nothing, nothing
        ),
        "osm_from_file": lambda: osm_from_file(path),
    }


def _osmium_export(path: Path, folder: Path) -> float:
    before = _children_cpu()
    command = [
        "osmium",
        "export",
        "-f",
        "geojsonseq",
        "-O",
        "-o",
        str(folder / "export.geojsonseq"),
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return _children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pbf", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with open("/proc/loadavg") as load:
        print(f"load before: {' '.join(load.read().split()[:3])}")
    osm_from_file(args.pbf)  # warm: its lazy imports and PROJ's database are no piece
    runs: dict[str, list[float]] = {"osmium export": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="osm-pieces-") as scratch:
            folder = Path(scratch)
            runs["osmium export"].append(_osmium_export(args.pbf, folder))
            for name, piece in pieces(args.pbf, folder).items():
                start = _cpu()
                piece()
                runs.setdefault(name, []).append(_cpu() - start)
                for item in folder.iterdir():
                    item.unlink() if item.is_file() else shutil.rmtree(item)
    osmium_cpu = statistics.median(runs["osmium export"])
    print(f"{'piece':<24} {'median CPU s':>12} {'vs osmium':>9}  runs")
    for name, values in runs.items():
        median = statistics.median(values)
        print(
            f"{name:<24} {median:>12.3f} {median / osmium_cpu:>8.2f}x  {' '.join(f'{v:.3f}' for v in values)}"
        )
    with open("/proc/loadavg") as load:
        print(f"load after: {' '.join(load.read().split()[:3])}")


if __name__ == "__main__":
    main()
