"""Hostile input, round 9 (session 15): what round 8 left (``validate`` passed OSM files the run refused:
a node at latitude 91 or NaN, a tag value of 2 MB, an id of 2^63) and what a generator of hostile inputs
found. Each is told by ``validate`` as by the run, with its fix; good input still passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)

# --- 1. OSM extracts the run refuses, told by validate ----------------------------------------------------

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hostile">\n'
    '<bounds minlat="39.98" minlon="116.30" maxlat="40.00" maxlon="116.32"/>\n'
)
GOOD = '<node id="2" lat="39.99" lon="116.306"/><node id="3" lat="39.991" lon="116.307"/>\n'


def _street(*refs: int, way: int = 10, extra: str = "") -> str:
    nodes = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    return f'<way id="{way}">{nodes}<tag k="highway" v="residential"/>{extra}</way>\n'


#: name -> (the OSM text after its header, what the run's message says in its brackets)
REFUSED = {
    "lat 91 on a street": (
        '<node id="1" lat="91" lon="116.305"/>' + GOOD + _street(1, 2),
        "invalid location",
    ),
    "lon 181 on a street": (
        '<node id="1" lat="39.99" lon="181"/>' + GOOD + _street(1, 2),
        "invalid location",
    ),
    "a fire station at lat 91": (
        '<node id="1" lat="91" lon="116.305"><tag k="amenity" v="fire_station"/></node>'
        + GOOD
        + _street(2, 3),
        "invalid location",
    ),
    "lat NaN": (
        '<node id="1" lat="nan" lon="116.305"/>' + GOOD + _street(1, 2),
        "wrong format for coordinate",
    ),
    "a tag of 2 MB": (
        GOOD + _street(2, 3, extra=f'<tag k="name" v="{"x" * 2_000_000}"/>'),
        "OSM tag value is too long",
    ),
    "an id of 2^63": (
        f'<node id="{2**63}" lat="39.99" lon="116.305"/>' + GOOD + _street(2**63, 2),
        "illegal id: '9223372036854775808'",
    ),
}


def _osm_recipe(folder: Path, body: str, name: str = "o") -> tuple[Path, Path]:
    osm = folder / f"{name}.osm"
    osm.write_text(HEAD + body + "</osm>\n", encoding="utf-8")
    recipe = folder / f"{name}.yaml"
    recipe.write_text(
        f"name: {name}\narea: {{bbox: [116.30, 39.98, 116.32, 40.0]}}\ngrid: {{resolution: 9}}\n"
        f"layers:\n  osm: {{type: osm, path: {osm}}}\noutputs: {{dir: {folder / 'out'}}}\n",
        encoding="utf-8",
    )
    return recipe, osm


@pytest.mark.parametrize("case", list(REFUSED))
def test_an_osm_file_the_run_refuses_is_refused_by_validate(tmp_path, case):
    """validate read the header only and said ok; the run then refused the file."""
    body, said = REFUSED[case]
    recipe, osm = _osm_recipe(tmp_path, body)
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, f"{osm}: cannot read this OSM file")
        assert said in text, text
        if command == "validate":
            assert "layers.osm.path" in text and f"{recipe}:5:" in text, text  # the key and its line
    assert not (tmp_path / "out" / "latest").exists()


def test_validate_names_every_node_off_the_globe_with_the_other_layers_problems(tmp_path):
    """The run stops at its first problem; validate lists the nodes off the globe (every one counted, the
    first three named, with the way that takes them) beside another layer's problem, at once."""
    bad = "".join(f'<node id="{i}" lat="{90 + i}" lon="116.305"/>' for i in range(1, 6))
    recipe, _ = _osm_recipe(tmp_path, bad + GOOD + _street(1, 2, 3, 4, 5, 2))
    (tmp_path / "res.csv").write_text(
        "id,kind,name,lon,lat\n1,fire_station,a,116.31,1000\n", encoding="utf-8"
    )
    text = recipe.read_text(encoding="utf-8").replace(
        "layers:\n", f"layers:\n  res: {{type: points, role: resource, path: {tmp_path / 'res.csv'}}}\n"
    )
    recipe.write_text(text, encoding="utf-8")
    code, text = cli("validate", recipe)
    refused(code, text, "2 problem(s) in the layers' files")
    assert "node 1 at lon 116.305, lat 91 (on way 10), node 2 at lon 116.305, lat 92 (on way 10)" in text, (
        text
    )
    assert "and 2 more nodes: fix or delete them" in text and "layers.res.lat: res.csv: 1000.0" in text, text


