"""Hostile input, sixth round (session 12): what a generator of malformed recipes (anchors, merge keys,
recursive aliases), vector registries (GeoJSON, GeoPackage, Shapefile read with json / sqlite3 /
struct), area boundary files, census tables, doctored run folders and batches found. Each case ends in
exit 2 naming the file or key and the fix, or works; never a traceback, a hang or a silent wrong number.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import pytest

from conftest import WUDAOKOU_OSM
from test_hostile import city, cli, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk.layers.headers import _dbf_fields

#: a WGS84 .prj (the file's CRS: the datum check reads only lon/lat registries)
WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
#: five hospitals in Wudaokou, lon/lat
POINTS = [(116.31 + i * 1e-3, 39.995) for i in range(5)]


def _registry_recipe(folder: Path, path: Path, name: str = "r.yaml") -> Path:
    """Wudaokou's extract and one resource registry at ``path`` (the datum check reads it in validate)."""
    recipe = folder / name
    recipe.write_text(
        "name: r\narea: {bbox: [116.3084, 39.9905, 116.3320, 40.0123]}\ngrid: {resolution: 9}\nlayers:\n"
        f"  osm: {{type: osm, path: {WUDAOKOU_OSM}}}\n"
        f"  res: {{type: points, path: {path}, role: resource, kind: hospital}}\n"
        f"outputs: {{dir: {folder / 'out'}}}\n",
        encoding="utf-8",
    )
    return recipe


def _area_recipe(folder: Path, tif: Path, area: Path, name: str = "r.yaml") -> Path:
    recipe = folder / name
    recipe.write_text(
        f"name: r\narea: {{path: {area}}}\ngrid: {{resolution: 9}}\nlayers:\n"
        f"  pop: {{type: raster, path: {tif}}}\noutputs: {{dir: {folder / 'out'}}}\n",
        encoding="utf-8",
    )
    return recipe


def _point_shapefile(folder: Path, points: list[tuple[float, float]], *, count: int) -> Path:
    """A point .shp / .shx / .dbf / .prj whose dBASE header claims ``count`` records (one 10-byte text
    field)."""
    records = b"".join(
        struct.pack(">ii", i + 1, 10) + struct.pack("<idd", 1, x, y) for i, (x, y) in enumerate(points)
    )
    header = struct.pack(">i", 9994) + b"\x00" * 20 + struct.pack(">i", (100 + len(records)) // 2)
    header += struct.pack("<ii", 1000, 1) + b"\x00" * 64
    (folder / "reg.shp").write_bytes(header + records)
    index = b"".join(struct.pack(">ii", 50 + 14 * i, 10) for i in range(len(points)))  # offsets in words
    shx_header = header[:24] + struct.pack(">i", (100 + len(index)) // 2) + header[28:]
    (folder / "reg.shx").write_bytes(shx_header + index)  # a Shapefile without one: refused (round 9)
    field = b"name".ljust(11, b"\x00") + b"C" + b"\x00" * 4 + bytes([10, 0]) + b"\x00" * 14
    dbf = (
        struct.pack("<BBBBIHH", 3, 26, 1, 1, count, 65, 11) + b"\x00" * 17 + b"\x4d\x00\x00" + field + b"\x0d"
    )
    (folder / "reg.dbf").write_bytes(dbf + b"".join(b" " + b"a".ljust(10) for _ in points))
    (folder / "reg.cpg").write_text("UTF-8")
    (folder / "reg.prj").write_text(WGS84_PRJ)
    return folder / "reg.shp"


def test_a_dbf_claiming_four_billion_records_is_read_at_once(tmp_path):
    """A .dbf whose header counts 2^32 - 1 records (5 in the file): validate's datum check looped over
    the count, appending a None per missing record (over a minute, then memory; was a hang)."""
    shp = _point_shapefile(tmp_path, POINTS, count=2**32 - 1)
    _, count, _, _ = _dbf_fields((tmp_path / "reg.dbf").read_bytes())
    assert count == 5
    code, text = cli("validate", _registry_recipe(tmp_path, shp), timeout=30)
    assert code == 0, text


def _features(xs: list[str]) -> str:
    return ",".join(
        '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[' + x + ",39.995]}}"
        for x in xs
    )


def test_an_integer_coordinate_past_a_floats_range_is_refused_as_not_finite(tmp_path, city):  # noqa: F811
    """A GeoJSON coordinate written as an integer of 400 digits: json reads it as a Python int, and
    float() of it raised OverflowError (a traceback in validate's datum check, pile-up check and area
    check); now it is not a finite number, as 1e400 was."""
    huge = "1" + "0" * 400
    registry = tmp_path / "reg.geojson"
    registry.write_text(
        '{"type":"FeatureCollection","features":[' + _features(["116.311", "116.312", "116.313", huge]) + "]}"
    )
    refused(
        *cli("validate", _registry_recipe(tmp_path, registry)), "reg.geojson has vertices that are not finite"
    )
    area = tmp_path / "area.geojson"
    ring = [[116.30, 39.98], [huge, 39.98], [116.32, 40.0], [116.30, 39.98]]
    area.write_text('{"type":"Polygon","coordinates":[[' + ",".join(f"[{x},{y}]" for x, y in ring) + "]]}")
    recipe = _area_recipe(tmp_path, city[0], area, "a.yaml")
    for command in ("validate", "run"):
        refused(*cli(command, recipe), f"area: {area} has vertices that are not finite numbers")


AREA_RINGS = {
    # [a, b, a]: a closed ring of 3 points (GDAL reads it): make_valid gave a line, H3's ValueError
    "back over itself": [[116.30, 39.98], [116.32, 39.98], [116.30, 39.98]],
    # four points on one line: make_valid gave a line
    "on one line": [[116.30, 39.98], [116.31, 39.99], [116.32, 40.0], [116.30, 39.98]],
    "one point": [[116.30, 39.98]],  # GEOSException: point array must contain 0 or >1 elements
    "not closed": [[116.30, 39.98], [116.32, 39.98], [116.32, 40.0], [116.30, 40.0]],  # GEOSException
}


@pytest.mark.parametrize("shape", AREA_RINGS)
def test_an_area_ring_that_encloses_nothing_or_is_not_closed_is_refused(tmp_path, city, shape):  # noqa: F811
    """Validate said ok; the run was a traceback (H3's 'Unrecognized type: LineString', GEOS's
    IllegalArgumentException). Now both refuse the boundary naming the file and the fix."""
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [AREA_RINGS[shape]]}))
    recipe = _area_recipe(tmp_path, city[0], area)
    code, text = cli("validate", recipe)
    refused(
        code, text, f"area: {area} holds polygons that enclose no area", f"area: {area} has a ring that is"
    )
    assert "draw the study area's boundary around it" in text or "close each ring (its last point" in text
    code, text = cli("run", recipe)
    refused(code, text, f"area: {area}")


