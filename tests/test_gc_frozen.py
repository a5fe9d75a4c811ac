"""compute_run keeps the collector off the objects that existed before it, and gives them back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import urbanrisk as ur
from urbanrisk import grid, inputs, partitions, pipeline, stage_coverage
from urbanrisk._gc import frozen_before


class _StopError(Exception):
    pass


def test_a_run_freezes_what_existed_and_unfreezes_it_even_when_it_fails(monkeypatch):
    seen = []

    def stop(*args, **kwargs):  # the run's first stage: it sees the freeze, then the run fails
        seen.append(gc.get_freeze_count())
        raise _StopError

    monkeypatch.setattr(pipeline, "prepare_run", stop)
    before = gc.get_freeze_count()
    with pytest.raises(_StopError):
        pipeline.compute_run(None, scheduler="synchronous")
    assert seen[0] > before + 10_000  # the imports' objects (~120k)
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize(
    ("module", "inner", "call"),
    [
        (inputs, "osm_tag_table", lambda recipe: inputs.load_layers(recipe)),
        (grid, "check_job", lambda recipe: partitions.build_grid(recipe, None, None)),
        (
            stage_coverage,
            "with_residents_known",
            lambda recipe: stage_coverage.coverage_for(recipe, None, None, None),
        ),
    ],
    ids=["load_layers", "build_grid", "coverage_for"],
)
def test_each_stage_called_alone_freezes_too(monkeypatch, module, inner, call):
    seen = []

    def stop(*args, **kwargs):  # the stage's first step: it sees the freeze, then the stage fails
        seen.append(gc.get_freeze_count())
        raise _StopError

    monkeypatch.setattr(module, inner, stop)
    before = gc.get_freeze_count()
    with pytest.raises(_StopError):
        call(ur.load_recipe(Path(__file__).parents[1] / "recipes" / "baltimore.yaml"))
    assert seen[0] > before + 10_000 and gc.get_freeze_count() == before


def test_a_caller_that_froze_already_keeps_its_freeze():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen_before(gc.get_freeze_count)() == frozen and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_write_stage_freezes_what_existed_and_unfreezes_it_even_when_it_fails(monkeypatch, tmp_path):
    """Each full collection of the write stage walked the run's objects again (16 tiles: 0.3 s)."""
    from urbanrisk import outputs
    from urbanrisk.outputs import summary

    seen = []

    def stop(*args, **kwargs):  # the write's first step: it sees the freeze, then the write fails
        seen.append(gc.get_freeze_count())
        raise _StopError

    monkeypatch.setattr(summary, "run_summary", stop)
    before = gc.get_freeze_count()
    with pytest.raises(_StopError):
        outputs.write_outputs(None, tmp_path, run={})
    assert seen[0] > before + 10_000 and gc.get_freeze_count() == before


def test_the_command_runs_with_the_collector_on_after_its_paused_imports(monkeypatch, tmp_path):
    from urbanrisk import cli, run

    seen = []

    def stop(*args, **kwargs):
        seen.append(gc.isenabled())
        raise _StopError

    monkeypatch.setattr(run, "run_recipe", stop)
    recipe = Path(__file__).parents[1] / "recipes" / "baltimore.yaml"
    assert gc.isenabled()
    with pytest.raises(_StopError):
        cli._run(cli.build_parser().parse_args(["run", str(recipe), "--quiet", "--out", str(tmp_path)]))
    assert seen == [True] and gc.isenabled()
