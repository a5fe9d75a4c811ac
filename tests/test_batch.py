"""Several recipes as one Dask graph: each run folder equals the recipe's own run."""

from __future__ import annotations

import json
import sys

import pandas as pd

import urbanrisk as ur
from conftest import BUPT_OSM, default_recipe, write_recipe
from urbanrisk.batch import run_batch
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


def test_a_batch_on_worker_processes_writes_each_recipe_as_its_own_run(tmp_path, monkeypatch):
    # (the command-line test below runs a batch on the synchronous scheduler)
    import urbanrisk.ingest_tasks as tasks

    recipes = _two_recipes(tmp_path, ingest="partitioned")  # BUPT's extract ingested by tasks, ahead
    passes = []
    real = tasks.map_partitions
    monkeypatch.setattr(
        tasks, "map_partitions", lambda f, jobs, **kw: passes.append(jobs) or real(f, jobs, **kw)
    )
    folders = run_batch(recipes, scheduler="processes")
    assert [[job[0] for job in jobs] for jobs in passes] == [[str(BUPT_OSM)]]
    for recipe, folder in zip(recipes, folders, strict=True):
        assert folder.parent.parent == tmp_path / recipe.parent.name / "out"
        assert (folder.parent.parent / "latest").resolve() == folder
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["batch"] == ["beijing-wudaokou", "bupt"]
        single = ur.run_recipe(recipe, scheduler="synchronous", out=tmp_path / "single" / recipe.parent.name)
        mine, theirs = _tables(folder), _tables(single.run_dir)
        assert mine.keys() == theirs.keys() and "grid" in mine
        for name, table in mine.items():
            pd.testing.assert_frame_equal(table, theirs[name], check_exact=True, obj=name)


def test_cli_runs_several_recipes_and_refuses_out_with_them(tmp_path, capsys, monkeypatch):
    recipes = [str(p) for p in _two_recipes(tmp_path)]
    monkeypatch.setattr(sys, "argv", ["urbanrisk"])
    assert main(["run", *recipes, "--scheduler", "synchronous", "--quiet"]) == 0
    assert len(list((tmp_path / "a" / "out" / "runs").iterdir())) == 1
    assert len(list((tmp_path / "b" / "out" / "runs").iterdir())) == 1
    assert main(["run", *recipes, "--out", str(tmp_path / "x")]) == 2
    assert "--out takes one recipe" in capsys.readouterr().err


def test_one_graph_runs_on_a_dask_distributed_scheduler_too():
    import dask
    from distributed import LocalCluster

    from urbanrisk.parallel import compute_graph

    parts = [dask.delayed(lambda x: x * x)(i) for i in range(4)]
    total = dask.delayed(sum)(parts)
    one = {"n_workers": 1, "threads_per_worker": 2, "processes": False, "dashboard_address": None}
    with LocalCluster(protocol="tcp://", **one) as cluster:
        assert compute_graph([total, parts[3]], scheduler=cluster.scheduler_address) == [14, 9]
    assert compute_graph([total], scheduler="synchronous") == [14]
