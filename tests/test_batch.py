"""Several recipes as one Dask graph: each run folder equals the recipe's own run."""

from __future__ import annotations

import json
import sys

import pandas as pd

import urbanrisk as ur
from conftest import BUPT_OSM, default_recipe, write_recipe
from urbanrisk.cli import main
from urbanrisk.grid_dataset import read_grid


def _two_recipes(tmp_path, **compute):
    """Wudaokou (partitioned coverage) and BUPT (``compute``: its compute keys, e.g. the ingest)."""
    wudaokou = default_recipe(tmp_path / "a", grid={"resolution": 9}, compute={"partitioned_coverage": True})
    bupt = write_recipe(
        tmp_path / "b",
        {
            "name": "bupt",
            "area": {"layer": "osm"},
            "grid": {"resolution": 10, "partition_resolution": 8},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "population": {"type": "population_from_buildings", "source": "osm"},
            },
            "outputs": {"dir": str(tmp_path / "b" / "out")},
            **({"compute": compute} if compute else {}),
        },
    )
    return wudaokou, bupt


def _tables(folder):
    tables = {p.name: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    return {**tables, "grid": read_grid(folder, geometry=False)}


def test_a_batch_on_worker_processes_writes_each_recipe_as_its_own_run(tmp_path, capsys, monkeypatch):
    import urbanrisk.ingest_tasks as tasks

    recipes = _two_recipes(tmp_path, ingest="partitioned")  # BUPT's extract ingested by tasks, ahead
    passes = []
    real = tasks.map_partitions
    monkeypatch.setattr(
        tasks, "map_partitions", lambda f, jobs, **kw: passes.append(jobs) or real(f, jobs, **kw)
    )
    monkeypatch.setattr(sys, "argv", ["urbanrisk"])
    assert main(["run", *map(str, recipes), "--scheduler", "processes", "--quiet"]) == 0  # one graph
    assert [[job[0] for job in jobs] for jobs in passes] == [[str(BUPT_OSM)]]
    assert main(["run", *map(str, recipes), "--out", str(tmp_path / "x")]) == 2
    assert "--out takes one recipe" in capsys.readouterr().err
    for recipe in recipes:
        out = tmp_path / recipe.parent.name / "out"
        [folder] = (out / "runs").iterdir()
        assert (out / "latest").resolve() == folder
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["batch"] == ["beijing-wudaokou", "bupt"]
        single = ur.run_recipe(recipe, scheduler="synchronous", out=tmp_path / "single" / recipe.parent.name)
        mine, theirs = _tables(folder), _tables(single.run_dir)
        assert mine.keys() == theirs.keys() and "grid" in mine
        for name, table in mine.items():
            pd.testing.assert_frame_equal(table, theirs[name], check_exact=True, obj=name)


def test_one_graph_runs_on_a_dask_distributed_scheduler_too():
    import dask
    from distributed import LocalCluster

    from urbanrisk.parallel import compute_graph

    parts = [dask.delayed(lambda x: x * x)(i) for i in range(4)]
    total = dask.delayed(sum)(parts)
    one = {"n_workers": 1, "threads_per_worker": 2, "processes": False, "dashboard_address": "127.0.0.1:0"}
    with LocalCluster(protocol="tcp://", **one) as cluster:
        assert compute_graph([total, parts[3]], scheduler=cluster.scheduler_address) == [14, 9]
    assert compute_graph([total], scheduler="synchronous") == [14]
