"""End to end on the real Wudaokou city: outputs that open, schedulers that agree, runs that never break."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd
import pyogrio
import pytest
import yaml

import urbanrisk as ur
from conftest import WUDAOKOU_HAZARDS, WUDAOKOU_OSM, accra_recipe, default_recipe, write_recipe
from urbanrisk import GridError, LayerError, RunLockedError
from urbanrisk.cli import main
from urbanrisk.grid_dataset import read_grid
from urbanrisk.lifecycle import run_lock


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The default recipe run once through the CLI, as a user would."""
    folder = tmp_path_factory.mktemp("default")
    recipe = default_recipe(folder)
    out = folder / "out"
    assert main(["run", str(recipe), "--out", str(out), "--quiet", "--scheduler", "synchronous"]) == 0
    return recipe, out


def test_default_recipe_outputs_open(default_run):
    _, out = default_run
    latest = out / "latest"
    assert latest.is_symlink() and latest.resolve().parent == out / "runs"
    grid = read_grid(latest)
    assert grid.index.name == "h3_cell" and grid.crs.to_epsg() == 4326
    assert len(grid) > 400
    assert grid["residents"].sum() > 10_000
    assert grid["buildings"].sum() == 520  # 521 buildings, one outside the declared bounds
    assert grid["hazard_fuel"].sum() == 1 and grid["hazards"].sum() == 2
    assert set(grid["population_source"]) == {
        "buildings: residential floor area of layer 'osm' ÷ 38.6 m² per person"
    }
    layers = {name for name, _ in pyogrio.list_layers(latest / "risk.gpkg")}
    assert {
        "grid",
        "hazard_sources",
        "communities",
        "key_districts",
        "buildings",
        "pois",
        "streets",
    } <= layers
    gpkg_grid = gpd.read_file(latest / "risk.gpkg", layer="grid")
    assert len(gpkg_grid) == len(grid)
    assert gpkg_grid["residents"].sum() == pytest.approx(grid["residents"].sum())
    html = (latest / "map.html").read_text(encoding="utf-8")
    assert len(html) > 3_000_000  # deck.gl inlined
    assert "createDeck" in html and "H3HexagonLayer" in html
    assert not re.search(r"<script[^>]*src=[\"']https?:", html)  # nothing fetched from a CDN
    assert not re.search(r"<link[^>]*href=[\"']?https?:", html)
    assert "© OpenStreetMap contributors" in html
    assert "nearest resource: medical" in html  # tooltips give the travel to the nearest hospital
    assert 'type="checkbox" checked data-layer="cells"' in html  # layer toggles: grades shown...
    assert 'type="checkbox" data-layer="residents"' in html  # ...residents on demand


def test_manifest_traces_the_run(default_run):
    _, out = default_run
    manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
    grid = read_grid(out / "latest")
    assert manifest["counts"]["cells"] == len(grid)
    assert manifest["counts"]["residents"] == pytest.approx(grid["residents"].sum(), abs=1e-3)
    assert manifest["inputs"]["osm"]["sha256"].startswith("bc3a079f1d5585f2")
    assert set(manifest["timings_s"]) >= {"layers", "area", "grid"}
    assert manifest["versions"]["h3"].startswith("4.")
    assert manifest["recipe"]["grid"]["resolution"] == 10
    assert "38.6" in manifest["population_source"]


@pytest.fixture(scope="module")
def sync_grid(tmp_path_factory):
    """The default recipe's grid on ``synchronous``, not written, computed once: two tests compare to it."""
    recipe = default_recipe(tmp_path_factory.mktemp("sync"))
    return ur.run_recipe(recipe, scheduler="synchronous", write=False).grid


def test_synchronous_and_processes_give_identical_grids(wudaokou_recipe, sync_grid):
    procs = ur.run_recipe(wudaokou_recipe, scheduler="processes", write=False).grid
    pd.testing.assert_frame_equal(pd.DataFrame(sync_grid), pd.DataFrame(procs), check_exact=True)


def test_partitioning_does_not_change_results(wudaokou_recipe, tmp_path, sync_grid):
    body = yaml.safe_load(wudaokou_recipe.read_text(encoding="utf-8"))
    one = sync_grid
    body["grid"]["partition_resolution"] = 9  # many small partitions
    many = ur.run_recipe(write_recipe(tmp_path / "many", body), scheduler="threads", write=False).grid
    assert list(one.index) == list(many.index)
    for column in ("residents", "footprint_m2", "floor_area_m2", "street_length_m"):
        assert many[column].to_numpy() == pytest.approx(one[column].to_numpy(), rel=1e-9, abs=1e-9)
    for column in ("buildings", "crowd_places", "hazards"):
        assert (many[column] == one[column]).all()


class BoomError(RuntimeError):
    pass


