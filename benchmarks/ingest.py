"""OSM ingest (issue #8, benchmark 1): urbanrisk's reader against osmnx on the same content.

The synthetic metropolis (`urbanrisk synth`) is written as OSM XML (osmnx reads XML, not PBF). In
fresh processes, each reads buildings, POIs, land use and the street graph:

- urbanrisk: ``osm_from_file`` (one pyosmium pass) + the drive ``street_graph`` (osmnx graph from
  the parsed ways, CSR matrices);
- osmnx, as a user would: ``features_from_xml`` with the tags urbanrisk maps + ``graph_from_xml``
  (``retain_all=True``, no simplification, like urbanrisk's graph).

    .venv/bin/python benchmarks/ingest.py [--tiles 4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import osmium
from _common import WUDAOKOU_OSM

URBANRISK = """
import json, resource, sys, time
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.network import street_graph
start = time.perf_counter()
osm = osm_from_file(sys.argv[1])
graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs="EPSG:32650")
features = len(osm.buildings) + len(osm.pois) + len(osm.landuse)
print(json.dumps({"seconds": time.perf_counter() - start, "features": features,
                  "edges": len(graph.edges),  # directed edges (== graph.graph.number_of_edges())
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
OSMNX = """
import json, resource, sys, time
import osmnx as ox
ox.settings.use_cache = False
tags = {"building": True, "amenity": True, "shop": True, "landuse": True, "leisure": True, "tourism": True,
        "railway": True, "public_transport": True, "power": True, "man_made": True, "emergency": True,
        "healthcare": True, "social_facility": True, "industrial": True, "place": True}
start = time.perf_counter()
features = ox.features_from_xml(sys.argv[1], tags=tags)
graph = ox.graph_from_xml(sys.argv[1], simplify=False, retain_all=True)
print(json.dumps({"seconds": time.perf_counter() - start, "features": len(features),
                  "edges": graph.number_of_edges(),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _to_xml(pbf: Path, xml: Path) -> None:
    writer = osmium.SimpleWriter(str(xml))
    try:
        for obj in osmium.FileProcessor(str(pbf)):
            writer.add(obj)
    finally:
        writer.close()


def _child(code: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=4, help="N: an N x N metropolis")
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    with tempfile.TemporaryDirectory() as tmp:
        pbf, _ = synth_metro(WUDAOKOU_OSM, args.tiles, Path(tmp))
        xml = Path(tmp) / "metro.osm"
        _to_xml(pbf, xml)
        size = xml.stat().st_size / 1e6
        ours, theirs = _child(URBANRISK, xml), _child(OSMNX, xml)
    print(f"{args.tiles * args.tiles} tiles, OSM XML {size:.1f} MB")
    print(f"{'reader':<12} {'seconds':>8} {'MB/s':>7} {'features':>9} {'graph edges':>12} {'peak MB':>8}")
    for name, r in (("osmnx", theirs), ("urbanrisk", ours)):
        rate = size / r["seconds"]
        counts = f"{r['features']:>9,} {r['edges']:>12,}"
        print(f"{name:<12} {r['seconds']:>8.2f} {rate:>7.1f} {counts} {r['peak_mb']:>8,.0f}")
    print(
        f"urbanrisk / osmnx: time {ours['seconds'] / theirs['seconds']:.3f}x, peak memory "
        f"{ours['peak_mb'] / theirs['peak_mb']:.3f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