def test_a_self_crossing_area_still_runs(tmp_path, city):  # noqa: F811
    """A bow tie encloses an area (two triangles after make_valid): validate and the run accept it."""
    area = tmp_path / "area.geojson"
    bowtie = [[116.30, 39.98], [116.32, 40.0], [116.32, 39.98], [116.30, 40.0], [116.30, 39.98]]
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [bowtie]}))
    recipe = _area_recipe(tmp_path, city[0], area)
    assert cli("validate", recipe)[0] == 0
    assert cli("run", recipe)[0] == 0


def test_a_geopackage_table_named_with_a_quote_is_read(tmp_path):
    """A feature table named ``we"ird``: validate's header check built ``PRAGMA table_info("we"ird")``
    and refused a good file as 'cannot read ... as a GeoPackage (near "ird": syntax error)'."""
    import geopandas as gpd
    import shapely

    path = tmp_path / "reg.gpkg"
    points = gpd.GeoDataFrame({"name": list("abcde")}, geometry=shapely.points(POINTS), crs=4326)
    points.to_file(path, layer='we"ird')
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT table_name FROM gpkg_contents").fetchall() == [('we"ird',)]
    code, text = cli("validate", _registry_recipe(tmp_path, path))
    assert code == 0, text


@pytest.mark.parametrize("shape", AREA_RINGS)
def test_the_runs_reading_of_such_an_area_refuses_it_in_both_languages(tmp_path, shape):
    """The run's own reading (past validate: ``urbanrisk run`` checks first) names the file and the fix."""
    from urbanrisk import LayerError
    from urbanrisk.area_from_file import area_from_file
    from urbanrisk.outputs.i18n_checks import check_text

    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [AREA_RINGS[shape]]}))
    with pytest.raises(LayerError) as refused_:
        area_from_file(str(area))
    said = str(refused_.value)
    assert said.endswith(
        "draw the study area's boundary around it"
        if shape in ("back over itself", "on one line")
        else "close each ring (its last point is its first; 4 points at least), e.g. ogr2ogr -makevalid "
        "fixed.gpkg FILE"
    ), said
    assert "请沿研究区边界重新绘制" in check_text(said, "zh") or "请闭合每个环" in check_text(said, "zh")


