"""A polygon-cut extract's data end at its polygon, not at the box its header declares (session 15,
fresh15): streets cut at the polygon leave the data, and the box's empty part is not data.

The clip: ``tests/data/baltimore_se_triangle.osm.pbf``, a triangle cut from the shipped Baltimore
extract (``osmium sort layers/baltimore/baltimore_2015.osm.pbf -o sorted.osm.pbf; osmium extract
--set-bounds --polygon triangle.geojson sorted.osm.pbf``, complete ways) with the corners of
:data:`TRIANGLE`; its header declares the triangle's box. Before, the run took that box as the OSM
extent: 180 cells (2,847 residents at r10) near a piece of streets cut at the triangle's long side
were uncovered, "no street of the connected network within 500 m", and with the study area
``{layer: osm}`` the box's empty half was graded IV from no data. Checked against networkx on the
run's network tables and the triangle itself: the pieces off the main strongly connected component,
directions ignored, that have a node outside the triangle or within 50 m of its boundary."""

from __future__ import annotations

import json

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from conftest import DATA
from leaving_reference import clip_run, expected_leaving
from urbanrisk.coverage_unknown import OUTSIDE_STREETS
from urbanrisk.preflight_area import osm_header_bounds
from urbanrisk.snap_reasons import LEAVES_DATA

CLIP = DATA / "baltimore_se_triangle.osm.pbf"
TRIANGLE = [(-76.6081, 39.2586), (-76.545, 39.2586), (-76.545, 39.29672)]  # the cut's polygon


def _run(folder, area: dict, *, partitioned: bool = False) -> object:
    return clip_run(folder, CLIP, "baltimore-se-triangle", area, partitioned=partitioned)


def _triangle_run(folder, partitioned: bool):
    ring = [list(p) for p in [*TRIANGLE, TRIANGLE[0]]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path = folder / "triangle.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return _run(folder, {"path": str(path)}, partitioned=partitioned)


@pytest.fixture(scope="module")
def polygon_run(tmp_path_factory):
    return _triangle_run(tmp_path_factory.mktemp("triangle"), False)


@pytest.fixture(scope="module")
def box_run(tmp_path_factory):
    """The study area given as the box the header declares (``{layer: osm}`` was that box: now the
    extract's footprint, :func:`test_the_study_area_of_the_extract_is_its_footprint`)."""
    header = osm_header_bounds(str(CLIP), layer="osm")
    return _run(tmp_path_factory.mktemp("box"), {"bbox": list(header)})


@pytest.fixture(scope="module")
def layer_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("layer"), {"layer": "osm"})


def _distance_to_the_triangle(cells: pd.Index) -> np.ndarray:
    """Per cell: metres from its hexagon to the triangle (0 where they meet)."""
    to_xy = Transformer.from_crs(4326, 32618, always_xy=True)
    triangle = shapely.Polygon(np.column_stack(to_xy.transform(*np.array(TRIANGLE).T)))
    hexagons = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    hexagons = shapely.transform(np.array(hexagons), lambda xy: np.column_stack(to_xy.transform(*xy.T)))
    return shapely.distance(hexagons, triangle)


def _outside_the_triangle(nodes: pd.DataFrame, utm_crs: str) -> np.ndarray:
    """Per node: outside the triangle or within 50 m of its boundary."""
    to_xy = Transformer.from_crs(4326, utm_crs, always_xy=True)
    triangle = shapely.Polygon(np.column_stack(to_xy.transform(*np.array(TRIANGLE).T)))
    return ~shapely.contains_xy(triangle.buffer(-50.0), nodes["x"], nodes["y"])


def test_streets_cut_at_the_polygon_leave_the_data(polygon_run):
    coverage = pd.read_parquet(polygon_run / "coverage.parquet")
    table = coverage[coverage["standard"] == "fire"].reset_index(drop=True)
    far, near_leaving = expected_leaving(polygon_run, table, _outside_the_triangle)
    leaving = table["reason"].to_numpy() == LEAVES_DATA
    assert (leaving == (far & near_leaving)).all()
    # 180 of them (2,847 residents) were uncovered, "not connected"; 188 until the closed (access=no)
    # streets by Fort McHenry left the network: 11 empty cells by them have no street within 500 m now
    assert leaving.sum() == 177
    assert table.loc[leaving, "residents"].sum() == pytest.approx(2848, abs=1)
    assert not table.loc[leaving, "travel_known"].any()
    assert table.loc[leaving, "residents_uncovered"].isna().all()  # unknown, not uncovered
    assert not table["reason"].str.startswith("no street of the connected").any()


