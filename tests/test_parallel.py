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


def test_synthetic_metropolis_is_tiled_with_unique_ids_and_a_connected_network(tmp_path):
    from conftest import WUDAOKOU_OSM
    from urbanrisk.layers.osm import osm_from_file
    from urbanrisk.network import street_graph
    from urbanrisk.synth import synth_metro

    one = osm_from_file(synth_metro(WUDAOKOU_OSM, 1, tmp_path / "one")[0])
    pbf, recipe = synth_metro(WUDAOKOU_OSM, 3, tmp_path / "nine")
    nine = osm_from_file(pbf)
    assert len(nine.buildings) == 9 * len(one.buildings) > 4000
    assert nine.buildings["osm_ref"].is_unique and nine.street_nodes.index.is_unique
    assert nine.buildings["footprint_m2"].sum() == pytest.approx(
        9 * one.buildings["footprint_m2"].sum(), rel=1e-3
    )
    x0, y0, x1, y1 = one.bounds
    assert nine.bounds == pytest.approx((x0, y0, x0 + 3 * (x1 - x0), y0 + 3 * (y1 - y0)))
    # streets meet their mirror image at tile borders: the metropolis is one network, not nine islands
    graph = street_graph(nine.streets, nine.street_nodes, mode="drive", utm_crs="EPSG:32650")
    single = street_graph(one.streets, one.street_nodes, mode="drive", utm_crs="EPSG:32650")
    assert len(graph.main_component) > 8 * len(single.main_component)
    assert ur.load_recipe(recipe).layers["osm"].path == str(pbf.resolve())