def test_validate_of_an_osm_file_speaks_chinese(tmp_path):
    recipe, _ = _osm_recipe(tmp_path, REFUSED["lat 91 on a street"][0])
    recipe.write_text(recipe.read_text(encoding="utf-8") + "report: {language: zh}\n", encoding="utf-8")
    code, text = cli("validate", recipe)
    refused(code, text, "无法读取此 OSM 文件（无效位置）")
    assert "节点 1" in text or "node 1 at lon 116.305, lat 91" in text, text
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    refused(code, text, "无法读取此 OSM 文件（invalid location）")


@pytest.mark.parametrize(
    "body",
    [
        '<node id="1" lat="91" lon="116.305"/>' + GOOD + _street(2, 3),  # on no way: the run never reads it
        '<node id="1" lat="91" lon="116.305"><tag k="foo" v="bar"/></node>' + GOOD + _street(2, 3),  # no POI
        GOOD + _street(2, 3, 4),  # node 4 missing (a clipped extract): the run skips it
    ],  # a negative id (JOSM's new): the run left its node out; refused since round 14 (its test file)
    ids=["lat-91-on-no-way", "lat-91-not-a-place", "a-missing-node"],
)
def test_an_osm_file_the_run_reads_still_validates(tmp_path, body):
    recipe, _ = _osm_recipe(tmp_path, body)
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        assert code == 0, text


def test_the_osm_check_counts_what_the_run_reads(tmp_path):
    """The pass of validate: a hand-made case of each kind (a street's node, a POI node, nodes it skips)."""
    from urbanrisk.layers.tables import osm_tag_table
    from urbanrisk.osm_check import osm_read_problems

    body = (
        '<node id="1" lat="-95" lon="116.305"/><node id="7" lat="95" lon="116.3"/>'
        '<node id="8" lat="39.99" lon="-190"><tag k="amenity" v="hospital"/></node>'
        + GOOD
        + _street(1, 2, 3, 9)
    )
    _, osm = _osm_recipe(tmp_path, body)
    problems = osm_read_problems(osm, tuple(osm_tag_table().index))
    assert len(problems) == 1, problems
    assert (
        "node 8 at lon -190, lat 39.99 (a tagged place), node 1 at lon 116.305, lat -95 (on way 10):"
        in (problems[0])
    )  # in reading order: the nodes, then the ways
    assert "node 7" not in problems[0] and "node 9" not in problems[0]


def test_an_osm_file_whose_ways_come_before_their_nodes_is_refused_by_validate(tmp_path):
    """The BUPT sample with its ways moved before its nodes: the run found no node of any way and ran on
    nothing (0 buildings, 0 residents, every cell graded IV), without a word. validate and the run (its
    one pass, and the streets read apart on processes) refuse it alike. Sorted, it validates."""
    import re

    from conftest import BUPT_OSM

    text = BUPT_OSM.read_text(encoding="utf-8")
    start = text.index("<node")
    nodes = re.findall(r"<node\b[^>]*?/>|<node\b[^>]*[^/]>.*?</node>", text[start:], flags=re.S)
    ways = re.findall(r"<way\b.*?</way>", text[start:], flags=re.S)
    assert len(nodes) == text.count("<node") and ways
    osm = tmp_path / "unsorted.osm"
    osm.write_text(text[:start] + "\n".join(ways + nodes) + "\n</osm>\n", encoding="utf-8")
    recipe = tmp_path / "u.yaml"
    recipe.write_text(
        f"name: u\narea: {{layer: osm}}\ngrid: {{resolution: 10}}\n"
        f"layers:\n  osm: {{type: osm, path: {osm}}}\n"
        "  population: {type: population_from_buildings, source: osm}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    code, said = cli("validate", recipe)
    refused(code, said, "190 of 190 street ways come before all their nodes: the file is not sorted")
    assert f"osmium sort {osm.name}" in said, said
    for scheduler in ("synchronous", "processes"):
        code, said = cli("run", "--scheduler", scheduler, recipe)  # the same count: highway=* but areas
        refused(code, said, "190 of 190 street ways come before all their nodes: the file is not sorted")
        assert not (tmp_path / "out" / "latest").exists()
    osm.write_text(text, encoding="utf-8")
    assert cli("validate", recipe)[0] == 0


# --- 2. what the generator found ---------------------------------------------------------------------------


def _units_recipe(tmp_path: Path, tif: Path, units: Path) -> Path:
    return raster_recipe(tmp_path, tif, layers={"units": {"type": "polygons", "path": str(units)}})


@pytest.mark.parametrize("suffix", ["gpkg", "shp", "geojson"])
def test_community_units_of_points_are_refused_by_validate(tmp_path, city, suffix):  # noqa: F811
    """validate said ok; the run refused them ("holds no polygons")."""
    import geopandas as gpd
    import shapely

    units = tmp_path / f"u.{suffix}"
    gpd.GeoDataFrame(
        {"id": ["a"], "name": ["p"]}, geometry=[shapely.Point(116.305, 39.99)], crs=4326
    ).to_file(units)
    recipe = _units_recipe(tmp_path, city[0], units)
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, f"{units} holds no polygons")


