"""Nightly rescans: never lose the last good run, tell exactly what changed, exit codes for cron."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point

from conftest import ACCRA_TIF, WUDAOKOU_HAZARDS, WUDAOKOU_OSM, accra_recipe, default_recipe, write_recipe
from urbanrisk.cli import main
from urbanrisk.grid_dataset import read_grid

SCHOOL_SIDE = (116.3260, 39.9990)  # next to 清华附中 / the school cluster in the south-west of Tsinghua


def _recipe(folder: Path, *, osm: Path = WUDAOKOU_OSM, hazards: Path | None = None) -> Path:
    return default_recipe(folder, osm=osm, hazards=hazards)


def _registry(folder: Path, extra: str = "") -> Path:
    path = folder / "hazards.csv"
    path.write_text(WUDAOKOU_HAZARDS.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def _first_run(tmp_path_factory) -> Path:
    """One complete rescan of the default recipe with its own copy of the registry, in a folder whose
    recipe names the registry and the outputs relatively: a copy of the folder is the same city with
    the same run history, wherever it lies."""
    folder = tmp_path_factory.mktemp("first")
    _registry(folder)
    body = yaml.safe_load(_recipe(folder).read_text(encoding="utf-8"))
    body["layers"]["hazards"]["path"] = "hazards.csv"
    body["outputs"]["dir"] = "out"
    recipe = write_recipe(folder, body)
    assert main(["rescan", str(recipe), "--quiet"]) == 0
    return folder


@pytest.fixture
def after_first_run(_first_run: Path, tmp_path: Path) -> Path:
    """A private copy of the first run's folder (recipe, registry, outputs): its recipe's path."""
    folder = tmp_path / "city"
    shutil.copytree(_first_run, folder, symlinks=True)
    return folder / "recipe.yaml"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "urbanrisk.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def _start(*args: str, pause_after: str) -> subprocess.Popen:
    env = {**os.environ, "URBANRISK_PAUSE_AFTER": pause_after}
    return subprocess.Popen(
        [sys.executable, "-m", "urbanrisk.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(path_glob, folder: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(folder.glob(path_glob)):
            return
        time.sleep(0.2)
    raise AssertionError(f"{path_glob} never appeared in {folder}")


def test_rescan_killed_part_way_keeps_latest_and_next_rescan_cleans_up(after_first_run):
    recipe = after_first_run
    out = recipe.parent / "out"
    good = (out / "latest").resolve()
    _registry(recipe.parent, f"WDK-H003,gas,LPG depot,4,{SCHOOL_SIDE[0]},{SCHOOL_SIDE[1]},test\n")
    victim = _start("rescan", str(recipe), "--quiet", pause_after="map.html")
    try:
        _wait_for("runs/.partial-*/map.html", out)
        victim.send_signal(signal.SIGKILL)  # no cleanup handler can run
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
    assert (out / "latest").resolve() == good
    assert len(read_grid(out / "latest")) > 400  # readable
    assert list((out / "runs").glob(".partial-*"))  # debris of the killed run
    assert main(["rescan", str(recipe), "--quiet"]) == 3  # the new LPG depot next to schools escalates
    assert (out / "latest").resolve() != good
    assert not list((out / "runs").glob(".partial-*"))


def test_second_rescan_at_once_is_refused_and_a_crashed_holder_leaves_no_stale_lock(tmp_path, capsys):
    recipe = accra_recipe(tmp_path)  # the lock is the run folder's, whatever the city: the small one
    first = _start("rescan", str(recipe), "--quiet", pause_after="grid")
    try:
        _wait_for("runs/.partial-*/grid", tmp_path / "out")
        capsys.readouterr()
        assert main(["rescan", str(recipe)]) == 75  # flock: a second open file is refused in-process too
        refused = capsys.readouterr().err
        assert "already running" in refused and str(first.pid) in refused
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert main(["rescan", str(recipe), "--quiet"]) == 0  # the kernel released the dead holder's lock


@pytest.mark.parametrize("what", ["cut_osm", "garbage_tiff"])
def test_corrupt_input_fails_with_exit_2_naming_the_file(tmp_path, what, request, capsys):
    if what == "cut_osm":
        recipe = request.getfixturevalue("after_first_run")
        tmp_path = recipe.parent
        cut = tmp_path / "cut.osm"
        cut.write_bytes(WUDAOKOU_OSM.read_bytes()[:1_000_000])
        body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
        body["layers"]["osm"]["path"] = str(cut)
        recipe = write_recipe(tmp_path, body)
        bad_file = "cut.osm"
    else:
        (tmp_path / "pop.tif").write_bytes(ACCRA_TIF.read_bytes())
        recipe = accra_recipe(
            tmp_path, layers={"population": {"type": "raster", "path": str(tmp_path / "pop.tif")}}
        )
        assert main(["rescan", str(recipe), "--quiet"]) == 0
        (tmp_path / "pop.tif").write_bytes(b"II*\x00" + os.urandom(4096))
        bad_file = "pop.tif"
    good = (tmp_path / "out" / "latest").resolve()
    capsys.readouterr()
    assert main(["rescan", str(recipe)]) == 2
    stderr = capsys.readouterr().err
    assert bad_file in stderr and "the last complete run is untouched" in stderr
    assert (tmp_path / "out" / "latest").resolve() == good


def test_a_first_run_with_a_corrupt_input_does_not_speak_of_a_last_run(tmp_path, capsys):
    (tmp_path / "pop.tif").write_bytes(b"II*\x00" + os.urandom(4096))
    recipe = accra_recipe(
        tmp_path, layers={"population": {"type": "raster", "path": str(tmp_path / "pop.tif")}}
    )
    capsys.readouterr()
    assert main(["run", str(recipe)]) == 2
    stderr = capsys.readouterr().err
    assert "pop.tif" in stderr and "untouched" not in stderr  # there is no last complete run


def test_new_severe_source_next_to_a_school_gives_exactly_its_escalations(after_first_run):
    recipe = after_first_run
    tmp_path = recipe.parent
    _registry(tmp_path, f"WDK-H003,gas,LPG depot,4,{SCHOOL_SIDE[0]},{SCHOOL_SIDE[1]},test\n")
    assert main(["rescan", str(recipe), "--quiet"]) == 3
    run = (tmp_path / "out" / "latest").resolve()
    alerts = json.loads((run / "alerts.json").read_text(encoding="utf-8"))["escalations"]
    changes = gpd.read_parquet(run / "changes.parquet")
    # the new source itself, graded I by the risk matrix: 4 x (955 residents -> 3, schools -> capped 4)...
    hazard = [a for a in alerts if a["kind"] == "hazard_source"]
    assert [(a["id"], a["new_grade"]) for a in hazard] == [("WDK-H003", "I")]
    assert "vulnerable site" in hazard[0]["explanation"]
    # ... and nothing else changed but what lies within its 200 m impact radius
    reach = gpd.GeoSeries([Point(*SCHOOL_SIDE)], crs=4326).to_crs(32650).buffer(200).iloc[0]
    geometries = changes.to_crs(32650).geometry
    assert geometries.intersects(reach).all()
    assert set(changes["direction"]) <= {"escalation", "added"}
    assert set(changes.loc[changes["kind"] == "hazard_source", "id"]) == {"WDK-H003"}
    cell_alerts = [a for a in alerts if a["kind"] == "cell"]
    assert all(a["explanation"].startswith("hazard source WDK-H003 now in reach") for a in cell_alerts)
    assert len(alerts) == len(changes[changes["new"].isin(["I", "II"])])
    # `urbanrisk diff` compares any two runs (here: the first and the latest)
    assert main(["diff", str(run.parent / sorted(p.name for p in run.parent.iterdir())[0]), str(run)]) == 0


def test_unchanged_rescan_reuses_outputs_and_two_runs_are_identical(_first_run, tmp_path):
    """The module's first run serves as the run to reuse (a copy of its folder whose recipe names the
    first run's own registry: the same inputs, so the same run key; its relative registry would be
    another file) and as one of the two complete computations compared."""
    folder = tmp_path / "city"
    shutil.copytree(_first_run, folder, symlinks=True)
    body = yaml.safe_load((folder / "recipe.yaml").read_text(encoding="utf-8"))
    body["layers"]["hazards"]["path"] = str(_first_run / "hazards.csv")
    recipe = write_recipe(folder, body)
    first = (folder / "out" / "latest").resolve()
    assert first.parent == folder / "out" / "runs"  # the copy's own run, not the module's
    assert main(["rescan", str(recipe), "--quiet"]) == 0
    second = (folder / "out" / "latest").resolve()
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reused_from"] == first.name
    parts = sorted((first / "grid").iterdir())
    assert parts and all((second / "grid" / p.name).stat().st_ino == p.stat().st_ino for p in parts)  # links
    # determinism: a full recomputation without cache (the first run's recipe, another folder) gives
    # identical tables
    again = tmp_path / "again"
    assert main(["run", str(_first_run / "recipe.yaml"), "--out", str(again), "--quiet"]) == 0
    third = (again / "latest").resolve()
    for table in sorted(p.name for p in first.glob("*.parquet")):
        if table == "changes.parquet":
            continue
        pd.testing.assert_frame_equal(pd.read_parquet(first / table), pd.read_parquet(third / table))
    a = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    b = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    differ = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert differ <= {"urbanrisk_run", "created_utc", "timings_s", "rescan", "cache"}


def test_alert_grade_threshold_and_history(after_first_run, capsys):
    recipe = after_first_run
    _registry(recipe.parent, f"WDK-H003,power,substation,1,{SCHOOL_SIDE[0]},{SCHOOL_SIDE[1]},test\n")
    # a minor substation: its own grade stays below I, so with --alert-grade I nothing alerts
    assert main(["rescan", str(recipe), "--quiet", "--alert-grade", "I"]) == 0
    capsys.readouterr()
    assert main(["history", str(recipe)]) == 0
    listing = capsys.readouterr().out
    assert listing.count("complete") == 2 and "(latest)" in listing


def test_runs_are_published_to_an_fsspec_url_pointer_last(tmp_path):
    import fsspec

    recipe = _recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["outputs"]["publish"] = "memory://bucket/wudaokou"
    recipe = write_recipe(tmp_path, body)
    assert main(["run", str(recipe), "--quiet"]) == 0
    memory = fsspec.filesystem("memory")
    pointer = memory.cat("/bucket/wudaokou/latest.txt").decode().strip()
    local = (tmp_path / "out" / "latest").resolve()
    assert pointer == f"runs/{local.name}"
    for name in ("grid/" + next((local / "grid").iterdir()).name, "manifest.json", "map.html", "report.html"):
        assert memory.cat(f"/bucket/wudaokou/{pointer}/{name}") == (local / name).read_bytes()
    assert main(["rescan", str(recipe), "--quiet"]) == 0  # nothing changed: reused, and published too
    newest = (tmp_path / "out" / "latest").resolve().name
    assert memory.cat("/bucket/wudaokou/latest.txt").decode().strip() == f"runs/{newest}"
