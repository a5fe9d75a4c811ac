"""Hostile input, seventh round (session 13): an input path holding a line break (GDAL drops it and reads
another file), a boundary GeoPackage / Shapefile the run refuses but validate passed (a GEOMETRY column of
points, a ring not closed, a hole equal to its shell, NaN vertices...), ``run --out`` holding the recipe's
``compute.store``. Each case is told by ``validate`` as the run finds it, with its fix, or works.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from conftest import write_recipe
from test_hostile import city, cli, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk.outputs.i18n_checks import check_text

SHELL = [(116.301, 39.985), (116.318, 39.985), (116.318, 39.998), (116.301, 39.998), (116.301, 39.985)]
INSIDE = [(116.305, 39.988), (116.305, 39.992), (116.310, 39.992), (116.310, 39.988), (116.305, 39.988)]


def _recipe(folder: Path, tif: Path, *, name: str = "r.yaml", **extra) -> Path:
    body = {
        "name": "r",
        "area": {"layer": "pop"},
        "grid": {"resolution": 9},
        "layers": {"pop": {"type": "raster", "path": str(tif)}},
        "outputs": {"dir": str(folder / "out")},
        **extra,
    }
    return write_recipe(folder, body, name=name)


def _boundary(folder: Path, name: str, *shapes, **options) -> Path:
    path = folder / name
    driver = "GPKG" if name.endswith(".gpkg") else "ESRI Shapefile"
    gpd.GeoDataFrame({"id": range(len(shapes))}, geometry=list(shapes), crs=4326).to_file(
        path, driver=driver, **options
    )
    return path


def _rewrite_gpkg_points(path: Path, points: list[tuple[float, float]]) -> Path:
    """Overwrite the last vertices of a one-polygon GeoPackage's blob (its rtree triggers dropped: they
    call SpatiaLite functions sqlite3 has not)."""
    with sqlite3.connect(path) as db:
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')
        table = db.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
        (blob,) = db.execute(f'SELECT geom FROM "{table}"').fetchone()
        blob = bytearray(blob)
        start = len(blob) - 16 * len(points)
        for i, xy in enumerate(points):
            struct.pack_into("<dd", blob, start + 16 * i, *xy)
        db.execute(f'UPDATE "{table}" SET geom = ?', (bytes(blob),))
    return path


def _rewrite_shp_points(path: Path, points: list[tuple[float, float]]) -> Path:
    """Overwrite the last vertices of a one-polygon Shapefile's .shp."""
    data = bytearray(path.read_bytes())
    start = len(data) - 16 * len(points)
    for i, xy in enumerate(points):
        struct.pack_into("<dd", data, start + 16 * i, *xy)
    path.write_bytes(bytes(data))
    return path


def _cli(command: str, recipe: Path) -> tuple[int, str]:
    """``urbanrisk validate RECIPE`` or ``urbanrisk run --scheduler synchronous RECIPE``."""
    return (
        cli(command, recipe) if command == "validate" else cli(command, "--scheduler", "synchronous", recipe)
    )


# --- 1. input paths holding a tab, a carriage return or a newline -------------------------------------------


@pytest.mark.parametrize("char", ["\t", "\r", "\n"])
def test_an_input_path_gdal_would_read_as_another_file_is_refused(tmp_path, city, char):  # noqa: F811
    """GDAL drops a tab, CR or LF from the path of a vector file: ``area\\tx.geojson`` was read as
    ``areax.geojson`` (here another area: the run went through on it, validate said ok)."""
    wanted = _boundary(tmp_path, "area.gpkg", shapely.Polygon(SHELL))
    wanted.rename(tmp_path / f"area{char}x.gpkg")
    _boundary(tmp_path, "areax.gpkg", shapely.box(116.301, 39.981, 116.302, 39.982))  # what GDAL read
    recipe = _recipe(tmp_path, city[0], area={"path": str(tmp_path / f"area{char}x.gpkg")})
    for command in ("validate", "run"):
        refused(*_cli(command, recipe), "rename the file")
    tif = shutil.copy(city[0], tmp_path / f"pop{char}.tif")
    refused(*cli("validate", _recipe(tmp_path, Path(tif), name="r2.yaml")), "layers.pop.path")


