"""A call pickled into a file for a worker process, its geometries written a chunk at a time.

geopandas pickles a geometry column as the WKB of all its shapes at once (``GeometryArray.__getstate__``):
the write stage's GeoPackage and map inputs (buildings, streets...) each made ~20 MB of WKB objects in
the driver at 256 tiles, both at once, while the pickles were written
(:func:`urbanrisk.outputs.writer._spool_call`).
Here the pickle names each geometry array by a persistent id and its shapes go to a second file, as
separate pickles of :data:`GEOMETRY_CHUNK` shapes' WKB each (one chunk alive at a time); the worker
reads them back in the same order into the same shapes (the WKB geopandas would have written).
A frame the kept pool's workers inherited at their fork (:func:`urbanrisk.worker_pool.pool_inherited`:
the streets, POIs, resources, buildings of a run on ``processes``) is written as its registry key only,
and the worker takes its own copy (no WKB made, written, read and parsed).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import IO, Any

import numpy as np
import shapely
from geopandas.array import GeometryArray

from ..worker_pool import inherited_value

#: Shapes whose WKB is made and written at a time.
GEOMETRY_CHUNK = 16_384
#: The suffix of the file beside the pickle holding its geometries.
SHAPES_SUFFIX = ".shapes"


class _CallPickler(ForkingPickler):
    """Protocol 5 (arrays written from their own memory); geometry arrays to ``shapes`` in chunks."""

    def __init__(self, file: IO[bytes], shapes: IO[bytes], inherited: dict[int, int]) -> None:
        super().__init__(file, 5)
        self.shapes, self.inherited = shapes, inherited

    def persistent_id(self, obj: Any) -> Any:
        key = self.inherited.get(id(obj))
        if key is not None:
            return ("inherited", key)
        if not isinstance(obj, GeometryArray):
            return None
        data = obj._data
        chunks = 0
        for start in range(0, len(data), GEOMETRY_CHUNK):
            pickle.dump(shapely.to_wkb(data[start : start + GEOMETRY_CHUNK]), self.shapes, protocol=5)
            chunks += 1
        return ("geometry", chunks, obj.crs)


class _CallUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], shapes: IO[bytes]) -> None:
        super().__init__(file)
        self.shapes = shapes

    def persistent_load(self, pid: Any) -> Any:
        if pid[0] == "inherited":
            return inherited_value(pid[1])
        kind, chunks, crs = pid
        if kind != "geometry":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        parts = [shapely.from_wkb(pickle.load(self.shapes)) for _ in range(chunks)]
        data = np.concatenate(parts) if parts else np.empty(0, dtype=object)
        return GeometryArray(data, crs=crs)


def dump_call(
    path: str, func: Callable[..., Any], args: tuple, inherited: dict[int, int] | None = None
) -> None:
    """``(func, args)`` pickled into ``path`` (opened: a file :func:`tempfile.mkstemp` made), their
    geometry arrays into ``path`` + :data:`SHAPES_SUFFIX`; a value whose ``id`` is in ``inherited``
    (``{id: key}``, :func:`urbanrisk.worker_pool.pool_inherited`) as its key."""
    with open(path, "wb") as file, open(path + SHAPES_SUFFIX, "wb") as shapes:
        _CallPickler(file, shapes, inherited or {}).dump((func, args))


def load_call(path: str) -> tuple[Callable[..., Any], tuple]:
    """The ``(func, args)`` :func:`dump_call` wrote at ``path``; both its files removed once read."""
    try:
        with open(path, "rb") as file, open(path + SHAPES_SUFFIX, "rb") as shapes:
            return _CallUnpickler(file, shapes).load()
    finally:
        for name in (path, path + SHAPES_SUFFIX):
            Path(name).unlink(missing_ok=True)
