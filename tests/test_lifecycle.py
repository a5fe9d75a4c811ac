"""The run life cycle on its own: partial folders, commit, latest, prune, reuse, debris, run keys."""

from __future__ import annotations

import json
import os

import pytest

from conftest import default_recipe
from urbanrisk.lifecycle import (
    PARTIAL_PREFIX,
    clear_debris,
    complete_runs,
    latest_run,
    link_run_files,
    new_run_folder,
    run_key,
    run_lock,
)
from urbanrisk.recipe import load_recipe


def _commit(out, text: str, keep: int = 30):
    with new_run_folder(out, keep=keep) as folder:
        (folder.path / "grid.parquet").write_text(text)
        (folder.path / "manifest.json").write_text(json.dumps({"text": text}))
        assert folder.path.name.startswith(PARTIAL_PREFIX)
        assert latest_run(out) != folder.path  # not visible before it is complete
    return folder


def test_commit_renames_into_place_and_moves_latest(tmp_path):
    first = _commit(tmp_path, "one")
    assert first.final == tmp_path / "runs" / first.stamp
    assert latest_run(tmp_path) == first.final
    second = _commit(tmp_path, "two")
    assert latest_run(tmp_path) == second.final
    assert complete_runs(tmp_path) == [first.final, second.final]
    assert not list((tmp_path / "runs").glob(f"{PARTIAL_PREFIX}*"))


def test_an_error_leaves_latest_and_debris_that_the_next_run_clears(tmp_path):
    good = _commit(tmp_path, "good")
    with pytest.raises(RuntimeError), new_run_folder(tmp_path, keep=30) as folder:
        (folder.path / "grid.parquet").write_text("half")
        raise RuntimeError("killed")
    assert latest_run(tmp_path) == good.final
    assert (good.final / "grid.parquet").read_text() == "good"
    assert folder.path.is_dir() and folder.final is None  # debris
    clear_debris(tmp_path)
    assert not folder.path.exists()
    assert complete_runs(tmp_path) == [good.final]


def test_prune_keeps_the_newest_runs_only(tmp_path):
    runs = [_commit(tmp_path, str(i), keep=2).final for i in range(4)]
    assert complete_runs(tmp_path) == runs[-2:]
    assert latest_run(tmp_path) == runs[-1]


def test_reuse_links_files_without_copying(tmp_path):
    source = _commit(tmp_path, "payload").final
    with new_run_folder(tmp_path, keep=30) as folder:
        link_run_files(source, folder.path, skip={"manifest.json"})
        (folder.path / "manifest.json").write_text("{}")
    linked = folder.final / "grid.parquet"
    assert linked.read_text() == "payload"
    assert os.stat(linked).st_ino == os.stat(source / "grid.parquet").st_ino
    assert os.stat(folder.final / "manifest.json").st_ino != os.stat(source / "manifest.json").st_ino


def test_the_lock_refuses_a_second_holder(tmp_path):
    from urbanrisk import RunLockedError

    with run_lock(tmp_path), pytest.raises(RunLockedError, match="already running"), run_lock(tmp_path):
        pass
    with run_lock(tmp_path):  # released
        pass


def _holder(lock, pid: str, seconds: float):
    """A process that holds ``lock`` (as a dead run's forked writer does) for ``seconds``, the file
    naming ``pid`` as the run."""
    import subprocess
    import sys

    code = (
        "import fcntl, sys, time\n"
        f"h = open({str(lock)!r}, 'a+'); fcntl.flock(h, fcntl.LOCK_EX)\n"
        f"h.seek(0); h.truncate(); h.write({pid!r}); h.flush()\n"
        "print('held', flush=True)\n"
        f"time.sleep({seconds})\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.stdout.close()
    return holder


def test_a_lock_left_by_a_dead_run_is_waited_for_and_a_live_one_refused_at_once(tmp_path):
    import subprocess
    import time

    from urbanrisk import RunLockedError

    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid names a run that has ended
    holder = _holder(tmp_path / ".lock", str(dead.pid), 1.0)
    start = time.monotonic()
    with run_lock(tmp_path):  # waits for the holder (the dead run's writer) to release it by ending
        waited = time.monotonic() - start
    holder.wait(timeout=30)
    assert 0.5 < waited < 5  # held 1 s: waited for, within the wait for a dead holder's lock
    holder = _holder(tmp_path / ".lock", str(os.getpid()), 30.0)  # a live run
    start = time.monotonic()
    try:
        with pytest.raises(RunLockedError, match=f"pid {os.getpid()}"), run_lock(tmp_path):
            pass
        assert time.monotonic() - start < 1  # refused at once, not after the wait
    finally:
        holder.kill()
        holder.wait()


def test_run_key_follows_inputs_and_settings(tmp_path):
    recipe_path = default_recipe(tmp_path / "a")
    base = run_key(load_recipe(recipe_path))
    assert run_key(load_recipe(recipe_path)) == base  # stable
    text = recipe_path.read_text(encoding="utf-8")
    recipe_path.write_text(text.replace("resolution: 10", "resolution: 9"), encoding="utf-8")
    assert run_key(load_recipe(recipe_path)) != base  # a setting changed
    recipe_path.write_text(text, encoding="utf-8")
    outputs_only = text.replace(str(tmp_path / "a" / "out"), str(tmp_path / "elsewhere"))
    recipe_path.write_text(outputs_only, encoding="utf-8")
    assert run_key(load_recipe(recipe_path)) == base  # where outputs go is not part of the result


def test_sub_folders_are_committed_and_reused_as_links(tmp_path):
    with new_run_folder(tmp_path, keep=30) as folder:
        (folder.path / "grid").mkdir()
        (folder.path / "grid" / "part-a.parquet").write_text("a")
        (folder.path / "manifest.json").write_text("{}")
    source = folder.final
    assert (source / "grid" / "part-a.parquet").read_text() == "a"
    with new_run_folder(tmp_path, keep=30) as again:
        link_run_files(source, again.path, skip={"manifest.json"})
        (again.path / "manifest.json").write_text("{}")
    linked = again.final / "grid" / "part-a.parquet"
    assert os.stat(linked).st_ino == os.stat(source / "grid" / "part-a.parquet").st_ino
    assert latest_run(tmp_path) == again.final