def test_interrupted_run_leaves_latest_untouched(tmp_path):
    small_recipe = accra_recipe(tmp_path)
    out = tmp_path / "out"
    first = ur.run_recipe(small_recipe).run_dir
    assert (out / "latest").resolve() == first
    before = {p.name: p.read_bytes() for p in (first / "grid").iterdir()}

    def explode(name: str) -> None:
        if name == "map.html":
            raise BoomError("killed while writing")

    with pytest.raises(BoomError):
        ur.run_recipe(small_recipe, after_stage=explode)
    assert (out / "latest").resolve() == first
    assert {p.name: p.read_bytes() for p in (first / "grid").iterdir()} == before
    assert [p.name for p in (out / "runs").iterdir() if p.name.startswith(".partial-")]  # debris left
    second = ur.run_recipe(small_recipe).run_dir
    assert (out / "latest").resolve() == second != first
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".partial-")]  # debris cleaned
    assert first.is_dir()  # older complete runs are kept (outputs.keep)


def test_old_runs_pruned_only_after_success(tmp_path):
    recipe = accra_recipe(tmp_path, outputs={"dir": str(tmp_path / "out"), "keep": 2})
    runs = [ur.run_recipe(recipe).run_dir for _ in range(3)]
    kept = sorted(p for p in (tmp_path / "out" / "runs").iterdir())
    assert kept == runs[1:]


def test_second_run_while_locked_is_refused(tmp_path, capsys):
    small_recipe = accra_recipe(tmp_path)
    out = tmp_path / "out"
    with run_lock(out):
        with pytest.raises(RunLockedError, match=rf"already running \(pid {os.getpid()}"):
            ur.run_recipe(small_recipe)
        assert main(["run", str(small_recipe), "--quiet"]) == 75
    assert "already running" in capsys.readouterr().err
    assert ur.run_recipe(small_recipe).run_dir is not None  # lock released with its holder


def test_absurd_resolution_refused_with_estimate(wudaokou_recipe, tmp_path, capsys):
    body = yaml.safe_load(wudaokou_recipe.read_text(encoding="utf-8"))
    body["grid"]["resolution"] = 15
    recipe = write_recipe(tmp_path / "absurd", body)
    # the box holds 156,232 cells at r13, so ~7.66 M at r15 (7² children each): the estimate is within 2 %
    estimate = r"resolution 15 over 5 km² makes about 7,[56][0-9]{2},[0-9]{3} H3 cells"
    with pytest.raises(GridError, match=estimate):
        ur.run_recipe(recipe, write=False)
    assert main(["run", str(recipe), "--quiet"]) == 2
    assert re.search(r"use resolution 1[0-3] or coarser", capsys.readouterr().err)  # r14 needs ~600 GB


def test_swapped_registry_is_refused(wudaokou_recipe, tmp_path):
    swapped = tmp_path / "swapped.csv"
    text = WUDAOKOU_HAZARDS.read_text(encoding="utf-8").replace("lon,lat", "lat,lon", 1)
    swapped.write_text(text, encoding="utf-8")  # header names exchanged: columns now swapped
    body = yaml.safe_load(wudaokou_recipe.read_text(encoding="utf-8"))
    body["layers"]["hazards"]["path"] = str(swapped)
    with pytest.raises(LayerError, match="lon and lat columns look swapped"):
        ur.run_recipe(write_recipe(tmp_path / "sw", body), write=False)


def test_recipe_without_hazards_or_buildings_runs(tmp_path):
    from conftest import ACCRA_TIF

    recipe = write_recipe(
        tmp_path,
        {
            "name": "accra-small",
            "area": {"bbox": [-0.22, 5.55, -0.18, 5.59]},
            "grid": {"resolution": 9},
            "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
            "outputs": {"dir": str(tmp_path / "out")},
        },
    )
    result = ur.run_recipe(recipe)
    assert result.grid["residents"].sum() > 50_000
    assert result.grid["buildings"].sum() == 0 and result.grid["hazards"].sum() == 0
    assert (Path(result.run_dir) / "map.html").exists()


def test_missing_layer_file_exit_code_2(tmp_path, capsys):
    recipe = write_recipe(
        tmp_path,
        {
            "name": "x",
            "area": {"layer": "osm"},
            "grid": {"resolution": 9},
            "layers": {"osm": {"type": "osm", "path": "nothere.osm"}},
            "outputs": {"dir": "out"},
        },
    )
    assert main(["run", str(recipe), "--quiet"]) == 2
    assert "layers.osm.path: file not found" in capsys.readouterr().err