def test_a_boundary_file_the_run_refuses_is_refused_by_validate(tmp_path, city):  # noqa: F811
    """A GeoPackage of two layers, a Shapefile without its .prj, a GeoJSON holding ``null``: validate
    said ok and the run refused them; the .prj's fix was "say which with `crs:`", a key the area has
    not (refused as unknown). Now validate says what the run says, in Chinese too."""
    import geopandas as gpd
    import shapely

    from urbanrisk.layers.area_file import area_without_crs
    from urbanrisk.outputs.i18n_checks import check_text

    frame = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.box(116.30, 39.98, 116.32, 40.0)], crs=4326)
    frame.to_file(tmp_path / "two.gpkg", layer="one")
    frame.to_file(tmp_path / "two.gpkg", layer="two")
    frame.to_file(tmp_path / "a.shp")
    (tmp_path / "a.prj").unlink()
    (tmp_path / "null.geojson").write_text("null")
    for name, said in (
        ("two.gpkg", "two.gpkg holds 2 layers (one, two): export the boundary to a file of its own"),
        ("a.shp", "a.shp declares no coordinate reference system (a Shapefile without its .prj?): give the"),
        ("null.geojson", "null.geojson as GeoJSON (it holds null, not a GeoJSON object)"),
    ):
        recipe = _area_recipe(tmp_path, city[0], tmp_path / name, f"{name}.yaml")
        for command in ("validate", "run"):
            code, text = cli(command, recipe)
            refused(code, text, said)
            assert "`crs:` in the recipe" not in text
    zh = check_text(area_without_crs(str(tmp_path / "a.shp")), "zh")
    assert zh.startswith(f"研究区：{tmp_path / 'a.shp'} 未声明坐标参照系"), zh


