"""OSM extracts ingested as Dask tasks on the workers: the driver receives the stores' manifests only.

Two computations on the run's scheduler (:mod:`urbanrisk.parallel`): first the pass of every extract,
one task each (:func:`urbanrisk.ingest.ingest_pass`: several extracts read at once), which returns
its draft manifest; then one graph finishing every partition of every extract, one task each
(:mod:`urbanrisk.ingest_parts`): the land-use, POI and street partitions written in several files
compacted, each building partition completed once the land use it may read is compacted, and per
extract a last task that gathers the entries and writes the manifest. The stores are the same, file
for file, as :func:`urbanrisk.ingest.ingest_osm` writes them in one process.

The store's root must be reachable by every worker and the driver: a local folder for worker
processes (and a cluster on this machine), the recipe's ``compute.store`` (a shared folder or an
fsspec URL) for a cluster elsewhere; so must the extracts' files.
"""

from __future__ import annotations

from typing import Any

import dask
import pandas as pd

from .ingest import ingest_pass, write_manifest
from .ingest_parts import (
    COMPACTED,
    RAW,
    complete_manifest,
    finish_buildings,
    finish_part,
    finished_landuse,
    landuse_cache,
)
from .layers.osm import default_tables
from .osm_store import OsmStore
from .parallel import compute_graph, map_partitions


def _pass(job: tuple[str, str, int, int, dict[str, pd.DataFrame]]) -> dict[str, Any]:
    """Task: one extract's pass (the chunk files); its draft manifest."""
    path, root, resolution, flush_rows, tables = job
    return ingest_pass(
        path,
        root,
        partition_resolution=resolution,
        flush_rows=flush_rows,
        tag_table=tables["tag_table"],
        landuse_context=tables["landuse_context"],
    )


def _buildings(
    draft: dict[str, Any],
    cell: str,
    building_types: pd.DataFrame,
    context: pd.DataFrame,
    compacted: list[str],
    *entries: tuple[dict, list[str]] | None,
) -> tuple[dict, list[str]] | None:
    """Task: one building partition completed, once the land-use partitions are compacted (``entries``:
    :func:`finish_part`'s results for the land-use cells ``compacted``); None when no row is left."""
    done = {("landuse", cell_): got for cell_, got in zip(compacted, entries, strict=True)}
    landuse = landuse_cache(draft, finished_landuse(draft, done), context)
    return finish_buildings(draft, cell, building_types, landuse)


def _complete(draft: dict[str, Any], keys: list[tuple[str, str]], *results: Any) -> OsmStore:
    """Task: the finished entries gathered into the store's manifest, written: the store."""
    return write_manifest(draft["root"], complete_manifest(draft, dict(zip(keys, results, strict=True))))


def _finish_graph(draft: dict[str, Any], index: int, tables: dict[str, pd.DataFrame]) -> Any:
    """The tasks that finish one extract's store from its draft (a ``dask.delayed`` of the store)."""
    plain = dask.delayed(draft, name=f"ingest-draft-{index}", traverse=False)
    keys, tasks = [], []
    for layer in COMPACTED:
        for cell in sorted(draft["layers"].get(layer, {})):
            keys.append((layer, cell))
            name = f"ingest-{layer}-{index}-{cell}"
            tasks.append(dask.delayed(finish_part, pure=True)(plain, layer, cell, dask_key_name=name))
    landuse = [(cell, task) for (layer, cell), task in zip(keys, tasks, strict=True) if layer == "landuse"]
    cells = [cell for cell, _ in landuse]
    for cell in sorted(draft["layers"].get(RAW, {})):
        keys.append((RAW, cell))
        tasks.append(
            dask.delayed(_buildings, pure=True)(
                plain,
                cell,
                tables["building_types"],
                tables["landuse_context"],
                cells,
                *(task for _, task in landuse),
                dask_key_name=f"ingest-buildings-{index}-{cell}",
            )
        )
    return dask.delayed(_complete, pure=True)(plain, keys, *tasks, dask_key_name=f"ingest-manifest-{index}")


def ingest_as_tasks(
    jobs: list[tuple[str, str, int, dict[str, pd.DataFrame]]],
    *,
    scheduler: str,
    flush_rows: int = 50_000,
    progress: bool = False,
) -> list[OsmStore]:
    """Each extract ingested into its store by Dask tasks on ``scheduler``, all at once.

    ``jobs``: ``(path, root, partition_resolution, tables)`` per extract (several recipes' extracts
    may differ in resolution and tables); ``tables``: ``tag_table``, ``building_types`` and
    ``landuse_context`` (as for :func:`urbanrisk.ingest.ingest_osm`; missing: the shipped ones),
    ``flush_rows`` likewise. Returns the stores, in the order of ``jobs``.

    Raises
    ------
    LayerError
        As :func:`urbanrisk.ingest.ingest_osm` (raised by the task that met it).
    """
    jobs = [(path, root, resolution, _tables(tables)) for path, root, resolution, tables in jobs]
    drafts = map_partitions(
        _pass,
        [(path, root, resolution, flush_rows, tables) for path, root, resolution, tables in jobs],
        scheduler=scheduler,
        progress=progress,
    )
    graphs = [
        _finish_graph(draft, i, job[3]) for i, (draft, job) in enumerate(zip(drafts, jobs, strict=True))
    ]
    return compute_graph(graphs, scheduler=scheduler, progress=progress)


def _tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The reader's three tables: the given ones, else the shipped ones."""
    names = ("tag_table", "building_types", "landuse_context")
    return dict(zip(names, default_tables(*(tables.get(name) for name in names)), strict=True))
