"""Shared fixtures: the repository's real sample data and recipes written into temporary folders."""

from __future__ import annotations

import collections
import gc
import json
import sys
from pathlib import Path

import pytest
import yaml

from ram_temp import remove_ram_temp, use_ram_temp

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
WUDAOKOU_OSM = LAYERS / "beijing-wudaokou" / "wudaokou_2017.osm"
WUDAOKOU_HAZARDS = LAYERS / "beijing-wudaokou" / "hazards.csv"
BUPT_OSM = LAYERS / "beijing-bupt" / "bupt_2025.osm"
BALTIMORE_PBF = LAYERS / "baltimore" / "baltimore_2015.osm.pbf"
ACCRA_TIF = LAYERS / "accra" / "accra_worldpop_2015adj.tif"
DATA = Path(__file__).parent / "data"


def write_recipe(folder: Path, body: dict, name: str = "recipe.yaml") -> Path:
    """Write a recipe (a dict) as YAML into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def default_recipe(folder: Path, *, osm: Path | None = None, hazards: Path | None = None, **extra) -> Path:
    """The tests' default recipe, Wudaokou (the Chinese sample; `make demo` runs the Makefile's RECIPE,
    see test_demo.py), written into ``folder`` with absolute layer paths and outputs in
    ``folder/out``; ``osm``/``hazards`` replace its files, ``extra`` adds or replaces top-level keys."""
    body = yaml.safe_load((ROOT / "recipes" / "beijing-wudaokou.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(osm or WUDAOKOU_OSM)
    body["layers"]["hazards"]["path"] = str(hazards or WUDAOKOU_HAZARDS)
    body["outputs"]["dir"] = str(folder / "out")
    body.update(extra)
    return write_recipe(folder, body)


def shipped_recipe(folder: Path, city: str, *, osm: Path | None = None, **extra) -> Path:
    """The shipped ``recipes/<city>.yaml`` written into ``folder`` with absolute layer paths and
    outputs in ``folder/out``; ``osm`` replaces its OSM file, ``extra`` adds or replaces top-level keys."""
    body = yaml.safe_load((ROOT / "recipes" / f"{city}.yaml").read_text(encoding="utf-8"))
    for layer in body["layers"].values():
        if "path" in layer:
            layer["path"] = str((ROOT / "recipes" / layer["path"]).resolve())
    if osm is not None:
        body["layers"]["osm"]["path"] = str(osm)
    body["outputs"]["dir"] = str(folder / "out")
    body.update(extra)
    return write_recipe(folder, body)


@pytest.fixture(scope="session")
def baltimore_run(tmp_path_factory):
    """The shipped Baltimore recipe, run once (synchronous) for the tests that only read its result."""
    import urbanrisk as ur

    recipe = shipped_recipe(tmp_path_factory.mktemp("baltimore_shipped"), "baltimore")
    return ur.run_recipe(recipe, scheduler="synchronous")


@pytest.fixture(scope="session")
def wudaokou_run(tmp_path_factory):
    """The default recipe (Wudaokou, :func:`default_recipe` unchanged) run once (synchronous, written)
    for the tests that only read its result and its run folder (test_screens, test_snap_reasons,
    test_planner_view computed the same run each)."""
    import urbanrisk as ur

    return ur.run_recipe(default_recipe(tmp_path_factory.mktemp("wudaokou_default")), scheduler="synchronous")


@pytest.fixture(scope="session")
def wudaokou_r10_run(tmp_path_factory):
    """The default recipe at resolution 10 in r8 partitions (18 of them), run once (synchronous,
    written) for the tests that compare a partitioned or parallel run with it or read its run folder
    (test_grid_dataset, test_coverage_dask and test_parallel computed the same run each)."""
    import urbanrisk as ur

    folder = tmp_path_factory.mktemp("wudaokou_r10")
    recipe = default_recipe(folder, grid={"resolution": 10, "partition_resolution": 8})
    return ur.run_recipe(recipe, scheduler="synchronous")


def accra_recipe(folder: Path, **extra) -> Path:
    """A small real recipe for tests of the run's life cycle (locks, interruptions, pruning, rescans):
    the WorldPop raster over 2 × 2 km of central Accra at resolution 9 (~70 cells, a second a run),
    written into ``folder`` with outputs in ``folder/out``; ``extra`` adds or replaces top-level keys."""
    body = {
        "name": "accra",
        "area": {"bbox": [-0.22, 5.55, -0.20, 5.57]},
        "grid": {"resolution": 9},
        "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
        "outputs": {"dir": str(folder / "out")},
    }
    body.update(extra)
    return write_recipe(folder, body)


def validated(recipe: Path, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """``urbanrisk validate RECIPE`` in this process: its exit code and all it printed."""
    from urbanrisk.cli import main

    code = main(["validate", str(recipe)])
    out = capsys.readouterr()
    return code, out.out + out.err


def validate_in_fresh_process(recipe: Path, *python_flags: str):
    """``urbanrisk validate recipe`` in a fresh interpreter that prints, after it, ``HEAVY [...]``:
    which of dask, geopandas and shapely it imported (validate must stay light)."""
    import subprocess

    code = (
        "import sys\n"
        "from urbanrisk.cli import main\n"
        f"code = main(['validate', {str(recipe)!r}])\n"
        "heavy = sorted(m for m in ('dask', 'geopandas', 'shapely') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(code)\n"
    )
    return subprocess.run([sys.executable, *python_flags, "-c", code], capture_output=True, text=True)


@pytest.fixture
def wudaokou_recipe(tmp_path: Path) -> Path:
    """The Wudaokou recipe with absolute layer paths and outputs in a temporary folder."""
    return default_recipe(tmp_path)


# --- the generated hostile cases per class (tests/test_hostile.py's COUNTS), summed over xdist workers

HOSTILE_TOTALS: collections.Counter[str] = collections.Counter()


def _hostile_counts() -> dict[str, int]:
    module = sys.modules.get("test_hostile")
    return dict(getattr(module, "COUNTS", {}))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its counts to the controller (xdist's workeroutput); alone, keep them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile_counts"] = json.dumps(_hostile_counts())
    else:
        HOSTILE_TOTALS.update(_hostile_counts())


class _WorkerCounts:
    """Registered when pytest-xdist runs: add each finished worker's counts."""

    def pytest_testnodedown(self, node, error) -> None:
        HOSTILE_TOTALS.update(json.loads(getattr(node, "workeroutput", {}).get("hostile_counts", "{}")))