@pytest.mark.parametrize("char", ["\x1b[2J", "\x07", "\u202e"])
def test_other_control_characters_in_an_input_path_are_read_as_written(tmp_path, city, char):  # noqa: F811
    """Escapes, bells and bidi marks reach GDAL as written: accepted (and shown as escapes)."""
    area = _boundary(tmp_path, "area.gpkg", shapely.Polygon(SHELL)).rename(tmp_path / f"area{char}.gpkg")
    tif = shutil.copy(city[0], tmp_path / f"pop{char}.tif")
    code, text = cli("validate", _recipe(tmp_path, Path(tif), area={"path": str(area)}))
    assert code == 0, text


def test_the_line_break_message_reads_in_chinese():
    message = (
        "r.yaml:4: area.path: /d/a\\tb.gpkg holds a tab, a carriage return or a newline, which GDAL drops "
        "when it opens a file (another file would be read, or none): rename the file and write its path "
        "without them"
    )
    assert check_text(message, "zh").startswith(
        "r.yaml:4: area.path: /d/a\\tb.gpkg 的路径中含有制表符、回车符或换行符"
    )


# --- 2. boundary GeoPackages and Shapefiles the run refused after validate said ok ------------------------


def _told(tmp_path: Path, tif: Path, area: Path, words: str) -> None:
    """validate refuses the boundary with the run's own words (the run said them after loading)."""
    recipe = _recipe(tmp_path, tif, area={"path": str(area)})
    for command in ("validate", "run"):
        code, text = _cli(command, recipe)
        refused(code, text, words)
        assert "area" in text


def test_a_geometry_column_holding_points_is_told_by_validate(tmp_path, city):  # noqa: F811
    area = _boundary(tmp_path, "b.gpkg", shapely.Point(116.31, 39.99), geometry_type="Unknown")
    _told(tmp_path, city[0], area, "holds no polygon (only Point)")


def test_an_empty_boundary_table_is_told_by_validate(tmp_path, city):  # noqa: F811
    area = tmp_path / "b.gpkg"
    gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs=4326)).to_file(area, geometry_type="Polygon")
    _told(tmp_path, city[0], area, "holds no polygon")


@pytest.mark.parametrize("suffix", ["gpkg", "shp"])
def test_a_hole_equal_to_its_shell_is_told_by_validate(tmp_path, city, suffix):  # noqa: F811
    area = _boundary(tmp_path, f"b.{suffix}", shapely.Polygon(SHELL, [SHELL[::-1]]))
    _told(tmp_path, city[0], area, "has a hole that cancels its polygon")


@pytest.mark.parametrize("suffix", ["gpkg", "shp"])
def test_a_ring_not_closed_is_told_by_validate(tmp_path, city, suffix):  # noqa: F811
    area = _boundary(tmp_path, f"b.{suffix}", shapely.Polygon(SHELL))
    rewrite = _rewrite_gpkg_points if suffix == "gpkg" else _rewrite_shp_points
    rewrite(area, [(116.3011, 39.985)])  # the last vertex off the first
    _told(tmp_path, city[0], area, "close each ring")


@pytest.mark.parametrize("suffix", ["gpkg", "shp"])
def test_a_ring_drawn_back_over_itself_is_told_by_validate(tmp_path, city, suffix):  # noqa: F811
    area = _boundary(tmp_path, f"b.{suffix}", shapely.Polygon(SHELL))
    rewrite = _rewrite_gpkg_points if suffix == "gpkg" else _rewrite_shp_points
    rewrite(area, [SHELL[0], SHELL[2], SHELL[0], SHELL[2], SHELL[0]])
    _told(tmp_path, city[0], area, "enclose no area")


def test_vertices_that_are_not_lon_lat_are_told_by_validate(tmp_path, city):  # noqa: F811
    nan = _boundary(tmp_path, "nan.gpkg", shapely.Polygon(SHELL))
    _rewrite_gpkg_points(nan, [(float("nan"), 39.99), *SHELL[-2:]])
    _told(tmp_path, city[0], nan, "not finite lon/lat")
    metres = _boundary(tmp_path, "m.gpkg", shapely.box(440_000, 4_420_000, 442_000, 4_422_000))  # said 4326
    _told(tmp_path, city[0], metres, "not finite lon/lat")


