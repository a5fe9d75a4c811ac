"""The command's quick exit (:mod:`urbanrisk.cli_entry`): what an exit must do is done, the exit code
kept, the run's outputs whole; only the interpreter's teardown is skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pyogrio

from urbanrisk.grid_dataset import read_grid

ROOT = Path(__file__).resolve().parents[1]

EXITING = textwrap.dedent(
    """
    import logging, os, shutil, sys, tempfile, threading, time, weakref
    from urbanrisk.cli_entry import exit_now

    folder, late = sys.argv[1], sys.argv[2]
    holder = type("Store", (), {})()
    weakref.finalize(holder, shutil.rmtree, folder)  # as the layer store's folder: removed at exit
    log = logging.getLogger("probe")
    log.addHandler(logging.FileHandler(os.path.join(os.path.dirname(late), "probe.log")))
    log.warning("logged before the exit")

    def finish_later():
        time.sleep(0.3)
        with open(late, "w") as file:
            file.write("done")

    threading.Thread(target=finish_later).start()  # not a daemon: the exit waits for it
    print("said before the exit")  # a pipe: block-buffered, not yet flushed
    sys.stderr.write("warned before the exit")
    exit_now(3)
    """
)


def test_the_quick_exit_waits_for_threads_runs_exit_handlers_flushes_and_keeps_the_code(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "part.parquet").write_bytes(b"x")
    late = tmp_path / "late.txt"
    done = subprocess.run(
        [sys.executable, "-c", EXITING, str(folder), str(late)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "said before the exit\n" and done.stderr == "warned before the exit"
    assert not folder.exists()  # weakref.finalize ran (atexit)
    assert late.read_text() == "done"  # the thread was waited for
    assert (tmp_path / "probe.log").read_text() == "logged before the exit\n"  # logging flushed


def test_the_command_and_python_dash_m_use_the_quick_exit():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["urbanrisk"] == "urbanrisk.cli_entry:command"
    assert "command()" in (ROOT / "src" / "urbanrisk" / "__main__.py").read_text(encoding="utf-8")


def test_a_run_on_processes_through_the_command_keeps_its_outputs_and_exit_code(tmp_path):
    """The whole command on worker processes, its exit the quick one: exit 0, every file of the
    manifest written, nothing left in the temporary folder or the spool beside the runs."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    out, recipe = tmp_path / "out", ROOT / "recipes" / "beijing-bupt.yaml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "urbanrisk",
            "run",
            str(recipe),
            "--scheduler",
            "processes",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(temporary)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("done in "), done.stdout
    run = out / "latest"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheduler"] == "processes"
    written = {p.name for p in run.iterdir()}
    assert {
        "map.html",
        "report.html",
        "risk.gpkg",
        "coverage.parquet",
        "network_edges.parquet",
        "grid",
    } <= written
    assert len(read_grid(run, geometry=False)) == manifest["counts"]["cells"] > 0
    assert "grid" in {name for name, _ in pyogrio.list_layers(run / "risk.gpkg")}
    assert list(temporary.iterdir()) == []
    assert [p.name for p in (out / "runs").iterdir() if p.name.startswith(".")] == []