def _cut_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_damaged_last_run_is_neither_reused_nor_a_traceback(tmp_path, city):  # noqa: F811
    """The last run's hazard_sources.parquet cut short (a full disk, a hand edit): with the inputs
    unchanged rescan linked the damaged file into each new run, night after night; with inputs changed
    it computed the run, then compare_runs' ArrowInvalid was a traceback (exit 1), every night. Now the
    damaged run is not reused, the new run completes, and the rescan says what it could not compare
    (in Chinese too); ``diff`` with the damaged run is exit 2 naming the error."""
    import numpy as np
    import pyarrow.parquet as pq
    import rasterio

    from test_hostile import raster_recipe

    recipe = raster_recipe(tmp_path, city[0], report={"language": "zh"})
    out = tmp_path / "out"
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    first = (out / "latest").resolve()
    _cut_short(first / "hazard_sources.parquet")
    code, text = cli("rescan", "--scheduler", "synchronous", recipe)
    assert code == 0 and "沿用上次的输出" not in text, text
    second = (out / "latest").resolve()
    assert second != first and pq.read_schema(second / "hazard_sources.parquet") is not None
    _cut_short(second / "hazard_sources.parquet")
    with rasterio.open(city[0]) as src:  # the inputs change: the run is computed and compared
        data, profile = src.read(1), src.profile
    changed = tmp_path / "changed.tif"
    with rasterio.open(changed, "w", **profile) as dst:
        dst.write((data * 3 + 1).astype(np.float32), 1)
    recipe.write_text(recipe.read_text().replace(str(city[0]), str(changed)))
    code, text = cli("rescan", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    assert f"未与上次运行 {second.name} 比较：其数据表无法读取（ArrowInvalid: " in text, text
    third = (out / "latest").resolve()
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rescan"]["previous_run"] == second.name
    assert manifest["rescan"]["not_compared"].startswith("ArrowInvalid: ")
    code, text = cli("diff", second, third)
    refused(
        code, text, f"cannot compare {second} with {third}: a table of theirs cannot be read (ArrowInvalid"
    )


def test_an_output_folder_inside_another_recipes_runs_is_refused(tmp_path, city):  # noqa: F811
    """``outputs.dir: ../a/latest`` (another recipe's newest run): its runs were written inside that run
    folder and deleted with it when the other recipe kept its newest (keep: 1); ``--out a/runs`` made a
    run folder named runs among the other's runs (history: 'unreadable'). Now both are refused, naming the
    folder, in validate and in the run (``--out`` too), in Chinese too."""
    from test_hostile import raster_recipe
    from urbanrisk.outputs.i18n_checks import check_text

    a = raster_recipe(tmp_path, city[0], name="a", outputs={"dir": str(tmp_path / "a"), "keep": 1})
    assert cli("run", "--quiet", "--scheduler", "synchronous", a)[0] == 0
    inside = (tmp_path / "a" / "latest").resolve()
    e = raster_recipe(tmp_path, city[0], name="e", outputs={"dir": str(tmp_path / "a" / "latest")})
    for command in ("validate", "run"):
        code, text = cli(command, e)
        refused(
            code, text, f"outputs.dir: {inside} lies inside {tmp_path / 'a' / 'runs'}, where the runs of "
        )
    g = raster_recipe(tmp_path, city[0], name="g", outputs={"dir": str(tmp_path / "g")})
    code, text = cli("run", "--out", tmp_path / "a" / "runs", g)
    refused(code, text, f"{tmp_path / 'a' / 'runs'} lies inside {tmp_path / 'a' / 'runs'}, where the runs")
    assert not (tmp_path / "a" / "runs" / "runs").exists() and not (inside / "runs").exists()
    zh = check_text(text.strip().splitlines()[-1].removeprefix("urbanrisk: error: "), "zh")
    assert "位于" in zh and "请为 outputs.dir 另指定一个不在其中的文件夹" in zh, zh


def test_a_census_count_below_a_merged_unit_cell_is_refused_not_left_out(tmp_path):
    """学院路街道 in a merged cell over two rows (男 25,000 / 女 26,000): the second row's unit cell is
    empty, and its 26,000 residents were left out silently (the unit got 25,000). Now refused with the
    fix, by validate and the run, in Chinese too. Since office17 the merge is read as the sheet shows it
    (学院路街道 on both rows): the unit's two rows are refused, with the fix to add them up."""
    import openpyxl

    from test_population_table import _wudaokou_recipe
    from urbanrisk.outputs.i18n_checks import check_text

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["街道名称", "性别", "常住人口"], ["学院路街道", "男", 25000], [None, "女", 26000]):
        sheet.append(row)
    sheet.append(["清华园街道", "合计", 43000])
    sheet.merge_cells("A2:A3")
    table = tmp_path / "人口.xlsx"
    book.save(table)
    recipe = _wudaokou_recipe(tmp_path, table)
    said = (
        f"{table}: unit '学院路街道' has two rows (sheet 'Sheet' row 2 and sheet 'Sheet' row 3): give each "
        "unit one row (add the rows' counts up)"
    )
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, said)
    assert (
        "有两行（工作表 'Sheet' 第 2 行、工作表 'Sheet' 第 3 行）：每个单元只写一行（把这些行的人数相加）"
        in (check_text(text, "zh"))
    )


@pytest.mark.parametrize("count", ["99999999999万", "100000001"])
def test_a_census_count_more_than_any_unit_holds_is_refused(tmp_path, count):
    """'99999999999万' was read as 999,999,999,990,000 residents of one 街道 (a run of 10^15 people)."""
    from test_population_table import _gbk_csv, _wudaokou_recipe

    recipe = _wudaokou_recipe(tmp_path, _gbk_csv(tmp_path, [f"学院路街道,{count}", "清华园街道,43000"]))
    code, text = cli("validate", recipe)
    refused(code, text, "unit '学院路街道' counts ")
    assert "residents (row 3), more than any unit holds (100,000,000): fix the count" in text, text


