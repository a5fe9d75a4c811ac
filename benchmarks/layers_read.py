"""The OSM layers of one source tree against another's: same rows, columns, dtypes, order, geometries
(WKB for WKB); and the layers stage's seconds, CPU seconds and peak memory.

``dump`` reads a recipe's layers (``load_layers``: the layers stage of a run) or an extract's
(``osm_from_file``) in this process, with the tree on ``PYTHONPATH``, prints the wall and CPU seconds
(user + system, every thread), the ``VmHWM`` peak and, with ``--out``, pickles the layers;
``same`` compares two such pickles and exits 1 on the first difference it names. Run each tree in
turn (alternate them on a shared machine), e.g.::

    PYTHONPATH=/old/src python benchmarks/layers_read.py dump metro.yaml --out old.pkl
    PYTHONPATH=src python benchmarks/layers_read.py dump metro.yaml --out new.pkl
    python benchmarks/layers_read.py same old.pkl new.pkl

``gdal`` reads an extract with this tree's reader and with GDAL's OSM driver (:mod:`gdal_osm`, one
pass) and prints, layer by layer, the rows only one of them has and how the shared rows differ
(geometry, tags); it exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import sys
import time

import numpy as np
import pandas as pd

FRAMES = ("buildings", "pois", "landuse", "streets", "street_nodes")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def dump(path: str, out: str | None) -> dict:
    """Read the layers of ``path`` (a recipe or an extract), timed; pickled to ``out`` when given."""
    if path.endswith((".yaml", ".yml")):
        from urbanrisk.inputs import load_layers
        from urbanrisk.recipe import load_recipe

        recipe = load_recipe(path)
        start, cpu = time.perf_counter(), _cpu()
        layers = load_layers(recipe)
        bounds, stats = layers.osm_bounds, layers.stats
    else:
        from urbanrisk.layers.osm import osm_from_file

        start, cpu = time.perf_counter(), _cpu()
        layers = osm_from_file(path)
        bounds, stats = layers.bounds, layers.stats
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    kept = {name: getattr(layers, name) for name in FRAMES}
    if out:
        with open(out, "wb") as handle:
            pickle.dump({**kept, "bounds": bounds, "stats": stats}, handle, protocol=5)
    rows = {name: len(frame) for name, frame in kept.items() if frame is not None}
    return {"wall_s": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_mb": round(_peak_mb()), **rows}


def _plain(values: list) -> list:
    """Values compared as Python objects: NaN equal to NaN, arrays as lists, element types kept."""

    def plain(value: object) -> object:
        if isinstance(value, float) and np.isnan(value):
            return "NaN"
        return value.tolist() if isinstance(value, np.ndarray) else value

    return [(plain(value), type(value)) for value in values]


def frame_differences(a: pd.DataFrame, b: pd.DataFrame, name: str) -> list[str]:
    """What differs between two frames: columns, index, dtypes, values (and their Python types),
    geometries as WKB, CRS."""
    import shapely

    if list(a.columns) != list(b.columns):
        return [f"{name}: columns {list(a.columns)} != {list(b.columns)}"]
    found = []
    if not (a.index.equals(b.index) and a.index.dtype == b.index.dtype and a.index.name == b.index.name):
        found.append(f"{name}: index")
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype != y.dtype:
            found.append(f"{name}.{column}: dtype {x.dtype} != {y.dtype}")
        elif str(x.dtype) == "geometry":
            if not np.array_equal(shapely.to_wkb(x.to_numpy()), shapely.to_wkb(y.to_numpy())):
                found.append(f"{name}.{column}: geometries")
        elif _plain(x.tolist()) != _plain(y.tolist()):
            found.append(f"{name}.{column}: values")
    if getattr(a, "crs", None) != getattr(b, "crs", None):
        found.append(f"{name}: CRS")
    return found


def same(first: str, second: str) -> list[str]:
    """The differences between two pickled dumps (none: the same layers)."""
    with open(first, "rb") as one, open(second, "rb") as two:
        a, b = pickle.load(one), pickle.load(two)
    found = []
    for key in a:
        if isinstance(a[key], pd.DataFrame):
            found += frame_differences(a[key], b[key], key)
        elif a[key] != b[key]:
            found.append(f"{key}: {a[key]} != {b[key]}")
    return found


def gdal(path: str) -> list[str]:
    """How this tree's layers of the extract ``path`` and GDAL's compare, layer by layer (the street node
    ids and nodes, which GDAL cannot give, named last)."""
    import tempfile
    from pathlib import Path

    import gdal_osm
    import shapely

    from urbanrisk.layers.osm import default_tables, osm_from_file

    tag_table, _, context = default_tables()
    current = osm_from_file(path)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "osmconf.ini"
        config.write_text(gdal_osm.osmconf(list(dict.fromkeys(tag_table.index.get_level_values(0)))))
        tables = gdal_osm.read_one_pass(str(path), str(config))
    layers = gdal_osm.gdal_layers(tables, tag_table, context)
    pois = current.pois.copy()  # an area's outline as assembled (its WKB), not its representative point
    area = pois["shape_wkb"].notna().to_numpy()
    pois.loc[area, "geometry"] = shapely.from_wkb(pois.loc[area, "shape_wkb"].to_numpy(dtype=object))
    found = []
    for name in ("buildings", "landuse", "pois", "streets"):
        frame = pois if name == "pois" else getattr(current, name)
        found += gdal_osm.layer_differences(frame, layers[name], name)
    found.append(
        f"streets.node_ids, street_nodes ({len(current.street_nodes):,}): GDAL's OSM driver gives no node ids"
    )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    read = commands.add_parser("dump", help="read (and pickle) the layers of a recipe or an extract")
    read.add_argument("path")
    read.add_argument("--out", help="pickle the layers here")
    compare = commands.add_parser("same", help="compare two pickled dumps")
    compare.add_argument("first")
    compare.add_argument("second")
    against = commands.add_parser("gdal", help="compare an extract's layers with GDAL's OSM driver's")
    against.add_argument("path")
    args = parser.parse_args()
    if args.command == "gdal":
        found = gdal(args.path)
        print("\n".join(found))
        return 1  # never the same: no street node ids
    if args.command == "dump":
        print(json.dumps(dump(args.path, args.out)))
        return 0
    found = same(args.first, args.second)
    print("\n".join(found) if found else "identical")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