def test_community_units_of_polygons_still_validate(tmp_path, city):  # noqa: F811
    import geopandas as gpd
    import shapely

    units = tmp_path / "u.geojson"
    box = shapely.box(116.30, 39.985, 116.31, 39.995)
    gpd.GeoDataFrame({"id": ["a"], "name": ["p"]}, geometry=[box], crs=4326).to_file(units)
    code, text = cli("validate", _units_recipe(tmp_path, city[0], units))
    assert code == 0, text


def test_a_shapefile_without_its_shx_is_refused_by_validate(tmp_path, city):  # noqa: F811
    """validate said ok; the run's GDAL refused it ("Unable to open res.shx ... SHAPE_RESTORE_SHX")."""
    import geopandas as gpd
    import shapely

    frame = {"id": [1], "kind": ["fire_station"], "name": ["a"], "capacity": [1]}
    gpd.GeoDataFrame(frame, geometry=[shapely.Point(116.305, 39.99)], crs=4326).to_file(tmp_path / "res.shp")
    (tmp_path / "res.shx").unlink()
    layer = {"res": {"type": "points", "role": "resource", "path": str(tmp_path / "res.shp")}}
    recipe = raster_recipe(tmp_path, city[0], layers=layer)
    code, text = cli("validate", recipe)
    refused(code, text, "res.shp has no .shx beside it; copy the whole Shapefile")
    assert cli("run", "--scheduler", "synchronous", recipe)[0] == 2


def _registry(tmp_path: Path, city_tif: Path, ids: list, suffix: str) -> Path:
    """Three fire stations with ``ids`` (None: empty), written as a GeoJSON, a GeoPackage or a CSV."""
    import geopandas as gpd
    import shapely

    points = [shapely.Point(116.305, 39.99), shapely.Point(116.31, 39.995), shapely.Point(116.31, 39.99)]
    frame = {"id": ids, "kind": ["fire_station"] * 3, "name": ["a", "b", "c"], "capacity": [1, 2, 3]}
    path = tmp_path / f"res.{suffix}"
    if suffix == "csv":
        rows = [
            f"{'' if i is None else i},fire_station,{n},{p.x},{p.y},1"
            for i, n, p in zip(ids, "abc", points, strict=True)
        ]
        path.write_text("id,kind,name,lon,lat,capacity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    elif suffix == "geojson":
        import json

        features = [
            {
                "type": "Feature",
                "properties": {**{k: v[n] for k, v in frame.items()}},
                "geometry": p.__geo_interface__,
            }
            for n, p in enumerate(points)
        ]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    else:
        gpd.GeoDataFrame(frame, geometry=points, crs=4326).to_file(path)
    layer = {"res": {"type": "points", "role": "resource", "path": str(path)}}
    return raster_recipe(tmp_path, city_tif, layers=layer)


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "csv"])
def test_a_registry_row_without_an_id_is_refused(tmp_path, city, suffix):  # noqa: F811
    """A GeoJSON's or GeoPackage's integer ids with one empty ran as ids '1.0', 'nan' and '3.0'; a CSV's
    as '1', '' and '3' (two empty ids: "id '' appears more than once"), and validate said ok (a
    GeoPackage's too, until session 16)."""
    recipe = _registry(tmp_path, city[0], [1, None, 3], suffix)
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, "have no id (column 'id')", "row 3: no id (column 'id')")
        assert "give every row its id, or remove the column" in text, text


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
def test_whole_number_ids_are_kept_as_written(tmp_path, city, suffix):  # noqa: F811
    """Integer ids a GeoPackage or GeoJSON holds as floats (pandas: 1.0) are the ids written ('1')."""
    import pandas as pd

    recipe = _registry(tmp_path, city[0], [1.0, 2.0, 2**53 - 1], suffix)
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    ids = pd.read_parquet(tmp_path / "out" / "latest" / "resources.parquet")["id"].tolist()
    assert sorted(ids) == sorted(["1", "2", str(2**53 - 1)])


