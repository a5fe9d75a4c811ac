"""The resources a coverage standard could not use (farther than ``max_snap_m`` from every street of its
mode), in words for its status: each by its id and name, its distance, and, when it lies beyond the
street data (past the OSM extract: its streets were never read), that reason beside the distance.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> res = pd.DataFrame({"id": ["resources-2", "resources-7"], "name": ["清华园消防站", None]})
>>> xy = gpd.GeoSeries(gpd.points_from_xy([500.0, 1800.0], [500.0, 500.0]))
>>> unsnapped_words(res, xy, np.array([522.4, 799.0]), np.array([[0.0, 0.0], [1000.0, 1000.0]]))
['resources-2 清华园消防站 (522 m from a street)', 'resources-7 (799 m from a street, outside the OSM data)']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def named(ident: object, name: object) -> str:
    """A resource as the notes name it: its id, and its name when it has one of its own.

    >>> named("resources-2", "清华园消防站"), named("osm:node/1", None), named("F1", "F1")
    ('resources-2 清华园消防站', 'osm:node/1', 'F1')
    """
    text = name.strip() if isinstance(name, str) else ""
    return f"{ident} {text}" if text and text != str(ident) else str(ident)


def unsnapped_words(res: pd.DataFrame, xy: Any, snap_m: np.ndarray, street_xy: np.ndarray) -> list[str]:
    """Per unused resource (rows of ``res`` with ``id`` and maybe ``name``; ``xy`` their projected
    points; ``snap_m`` metres to the nearest street node): its words.

    ``street_xy``: the mode's street nodes (same CRS); a resource outside their bounding box lies
    beyond the street data.
    """
    x, y = np.asarray(xy.x, dtype=float), np.asarray(xy.y, dtype=float)
    if len(street_xy):
        (x0, y0), (x1, y1) = street_xy.min(axis=0), street_xy.max(axis=0)
        beyond = (x < x0) | (x > x1) | (y < y0) | (y > y1)
    else:
        beyond = np.ones(len(x), dtype=bool)
    names = res["name"] if "name" in res.columns else res["id"]
    return [
        f"{named(i, n)} ({d:.0f} m from a street{', outside the OSM data' if out else ''})"
        for i, n, d, out in zip(res["id"], names, snap_m, beyond, strict=True)
    ]
