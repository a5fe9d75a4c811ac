"""The same recipe on a real dask.distributed cluster gives exactly the single-process result."""

from __future__ import annotations

import pandas as pd
import pytest

import urbanrisk as ur
from urbanrisk import InputError


def test_local_cluster_of_two_worker_processes_equals_single_process(wudaokou_recipe):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        distributed = ur.run_recipe(wudaokou_recipe, scheduler=cluster.scheduler_address, write=False)
    single = ur.run_recipe(wudaokou_recipe, scheduler="synchronous", write=False)
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.grid), pd.DataFrame(single.grid), check_exact=True)
    for name in ("hazard_sources", "communities", "key_districts"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(distributed.screens, name)), pd.DataFrame(getattr(single.screens, name))
        )


def test_unreachable_scheduler_is_a_clear_error(wudaokou_recipe):
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        ur.run_recipe(wudaokou_recipe, scheduler="tcp://127.0.0.1:9", write=False)