def test_the_empty_part_of_the_declared_box_is_not_data(box_run):
    grid = pd.read_parquet(box_run / "grid", columns=["grade", "known_travel", "known_crowding", "residents"])
    distance = _distance_to_the_triangle(grid.index)
    # the extent is the box less what the extract's content (hull + 100 m) does not reach: two cut
    # streets meeting up to 265 m past the triangle push the hull out, so a band of cells beyond the
    # triangle stays data (125 of the 795 cells wholly outside it, none farther than 400 m)
    beyond = distance > 400.0
    assert beyond.sum() == 616  # of the box's empty half; before, every one was graded IV
    assert (grid.loc[beyond, "grade"] == "no data").all()
    assert not grid.loc[beyond, ["known_travel", "known_crowding"]].to_numpy().any()
    coverage = pd.read_parquet(box_run / "coverage.parquet")
    beyond_cells = set(grid.index[beyond])
    fire = coverage[(coverage["standard"] == "fire") & coverage["h3_cell"].isin(beyond_cells)]
    # unknown, but where a cut street running out of the triangle reaches it in time (4 cells): covered
    assert ((fire["reason"] == OUTSIDE_STREETS) | fire["covered"]).all()
    assert (fire["reason"] == OUTSIDE_STREETS).sum() == 612
    assert fire.loc[~fire["covered"], "residents_uncovered"].isna().all()


def test_the_partitioned_path_finds_the_same_edge(polygon_run, tmp_path):
    parts = _triangle_run(tmp_path, True)
    columns = ["h3_cell", "standard", "covered", "reason", "travel_known", "residents_uncovered"]
    whole, split = (pd.read_parquet(run / "coverage.parquet")[columns] for run in (polygon_run, parts))
    pd.testing.assert_frame_equal(whole, split)


def test_the_study_area_of_the_extract_is_its_footprint(layer_run, box_run):
    """``area: {layer: osm}`` on the triangle cut made the declared box the study area (1,659 cells at
    r10, 673 of them "no data", 616 farther than 400 m from the triangle); it is now the extent the
    run takes for the data (:mod:`urbanrisk.osm_footprint`: hull of the content + 100 m): the same
    residents, no cell beyond that band, and the cells the box run measured inside it."""
    grid = pd.read_parquet(layer_run / "grid", columns=["grade", "residents"])
    boxed = pd.read_parquet(box_run / "grid", columns=["grade", "residents", "known_travel"])
    distance = _distance_to_the_triangle(grid.index)
    assert len(grid) == 986 and (distance > 0).sum() == 125 and not (distance > 400.0).any()
    assert not (grid["grade"] == "no data").any()
    assert grid["residents"].sum() == pytest.approx(boxed["residents"].sum(), rel=1e-9)
    assert set(grid.index) <= set(boxed.index)
    assert boxed.loc[boxed.index.difference(grid.index), "grade"].eq("no data").all()


def test_validate_says_its_cells_of_an_extract_are_an_upper_bound(layer_run, capsys):
    """``validate`` sizes ``area: {layer: osm}`` from the header box (the triangle's box: ~1,660 cells
    at r10) while the run grids the extract's footprint (986): it said "about 1,6xx cells"; it now says
    the count is at most that (fix17), in English and Chinese."""
    import yaml

    from urbanrisk.cli import main

    recipe = next(p / "recipe.yaml" for p in layer_run.parents if (p / "recipe.yaml").is_file())
    assert main(["validate", str(recipe)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[0]
    estimate = int(line.split("at most about ")[1].split(" cells: the extract's box)")[0].replace(",", ""))
    cells = len(pd.read_parquet(layer_run / "grid", columns=["residents"]))
    assert cells == 986 and estimate >= cells and estimate > 1.5 * cells  # the box: an upper bound
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["report"] = {"language": "zh"}
    zh = recipe.with_name("recipe_zh.yaml")
    zh.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(zh)]) == 0
    assert f"至多约 {estimate:,} 个单元：按数据框估算" in capsys.readouterr().out