def test_community_polygons_and_a_boundary_file_from_the_recipe(tmp_path):
    from shapely.geometry import box

    west = box(116.3084, 39.9905, 116.3200, 40.0123)
    east = box(116.3200, 39.9905, 116.3320, 40.0123)
    units = gpd.GeoDataFrame(
        {"code": ["110108001", "110108002"], "title": ["西街道 <b>", "东街道"]},
        geometry=[west, east],
        crs=4326,
    ).to_crs(32650)  # any CRS: reprojected
    units.to_file(tmp_path / "units.gpkg")
    gpd.GeoDataFrame(geometry=[box(116.315, 39.995, 116.325, 40.005)], crs=4326).to_file(
        tmp_path / "area.geojson"
    )
    recipe = default_recipe(tmp_path, area={"path": str(tmp_path / "area.geojson")})
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["units"] = {
        "type": "polygons",
        "path": str(tmp_path / "units.gpkg"),
        "id_column": "code",
        "name_column": "title",
    }
    result = ur.run_recipe(write_recipe(tmp_path, body), write=False)
    assert result.screens.status["communities"] == "ok: 2 units from recipe polygons layer"
    table = result.screens.communities
    assert set(table["id"]) == {"110108001", "110108002"}
    assert set(table["name"]) == {"西街道 <b>", "东街道"}
    assert table["residents"].sum() == pytest.approx(result.grid["residents"].sum())
    lons = [h3.cell_to_latlng(c)[1] for c in result.grid.index]
    assert min(lons) > 116.314 and max(lons) < 116.326  # the grid follows the boundary file


@pytest.fixture(scope="module")
def default_result(tmp_path_factory):
    """The default recipe on the default scheduler, not written, computed once: two tests read it."""
    return ur.run_recipe(default_recipe(tmp_path_factory.mktemp("local")), write=False)


def test_inputs_can_be_fsspec_urls(tmp_path, default_result):
    import fsspec

    memory = fsspec.filesystem("memory")
    memory.pipe("/city/wudaokou.osm", WUDAOKOU_OSM.read_bytes())
    memory.pipe("/city/hazards.csv", WUDAOKOU_HAZARDS.read_bytes())
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = "memory://city/wudaokou.osm"
    body["layers"]["hazards"]["path"] = "memory://city/hazards.csv"
    remote = ur.run_recipe(write_recipe(tmp_path / "remote", body), write=False)
    pd.testing.assert_frame_equal(pd.DataFrame(remote.grid), pd.DataFrame(default_result.grid))
    body["layers"]["hazards"]["path"] = "memory://city/missing.csv"
    with pytest.raises(LayerError, match=r"cannot read memory://city/missing\.csv"):
        ur.run_recipe(write_recipe(tmp_path / "missing", body), write=False)


def test_map_page_attributes_stay_out_of_the_deck_json(default_result):
    deck = default_result.map()
    assert "Layers" in deck.header_html  # the legend travels with the deck for notebooks...
    deck_json = deck.to_json()
    assert "headerHtml" not in deck_json and "displayNote" not in deck_json  # ...but not into deck.gl
    assert "urToggle" in deck._repr_html_()


def test_an_area_away_from_the_buildings_and_units_is_said(tmp_path):
    """A bbox typed away from the data (here across 180°, the BUPT extract kept) ran 121,278 empty cells
    to the end, noting only the registries' points; it is now refused before any layer is read, with the
    extract's bounds and the fix. An area within the extract but away from its buildings and from the
    units still runs, and says that none of them lies in it."""
    from shapely.geometry import box

    from conftest import BUPT_OSM
    from urbanrisk._errors import LayerError
    from urbanrisk.pipeline import prepare_run
    from urbanrisk.recipe import load_recipe

    gpd.GeoDataFrame(  # a unit a degree east of the extract
        {"id": ["001"], "name": ["北邮社区"]}, geometry=[box(117.349, 39.957, 117.355, 39.963)], crs=4490
    ).to_file(tmp_path / "社区.geojson")
    body = {
        "name": "away",
        "area": {"bbox": [179.9, -16.6, -179.9, -16.5]},
        "grid": {"resolution": 9},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "units": {"type": "polygons", "path": "社区.geojson", "level": "社区"},
        },
        "outputs": {"dir": str(tmp_path / "out")},
    }
    with pytest.raises(LayerError) as refused:
        prepare_run(load_recipe(write_recipe(tmp_path, body)), cache=None, stage=lambda name, work: work())
    assert (
        "area: the study area [179.9000, -16.6000, -179.9000, -16.5000] lies wholly outside every OSM "
        "extract of the recipe: 'osm' (bupt_2025.osm) covers [116.3489, 39.9567, 116.3552, 39.9638]; "
        "nothing there could be measured: fix `area:`, or give the OSM extract that covers the area"
    ) in str(refused.value)
    x, y = 116.35056, 39.95987  # inside the extract, over 40 m from any building
    body["area"] = {"bbox": [x - 0.0002, y - 0.0002, x + 0.0002, y + 0.0002]}
    recipe = load_recipe(write_recipe(tmp_path, body))
    layers, _, notes = prepare_run(recipe, cache=None, stage=lambda name, work: work())
    count = len(layers.buildings)
    assert count > 100
    assert (
        f"buildings: none of the {count:,} lies in the study area: no resident or building is counted"
        in " ".join(notes)
    )
    assert (
        "polygons: none of the 1 lies in the study area: cells fall to H3 parent units (check area:)" in notes
    )
    home = {**body, "area": {"layer": "osm"}}  # the extract's own area: only the far unit is said
    _, _, notes = prepare_run(load_recipe(write_recipe(tmp_path, home)), cache=None, stage=lambda n, w: w())
    assert [n for n in notes if "lies in the study area" in n] == [
        "polygons: none of the 1 lies in the study area: cells fall to H3 parent units (check area:)"
    ]