#: Python's cycle collector in the test processes: at its default (700, 10, 10) it ran ~1,800 times and
#: took 2.3 of test_coverage.py's 15.4 CPU s (15 %); at these, 5 times and 0.25 s (benchmarks/RESULTS.md,
#: "The test suite's time (session 17, suite17)"). The test processes' setting (and their forked
#: children's); the package's own pauses and freezes (urbanrisk._gc) run as before inside it.
GC_THRESHOLDS = (100_000, 50, 100)


#: The files that held a test process longest (seconds, quiet run of main a2d0213: 50.7 ... 18.3), started
#: first: xdist's loadfile otherwise hands out files by their number of tests (--loadscope-reorder), and
#: test_map_phone.py (30 s in 3 tests; now two tests of test_planner_view.py) came 198th of 282, with one
#: process left alone at the end. The Makefile's `make test` keeps this order (--no-loadscope-reorder);
#: the rest follow in collection order.
SLOW_FILES_FIRST = (
    "tests/test_hostile.py",
    "tests/test_parallel.py",
    "tests/test_pipeline.py",
    "tests/test_planner_view.py",
    "tests/test_stored_layers.py",
    "tests/test_rescan.py",
    "tests/test_browser.py",
    "tests/test_deliverables.py",
    "tests/test_ingest.py",
    "tests/test_map_unknown_coverage.py",
    "tests/test_coverage_dask.py",
    "tests/test_batch.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The :data:`SLOW_FILES_FIRST` first, each file's tests in their order (a stable sort)."""
    rank = {name: i for i, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.hookimpl(tryfirst=True)  # before pytest's own, which reads --basetemp
def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    use_ram_temp(config)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_WorkerCounts(), "hostile-worker-counts")


def pytest_unconfigure(config: pytest.Config) -> None:
    remove_ram_temp(config)


def pytest_terminal_summary(terminalreporter) -> None:
    if HOSTILE_TOTALS:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(HOSTILE_TOTALS.items()))
        terminalreporter.write_line(f"hostile cases: {counts}")


def gb18218_at_one_point(
    quantities: list[str], *, substance: str, people: float, lon: float, lat: float, utm_crs: str
):
    """The GB 18218 columns of sources of ``substance`` storing ``quantities`` at (lon, lat), ``people``
    within 500 m of each (the whole circle inside the grid, every resident known): R computed by hand."""
    import math

    import geopandas as gpd
    import h3
    import numpy as np
    import shapely

    from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

    sources = gpd.GeoDataFrame(
        {"substance": [substance] * len(quantities), "quantity_t": quantities},
        geometry=[shapely.Point(lon, lat)] * len(quantities),
        crs=4326,
    )
    cell = h3.latlng_to_cell(lat, lon, 9)
    grid = gpd.GeoDataFrame(
        {"residents": [people]}, geometry=[shapely.Point(lon, lat)], index=[cell], crs=4326
    )

    def exposed_of(grid, centres, radii, utm_crs, weights=None):
        return np.tile([people, 0.0, 1.0, math.pi * 500.0**2], (len(radii), 1))

    return major_hazard_grades(sources, grid, gb18218_table(), utm_crs=utm_crs, exposed_of=exposed_of)