@pytest.mark.parametrize("suffix", ["gpkg", "shp"])
def test_good_boundaries_with_holes_and_parts_still_validate(tmp_path, city, suffix):  # noqa: F811
    """A hole inside its shell, two parts, a GEOMETRY column of polygons: the new checks refuse none."""
    two = shapely.MultiPolygon([shapely.Polygon(SHELL, [INSIDE]), shapely.box(116.32, 39.99, 116.33, 40.0)])
    options = {"geometry_type": "Unknown"} if suffix == "gpkg" else {}
    area = _boundary(tmp_path, f"b.{suffix}", two, shapely.Polygon(SHELL), **options)
    code, text = cli("validate", _recipe(tmp_path, city[0], area={"path": str(area)}))
    assert code == 0, text


# --- 3. run --out holding compute.store ------------------------------------------------------------------


@pytest.mark.parametrize("out", ["store", "."])
def test_run_out_holding_the_store_is_refused(tmp_path, city, out):  # noqa: F811
    """outputs.dir holding compute.store is refused when the recipe is read; --out replaces it unchecked."""
    shared = tmp_path / "shared"
    recipe = _recipe(tmp_path, city[0], compute={"store": str(shared / "store")})
    assert cli("validate", recipe)[0] == 0
    for command in ("run", "rescan"):
        refused(*cli(command, "--out", shared / out, "--scheduler", "synchronous", recipe), "compute.store")
    assert not (shared / out / "runs").exists()


def test_run_out_inside_the_store_runs(tmp_path, city):  # noqa: F811
    """The run removes only the folders it made in the store: an output folder there is kept."""
    store = tmp_path / "store"
    recipe = _recipe(tmp_path, city[0], compute={"store": str(store)})
    code, text = cli("run", "--out", store / "out", "--scheduler", "synchronous", recipe, timeout=300)
    assert code == 0, text
    assert (store / "out" / "latest" / "manifest.json").is_file()


# --- 4. bidi controls in the pages ----------------------------------------------------------------------


def test_bidi_controls_of_untrusted_names_are_shown_as_codes_in_the_pages(tmp_path, city):  # noqa: F811
    """A U+202E in a title or a file's name reversed what followed it in report.html and map.html
    (``pop\\u202efit.x`` read as ``popx.tif``): escaped HTML, yet not what the file is called."""
    tif = Path(shutil.copy(city[0], tmp_path / "pop\u202efit.x"))
    recipe = _recipe(tmp_path, tif, title="<b>区</b>\u202e\u2066evil")
    code, text = cli("run", "--scheduler", "synchronous", recipe, timeout=300)
    assert code == 0, text
    for page in ("report.html", "map.html"):
        html = (tmp_path / "out" / "latest" / page).read_text(encoding="utf-8")
        assert "\u202e" not in html and "\u2066" not in html, page
        assert "&lt;b&gt;区&lt;/b&gt;\\u202e\\u2066evil" in html, page
    assert "pop\\u202efit.x" in (tmp_path / "out" / "latest" / "report.html").read_text(encoding="utf-8")


# --- 5. what the generator found besides -----------------------------------------------------------------


@pytest.mark.parametrize("address", ["tcp://localhost:99999", "tcp://host:port", "tcp://h:0"])
def test_a_scheduler_port_no_address_can_hold_is_refused_by_validate(tmp_path, city, address):  # noqa: F811
    """validate said ok; the run waited ~30 s for a connection, then 'is the cluster running?'."""
    recipe = _recipe(tmp_path, city[0], compute={"scheduler": address})
    refused(*cli("validate", recipe), "compute.scheduler")


def test_a_value_yaml_reads_as_a_number_or_a_date_where_text_belongs_says_to_quote_it(tmp_path, city):  # noqa: F811
    """pydantic said "Input should be a valid string (got datetime.date(2024, 1, 1))", with no fix."""
    import datetime as dt

    recipe = _recipe(tmp_path, city[0], title=dt.date(2024, 1, 1), report={"language": "zh"})
    text = recipe.read_text(encoding="utf-8").replace(f"path: {city[0]}", "path: 2020")
    recipe.write_text(text, encoding="utf-8")
    code, said = cli("validate", recipe)
    refused(code, said, "title")
    assert "title: 2024-01-01 被读作日期，而不是文本：请加上引号" in said, said
    assert "layers.pop.path: 2020 被读作数字，而不是文本：请加上引号" in said, said


