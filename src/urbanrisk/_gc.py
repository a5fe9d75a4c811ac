"""Python's cycle collector, kept off the objects that existed before a run.

A full (oldest-generation) collection walks every object the collector tracks. After the imports a
run needs (pandas, geopandas, shapely, dask, pyproj ...), that is ~120k objects, walked again by each
of the run's ~20 full collections: ~0.2 s CPU of a 16-tile run's ~3 s (benchmarks/RESULTS.md,
"Analyst benchmark (session 11)"). :func:`frozen_before` moves those objects to the permanent
generation (:func:`gc.freeze`) for the call and back (:func:`gc.unfreeze`) after it: the call's own
garbage is collected as before, and whatever was garbage before it is collected after it.

Examples
--------
>>> import gc
>>> @frozen_before
... def frozen_inside() -> bool:
...     return gc.get_freeze_count() > 0
>>> was = gc.get_freeze_count()
>>> frozen_inside(), gc.get_freeze_count() == was
(True, True)
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def frozen_before(func: Callable[P, R]) -> Callable[P, R]:
    """``func``, run with the objects that exist when it is called frozen (left as they are when the
    caller froze some already: a run inside another, or a program that freezes for its own reasons)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if gc.get_freeze_count() or not gc.isenabled():
            return func(*args, **kwargs)
        gc.freeze()
        try:
            return func(*args, **kwargs)
        finally:
            gc.unfreeze()

    return wrapper


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (as it was again after): a read allocates millions of
    objects that make no cycle (rows, tags, WKB, node id lists), and every full collection walked all
    of those alive, more often the larger the extract."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
