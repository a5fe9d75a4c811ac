"""A fingerprint of every layer ``osm_from_file`` reads from an extract: one SHA-256 per frame over its
columns, dtypes, index, values and geometries' WKB, in row order, and the stats. Two trees read the
same layers when the fingerprints are equal (the OSM read against its physical limit, issue #17).

    PYTHONPATH=src .venv/bin/python tests/osm_fingerprint.py PATH [PATH ...] > digests.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame: its column names and dtypes, index, every value (geometries as WKB), in order.

    Parameters
    ----------
    frame
        A (Geo)DataFrame.

    Returns
    -------
    str
        The hex digest.
    """
    digest = hashlib.sha256()
    digest.update(repr([(str(name), str(dtype)) for name, dtype in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame.index, index=False).to_numpy().tobytes())
    for name in frame.columns:
        column = frame[name]
        if isinstance(column, gpd.GeoSeries) or str(column.dtype) == "geometry":
            values = shapely.to_wkb(column.to_numpy(), hex=False, output_dimension=2)
            digest.update(b"\0".join(b"" if value is None else value for value in values))
        else:
            as_text = column.map(repr) if column.dtype == object else column
            digest.update(pd.util.hash_pandas_object(as_text, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def layer_digests(path: str | Path) -> dict[str, object]:
    """The digest of each layer read from ``path``, its row count, and the read's stats."""
    from urbanrisk.layers.osm import osm_from_file

    layers = osm_from_file(path)
    names = ("buildings", "pois", "landuse", "streets", "street_nodes")
    return {
        "frames": {name: [len(getattr(layers, name)), frame_digest(getattr(layers, name))] for name in names},
        "bounds": list(layers.bounds) if layers.bounds else None,
        "stats": dict(sorted(layers.stats.items())),
    }


if __name__ == "__main__":
    print(json.dumps({Path(arg).name: layer_digests(arg) for arg in sys.argv[1:]}, indent=1))
