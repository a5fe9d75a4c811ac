"""scipy's graph searches and k-d tree, imported when first called.

``scipy.sparse.csgraph`` loads ``scipy.sparse.linalg`` and ``scipy.linalg`` (~0.07 s CPU) and
``scipy.spatial`` loads ``scipy.special`` (~0.1 s): ``urbanrisk validate`` and the commands that route
nothing never pay for them (benchmarks/RESULTS.md, "The driver's serial CPU (session 13, serial13)").
A run's driver does import them (its hazard sites' components, beside the grid stage), and so a
forked pool imports them before it forks (:func:`urbanrisk.worker_pool._new_pool`: each worker that
routes or screens imported them again, ~0.13 CPU s; session 20, cpu21); a fork server imports them
ahead, with :data:`urbanrisk.worker_pool.WORKER_MODULES`. Each function is scipy's own, called with the same
arguments.

Examples
--------
>>> import numpy as np
>>> from scipy.sparse import csr_matrix
>>> graph = csr_matrix((np.array([1.0, 2.0]), (np.array([0, 1]), np.array([1, 2]))), shape=(3, 3))
>>> dijkstra(graph, directed=True, indices=0).tolist()
[0.0, 1.0, 3.0]
>>> connected_components(graph, directed=False)[0]
1
>>> kd_tree(np.array([[0.0, 0.0], [3.0, 4.0]])).query([[3.0, 3.0]])[0].tolist()
[1.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from scipy.spatial import cKDTree

#: What the functions here load, for a process that will call them (the fork server's preload).
MODULES = ("scipy.sparse.csgraph", "scipy.spatial")


def dijkstra(csgraph: Any, *args: Any, **options: Any) -> Any:
    """:func:`scipy.sparse.csgraph.dijkstra`."""
    from scipy.sparse.csgraph import dijkstra as search

    return search(csgraph, *args, **options)


def connected_components(csgraph: Any, *args: Any, **options: Any) -> tuple[int, np.ndarray]:
    """:func:`scipy.sparse.csgraph.connected_components`."""
    from scipy.sparse.csgraph import connected_components as components

    return components(csgraph, *args, **options)


def kd_tree(points: Any, *args: Any, **options: Any) -> cKDTree:
    """:class:`scipy.spatial.cKDTree` of ``points``."""
    from scipy.spatial import cKDTree

    return cKDTree(points, *args, **options)