def test_a_raster_of_negative_values_only_is_refused_by_validate(tmp_path):
    """Negative pixels are not measured: the run went through with residents unknown everywhere, while a
    raster all nodata was refused by validate."""
    import numpy as np
    from rasterio.transform import from_origin

    from test_hostile import write_tif

    tif = write_tif(
        tmp_path / "p.tif", -np.ones((20, 20), "float32"), from_origin(116.30, 40.0, 0.001, 0.001)
    )
    refused(*cli("validate", _recipe(tmp_path, tif)), "every pixel of band 1 that holds a value is negative")


@pytest.mark.parametrize("ids", [("1", "1"), ("7", " 7 "), ("", "")])
def test_a_registry_id_written_twice_is_told_by_validate(tmp_path, city, ids):  # noqa: F811
    """The run refused it ("id '1' appears more than once"); validate said ok."""
    csv = tmp_path / "haz.csv"
    csv.write_text(f"id,kind,name,lon,lat\n{ids[0]},fuel,A,116.305,39.99\n{ids[1]},gas,B,116.31,39.992\n")
    recipe = _recipe(tmp_path, city[0])
    text = recipe.read_text(encoding="utf-8")
    text = text.replace("layers:\n", f"layers:\n  haz: {{type: points, role: hazard, path: '{csv}'}}\n", 1)
    recipe.write_text(text, encoding="utf-8")
    code, said = cli("validate", recipe)
    refused(code, said, "layers.haz.id_column")
    if not ids[0]:  # no id at all (round 9): said as such, not as the id '' given twice
        assert "haz.csv: row 2, row 3: no id (column 'id'): give every row its id" in said, said
        return
    assert f"id '{ids[0].strip()}' in row 2 and row 3: ids must be unique" in said, said


def test_a_south_up_raster_validates_and_counts_everyone(tmp_path):
    """A south-up GeoTIFF (the run reads it flipped) was refused by validate as lying outside the area:
    its box came out north < south."""
    import numpy as np
    from rasterio.transform import Affine

    from test_hostile import write_tif

    data = np.random.default_rng(0).random((20, 20)).astype("float32") * 10
    tif = write_tif(tmp_path / "p.tif", data, Affine(0.001, 0, 116.30, 0, 0.001, 39.98))
    recipe = _recipe(tmp_path, tif)
    assert cli("validate", recipe)[0] == 0
    code, text = cli("run", "--scheduler", "synchronous", "--quiet", recipe, timeout=300)
    assert code == 0, text
    grid = gpd.read_parquet(tmp_path / "out" / "latest" / "grid")
    assert grid["residents"].sum() == pytest.approx(float(data.astype("float64").sum()), rel=1e-9)


def test_a_raster_of_pixels_of_size_0_is_refused(tmp_path):
    """The run divided by the pixel's area (a RuntimeWarning) and went through with 0 residents."""
    import numpy as np
    from rasterio.transform import Affine

    from test_hostile import write_tif

    tif = write_tif(tmp_path / "p.tif", np.ones((20, 20), "float32"), Affine(0, 0, 116.30, 0, 0, 40.0))
    refused(*cli("validate", _recipe(tmp_path, tif)), "has pixels of size 0")


@pytest.mark.parametrize("where", [".", "no/such/folder/run.log"])
def test_a_log_file_that_cannot_be_opened_is_an_error_not_a_traceback(tmp_path, city, where):  # noqa: F811
    refused(*cli("run", "--log-file", tmp_path / where, _recipe(tmp_path, city[0])), "--log-file")


def test_a_workbook_holding_a_giant_xml_comment_is_refused_at_once(tmp_path, city):  # noqa: F811
    """This Python's expat re-scans a large token on every chunk (CVE-2023-52425): a sheet holding a
    200 MB comment kept validate busy past 400 s (4 MB: 0.76 s CPU, 1 MB: 0.06 s)."""
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    for row in (["id", "kind", "name", "lon", "lat"], [1, "fuel", "A", 116.305, 39.99]):
        book.active.append(row)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<sheetData>", b"<!--" + b" " * 5_000_000 + b"--><sheetData>", 1)
    xlsx = tmp_path / "haz.xlsx"
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    recipe = _recipe(tmp_path, city[0])
    text = recipe.read_text(encoding="utf-8")
    text = text.replace("layers:\n", f"layers:\n  haz: {{type: points, role: hazard, path: '{xlsx}'}}\n", 1)
    recipe.write_text(text, encoding="utf-8")
    refused(*cli("validate", recipe, timeout=20), "holds XML no spreadsheet program writes")