@pytest.mark.parametrize(
    ("quiet", "terminal", "bars"), [(False, True, True), (False, False, False), (True, True, False)]
)
def test_progress_bars_only_on_a_terminal(monkeypatch, quiet, terminal, bars):
    """A nightly rescan's log file got 427 carriage-return bar updates from one 32 x 32 run."""
    import argparse
    import io
    import sys

    from urbanrisk.cli import _progress

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return terminal

    monkeypatch.setattr(sys, "stdout", Stream())
    assert _progress(argparse.Namespace(quiet=quiet)) is bars


def test_report_tables_align_a_numbers_heading_with_its_numbers():
    """Right-aligned numbers under left-aligned headings read as shifted one column (a zh report's
    红色单元 heading sat over the II-level residents)."""
    import pandas as pd

    from urbanrisk.outputs.report_parts import table_html

    html = table_html(
        pd.DataFrame({"name": ["A"], "residents": [12.0]}),
        {"name": "unit", "residents": "residents"},
        t=lambda text, **kw: text,
        numeric={"residents"},
    )
    assert "<th>unit</th>" in html
    assert '<th class="n">residents</th>' in html
    assert '<td class="n">12</td>' in html


def test_a_registry_wholly_outside_the_area_is_not_called_no_registry(tmp_path):
    """A hazard registry whose one point lay 30 km away ran with the status "skipped: no hazards (no
    hazard registry layer and no OSM hazard features)": the office had given one. A shelter registry
    under a preset without a shelter standard was read and mapped without a word."""
    from conftest import BUPT_OSM

    (tmp_path / "h.csv").write_text("id,kind,name,lon,lat\nH1,fuel,a,116.5,40.2\n", encoding="utf-8")
    body = {
        "name": "away",
        "area": {"layer": "osm"},
        "grid": {"resolution": 8},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "hazards": {"type": "points", "path": "h.csv"},
            "shelters": {"type": "points", "role": "resource", "path": "s.csv", "complete_for": ["shelter"]},
        },
        "coverage": {"standards": "nfpa1710"},  # fire only: the shelter registry serves none of it
        "outputs": {"dir": str(tmp_path / "out")},
    }
    (tmp_path / "s.csv").write_text("id,kind,name,lon,lat\nS1,shelter,b,116.352,39.958\n", encoding="utf-8")
    result = ur.run_recipe(write_recipe(tmp_path, body), write=False, scheduler="synchronous")
    # a registry no standard of the preset serves was read and mapped, and never said to be out of coverage
    assert [n for n in result.notes if "serves no coverage standard" in n] == [
        "resources: shelter (registry 'shelters') serves no coverage standard of preset 'nfpa1710': it is on "
        "the map and in resources.parquet, in no coverage table (name a standard for it in your copy of "
        "standards.csv, tables: {standards: ...})"
    ]
    assert (
        result.screens.status["hazard_sources"]
        == "skipped: none of the 1 hazard source reaches the study area"
    )
    assert "hazards: none of its 1 point lies in the study area" in result.notes
    from urbanrisk.outputs.i18n import data_text

    assert data_text(result.screens.status["hazard_sources"], "zh").startswith(
        "跳过：1 个危险源均不在研究区内"
    )


def test_the_standards_are_resolved_once_per_run(tmp_path, monkeypatch):
    import urbanrisk.pipeline as pipeline
    import urbanrisk.stage_coverage as stage_coverage
    from conftest import accra_recipe

    calls = []
    real = pipeline.standards_for

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "standards_for", counted)
    monkeypatch.setattr(stage_coverage, "standards_for", counted)
    result = ur.run_recipe(ur.load_recipe(accra_recipe(tmp_path)), write=False, scheduler="synchronous")
    assert len(calls) == 1 and result.layers.standards is not None  # prepare_run's, passed to coverage
    assert set(result.coverage.status) >= {"fire", "medical", "shelter"}