def test_geojson_ids_beyond_int64_are_refused_not_merged(tmp_path, city):  # noqa: F811
    """2^64 + 1 and 2^64 + 2 were read as the same float: "id '1.8446744073709552e+19' appears more than
    once" (they do not), after validate said ok; one alone ran under that float's text."""
    recipe = _registry(tmp_path, city[0], [2**64 + 1, 2**64 + 2, 7], "geojson")
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, "were read as numbers beyond 2^53 (e.g. 1.8446744073709552e+19)")
        assert "appears more than once" not in text, text


def test_geojson_ids_of_int64_validate_and_run(tmp_path, city):  # noqa: F811
    """2^53 + 1 is an int64: GDAL reads it exactly, and so does the run."""
    import pandas as pd

    recipe = _registry(tmp_path, city[0], [2**53 + 1, 2**53, 5], "geojson")
    assert cli("validate", recipe)[0] == 0
    assert cli("run", "--scheduler", "synchronous", recipe)[0] == 0
    ids = pd.read_parquet(tmp_path / "out" / "latest" / "resources.parquet")["id"].tolist()
    assert sorted(ids) == sorted([str(2**53 + 1), str(2**53), "5"])


@pytest.mark.parametrize(
    ("key", "value", "word"),
    [
        ("dir", "~/urbanrisk-out", "~"),
        ("dir", "$HOME/urbanrisk-out", "$HOME"),
        ("dir", "out/${RUN_DATE}", "${RUN_DATE}"),
        ("layer", "~/pop.tif", "~"),
    ],
)
def test_a_path_only_a_shell_would_expand_is_refused(tmp_path, city, key, value, word):  # noqa: F811
    """``outputs.dir: ~/out`` made a folder named '~' in the recipe's folder and wrote the runs there (one
    `rm -rf ~` away from the home folder); ``$HOME/out`` a folder named '$HOME'."""
    if key == "dir":
        recipe = raster_recipe(tmp_path, city[0], outputs={"dir": value})
    else:
        recipe = raster_recipe(tmp_path, city[0])
        recipe.write_text(recipe.read_text(encoding="utf-8").replace(str(city[0]), value), encoding="utf-8")
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, f"holds {word}, which only a shell expands")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yaml"]  # no '~' nor '$HOME' folder made


def test_outputs_dir_at_the_root_of_the_file_system_is_refused(tmp_path, city):  # noqa: F811
    """``outputs.dir: /`` wrote /runs, /latest and /.lock (as root: nothing stopped it)."""
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": "/"})
    code, text = cli("validate", recipe)
    refused(code, text, "/ is the root of the file system")


@pytest.mark.parametrize("inside", ["latest", "runs", "."])
def test_outputs_publish_inside_outputs_dir_is_refused(tmp_path, city, inside):  # noqa: F811
    """``publish: <dir>/latest`` copied the run into itself once complete (runs/ and latest.txt inside the
    last good run's folder), and validate and the run said ok."""
    out = tmp_path / "out"
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": str(out), "publish": str(out / inside)})
    for command in ("validate", "run"):
        code, text = (
            cli(command, "--scheduler", "synchronous", recipe) if command == "run" else cli(command, recipe)
        )
        refused(code, text, f"lies in outputs.dir {out}")
    assert not (out / "latest").exists()


def test_outputs_publish_beside_outputs_dir_still_publishes(tmp_path, city):  # noqa: F811
    recipe = raster_recipe(
        tmp_path, city[0], outputs={"dir": str(tmp_path / "out"), "publish": str(tmp_path / "outbox")}
    )
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    assert any((tmp_path / "outbox").iterdir())