def test_a_problem_merged_in_from_an_anchor_names_the_line_it_is_written_on(tmp_path):
    """``<<: *registry`` merges an x- anchor's keys into a layer: a wrong value there was told at the
    layer's line (10), which holds no such key; now at the anchor's line where it is written (4, 6),
    while a key written in the layer itself keeps its own line (13)."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\nx-registry: &registry\n  type: points\n  path: missing.csv\n  role: resource\n"
        "  capacity_column: 5\narea: {bbox: [116.30, 39.98, 116.32, 40.0]}\ngrid: {resolution: 9}\n"
        "layers:\n  a:\n    <<: *registry\n    kind: hospital\n  b: {<<: *registry, path: missing2.csv}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    code, text = cli("validate", recipe)
    refused(code, text, "4 problems")
    for line, key in ((4, "a.path: file not found"), (6, "a.capacity_column"), (6, "b.capacity_column")):
        assert f"r.yaml:{line}: layers.{key}" in text, text
    assert "r.yaml:13: layers.b.path: file not found: " in text, text


def test_an_incident_on_a_run_without_streets_is_answered(tmp_path, city):  # noqa: F811
    """A raster-only run (no OSM layer) wrote its street tables with the column 'mode' alone: the incident
    answer's read of 'node', 'x', ... was pyarrow's ArrowInvalid traceback. Now the tables keep their
    columns, empty, and the answer (residents in the rings, no routing) is written; an --out below a file
    is exit 2 naming it (was a FileExistsError traceback after the answer)."""
    import pyarrow.parquet as pq

    from test_hostile import raster_recipe

    recipe = raster_recipe(tmp_path, city[0])
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    nodes = pq.read_schema(tmp_path / "out" / "latest" / "network_nodes.parquet").names
    assert nodes == ["mode", "node", "osm_id", "lon", "lat", "x", "y", "snap", "utm_crs"]
    code, text = cli(
        "incident", "--at", "116.31,39.99", "--kind", "gas_leak", "--out", tmp_path / "inc", recipe
    )
    assert code == 0, text
    answer = json.loads((tmp_path / "inc" / "incident.json").read_text(encoding="utf-8"))
    assert answer["kind"] == "gas_leak"
    (tmp_path / "file").write_text("")
    code, text = cli(
        "incident", "--at", "116.31,39.99", "--kind", "gas_leak", "--out", tmp_path / "file" / "x", recipe
    )
    refused(code, text, f"--out {tmp_path / 'file' / 'x'}: {tmp_path / 'file'} is a file, not a folder")


@pytest.mark.parametrize("reply", [b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", b"\xff" * 64])
def test_a_scheduler_address_of_another_service_is_refused(tmp_path, city, reply):  # noqa: F811
    """--scheduler tcp://host:80 (a web server) or :22 (SSH): Dask read the reply as a frame of 3 EiB
    (numpy's MemoryError) or 'Maximum allowed dimension exceeded' (ValueError): a traceback."""
    import socket
    import threading

    from test_hostile import raster_recipe

    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                peer, _ = server.accept()
            except OSError:
                return
            with peer:
                peer.recv(65536)
                peer.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        code, text = cli("run", "--scheduler", address, raster_recipe(tmp_path, city[0]), timeout=60)
    finally:
        server.close()
    refused(code, text, f"{address} answers, but not as a Dask scheduler (")
    assert "give the scheduler's address and port (tcp://host:8786)" in text


def test_an_anchor_among_the_layers_is_not_a_second_registry(tmp_path):
    """``x-base: &base {type: points, path: hazards.csv}`` written inside ``layers:`` (a natural place for
    a template) was loaded as a layer of its own: every hazard counted twice (4 sources of 2), silently.
    Two layers reading the same rows are refused; an x- one is told to move to the top level."""
    from conftest import WUDAOKOU_HAZARDS
    from urbanrisk.outputs.i18n_checks import check_text

    recipe = tmp_path / "r.yaml"
    head = "name: r\narea: {bbox: [116.3084, 39.9905, 116.3320, 40.0123]}\ngrid: {resolution: 9}\nlayers:\n"
    head += f"  osm: {{type: osm, path: {WUDAOKOU_OSM}}}\n"
    severity = "severity: {column: severity, order: 4_is_most_severe}"
    body = (
        f"  x-base: &base {{type: points, path: {WUDAOKOU_HAZARDS}, {severity}}}\n  hazards: {{<<: *base}}\n"
    )
    recipe.write_text(head + body + f"outputs: {{dir: {tmp_path / 'out'}}}\n", encoding="utf-8")
    said = (
        "r.yaml:7: layers.hazards: layers 'x-base' and 'hazards' read the same rows: each would count twice: "
    )
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, said + "an anchor goes at the top level (x-base: &... before layers:)")
    assert "锚点应写在顶层" in check_text(text, "zh")
    twice = f"  a: {{type: points, path: {WUDAOKOU_HAZARDS}, {severity}}}\n  b: {{<<: *base}}\n"
    recipe.write_text(head + twice.replace("a: {", "a: &base {") + f"outputs: {{dir: {tmp_path / 'out'}}}\n")
    refused(
        *cli("validate", recipe), "layers 'a' and 'b' read the same rows: each would count twice: keep one"
    )
    resources = twice.replace("b: {<<: *base}", "b: {<<: *base, role: resource, kind: hospital}")
    recipe.write_text(
        head + resources.replace("a: {", "a: &base {") + f"outputs: {{dir: {tmp_path / 'out'}}}\n"
    )
    assert "read the same rows" not in cli("validate", recipe)[1]  # another role: other rows


