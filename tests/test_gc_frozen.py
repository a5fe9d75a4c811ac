"""compute_run keeps the collector off the objects that existed before it, and gives them back."""

from __future__ import annotations

import gc

import pytest

from urbanrisk import pipeline
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


def test_a_caller_that_froze_already_keeps_its_freeze():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen_before(gc.get_freeze_count)() == frozen and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