def test_one_extract_as_two_osm_layers_is_refused(tmp_path):
    """``x-osm: &osm {type: osm, ...}`` among the layers and ``osm: {<<: *osm}``: the extract read twice
    doubled every building and the residents from buildings (104,911 for 52,455 in Wudaokou), silently."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.3084, 39.9905, 116.3320, 40.0123]}\ngrid: {resolution: 9}\nlayers:\n"
        f"  x-osm: &osm {{type: osm, path: {WUDAOKOU_OSM}}}\n  osm: {{<<: *osm}}\n"
        "  population: {type: population_from_buildings, source: osm, floor_area_per_person_m2: 38.6}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    code, text = cli("validate", recipe)
    refused(
        code,
        text,
        "r.yaml:6: layers.osm: layers 'x-osm' and 'osm' read the same rows: each would count twice",
    )


def test_validate_refuses_a_geopackage_point_at_nan_as_the_run_does(tmp_path):
    """A GeoPackage registry with a point at (NaN, 39.995): validate said ok (its light reader left the
    point out) and the run refused it ('feature(s) 1 have no finite lon/lat'). Now validate says so."""
    import geopandas as gpd
    import shapely

    path = tmp_path / "reg.gpkg"
    gpd.GeoDataFrame({"name": list("abcde")}, geometry=shapely.points(POINTS), crs=4326).to_file(path)
    nan_point = (
        b"GP\x00\x01" + struct.pack("<i", 4326) + b"\x01" + struct.pack("<Idd", 1, float("nan"), 39.995)
    )
    with sqlite3.connect(path) as db:
        (table,) = db.execute("SELECT table_name FROM gpkg_contents").fetchone()
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')  # GDAL's spatial-index triggers call ST_IsEmpty
        db.execute(f'UPDATE "{table}" SET geom = ? WHERE fid = 1', (nan_point,))
    recipe = _registry_recipe(tmp_path, path)
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "reg.gpkg has vertices that are not finite numbers (NaN, inf): fix them")


def test_a_reuse_across_file_systems_copies_what_it_cannot_link(tmp_path, city, monkeypatch):  # noqa: F811
    """``latest`` leading to a run on another disk (moved there, the link repointed): rescan's reuse
    hard-linked each file and os.link's EXDEV ('Invalid cross-device link') was a traceback. Now a file
    that cannot be linked is copied, and the reused run is whole."""
    import errno
    import os

    from test_hostile import raster_recipe

    recipe = raster_recipe(tmp_path, city[0])
    assert cli("run", "--quiet", "--scheduler", "synchronous", recipe)[0] == 0
    first = (tmp_path / "out" / "latest").resolve()

    def cross_device(src, dst, **_):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))

    monkeypatch.setattr("urbanrisk.lifecycle.os.link", cross_device)
    code, text = cli("rescan", "--scheduler", "synchronous", recipe)
    assert code == 0 and "nothing changed: outputs reused" in text, text
    second = (tmp_path / "out" / "latest").resolve()
    assert second != first
    for path in first.rglob("*"):
        if path.is_file() and path.name not in ("manifest.json", "changes.parquet", "alerts.json"):
            copy = second / path.relative_to(first)
            assert copy.read_bytes() == path.read_bytes() and not os.path.samefile(copy, path), copy


def test_an_anchor_without_type_among_the_layers_is_told_to_move(tmp_path):
    """``x-common: &c {encoding: gbk}`` among the layers: 'layer without type: add type: ...' led the
    planner to make it a layer (then read twice); now it is told to go to the top level, in zh too."""
    from urbanrisk.outputs.i18n_checks import check_text

    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.30, 39.98, 116.32, 40.0]}\ngrid: {resolution: 9}\nlayers:\n"
        "  x-common: &c {encoding: gbk}\n  h: {<<: *c, type: points, path: h.csv}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    (tmp_path / "h.csv").write_text("id,kind,name,lon,lat\nH1,fuel,a,116.31,39.99\n", encoding="utf-8")
    code, text = cli("validate", recipe)
    refused(code, text, "r.yaml:5: layers.x-common: layer without 'type': an anchor goes at the top level")
    assert "add type:" not in text
    assert "锚点应写在顶层（在 layers: 之前写 x-common: &...）" in check_text(text, "zh")
