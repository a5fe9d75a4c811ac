"""Hostile input, round 10 (session 16, office16): what rounds 9 and office15 left (a MultiPoint registry
feature kept its first point, negative and infinite population pixels ran as unknown without a word, NUL
and control characters stayed in names) and what a generator of an office's hostile files found. Each is
told by ``validate`` as by the run, with its fix; good input still passes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasterio.transform import from_origin

from test_hostile import city, cli, raster_recipe, refused, write_tif  # noqa: F401  (city: a fixture)

# --- MultiPoint registry features ----------------------------------------------------------------------


def _multipoint_recipe(folder: Path, tif: Path, suffix: str, parts: list[list[tuple[float, float]]]) -> Path:
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"id": [f"H{i + 1}" for i in range(len(parts))], "kind": ["fuel"] * len(parts)},
        geometry=[shapely.MultiPoint(p) for p in parts],
        crs=4326,
    )
    path = folder / f"haz.{suffix}"
    frame.to_file(path)
    return raster_recipe(folder, tif, layers={"haz": {"type": "points", "role": "hazard", "path": str(path)}})


@pytest.mark.parametrize("suffix", ["gpkg", "geojson"])
def test_a_multipoint_of_several_places_is_refused_not_cut_to_its_first(tmp_path, city, suffix):  # noqa: F811
    """Feature 2, a MultiPoint of two fuel stations 700 m apart, ran as the first alone (the second's
    people never counted); one row of a register is one site: refused, naming the feature and the fix."""
    parts = [[(116.305, 39.99)], [(116.305, 39.99), (116.313, 39.99)]]
    recipe = _multipoint_recipe(tmp_path, city[0], suffix, parts)
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    refused(code, text, "feature(s) 2 (2 points) are MultiPoints of several places")
    assert "one point per site" in text and "Multipart to Singleparts" in text, text


def test_a_multipoint_of_one_place_is_that_point(tmp_path, city):  # noqa: F811
    """What many GIS exports write for every point (a MultiPoint of one part, or the same point twice)."""
    import pandas as pd

    parts = [[(116.305, 39.99)], [(116.31, 39.995), (116.31, 39.995)]]
    code, text = cli(
        "run", "--scheduler", "synchronous", _multipoint_recipe(tmp_path, city[0], "gpkg", parts)
    )
    assert code == 0, text
    hazards = pd.read_parquet(tmp_path / "out" / "latest" / "hazard_sources.parquet")
    assert sorted(hazards["id"]) == ["H1", "H2"]


# --- negative and infinite population pixels -----------------------------------------------------------


def _people(folder: Path, **pixels: float) -> Path:
    data = np.full((20, 20), 5.0, dtype="float32")
    for where, value in pixels.items():
        row, col = (int(v) for v in where.removeprefix("p").split("_"))
        data[row, col] = value
    return write_tif(folder / "people.tif", data, from_origin(116.30, 40.0, 0.001, 0.001))


@pytest.mark.parametrize(
    ("pixels", "said"),
    [
        ({"p3_4": -5.0}, "1 negative pixel (e.g. -5 at column 4, row 3)"),
        ({"p3_4": np.inf, "p7_1": np.inf}, "2 infinite pixels (e.g. inf at column 4, row 3)"),
        ({"p3_4": -99999.0, "p0_0": -np.inf}, "2 negative pixels (e.g. -inf at column 0, row 0)"),
    ],
)
def test_negative_and_infinite_pixels_are_refused_with_their_count_and_window(tmp_path, pixels, said):
    """They ran as residents unknown without a word: an undeclared nodata (-99999) or a broken export."""
    recipe = raster_recipe(tmp_path, _people(tmp_path, **pixels))
    for command in ("validate", "run"):
        args = ("run", "--scheduler", "synchronous", recipe) if command == "run" else (command, recipe)
        code, text = cli(*args)
        refused(code, text, said)
        assert "people.tif: band 1, the window of columns 0-" in text, text
        assert "gdal_edit.py -a_nodata <value> people.tif" in text, text


def test_a_nan_pixel_stays_no_data(tmp_path):
    """NaN is no data (missing is not zero): the run goes on, the cell over it partly unknown."""
    import pandas as pd

    recipe = raster_recipe(tmp_path, _people(tmp_path, p3_4=np.nan))
    assert cli("validate", recipe)[0] == 0
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    grid = pd.read_parquet(tmp_path / "out" / "latest" / "grid")
    assert (grid["residents_known_share"] < 1).sum() >= 1
    assert grid["residents"].sum() == pytest.approx(5.0 * 399, rel=1e-6)


# --- NUL and other control characters in names and ids ---------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "gpkg"])
def test_control_characters_leave_a_registrys_text_and_are_noted(tmp_path, suffix):
    """A NUL (invisible in Excel) stayed in ids and names, went into the CSV / GeoPackage / HTML outputs
    (GDAL cuts a text at a NUL) and made 'H\\x1b1' another id than 'H1'; a line break inside a name is a
    space."""
    from urbanrisk.layers.points import points_from_file

    ids, names = ["H\x1b1", "H2"], ["学院路\x00加油站\x1b", "燃气\r\n站"]
    if suffix == "gpkg":  # GDAL cuts a text at a NUL when it writes one: a bell instead
        names[0] = "学院路\x07加油站\x1b"
    path = tmp_path / f"haz.{suffix}"
    if suffix == "csv":
        rows = [f'{i},fuel,"{n}",116.30{k},39.99' for k, (i, n) in enumerate(zip(ids, names, strict=True))]
        path.write_text("id,kind,name,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8", newline="")
    else:
        import geopandas as gpd
        import shapely

        points = [shapely.Point(116.300, 39.99), shapely.Point(116.301, 39.99)]
        gpd.GeoDataFrame({"id": ids, "kind": ["fuel"] * 2, "name": names}, geometry=points, crs=4326).to_file(
            path
        )
    read = points_from_file(path, layer="haz", role="hazard")
    assert read["id"].tolist() == ["H1", "H2"]
    assert read["name"].tolist() == ["学院路加油站", "燃气 站"]
    where = "row 2, row 3" if suffix == "csv" else "feature 1, feature 2"
    assert (
        f"haz: removed 5 control character(s) (NUL, line breaks...) from the text of haz.{suffix} ({where})"
        in (read.attrs["notes"][0])
    )


def test_osm_names_lose_their_control_characters():
    """OSM names of POIs, buildings and streets (a .pbf may hold any bytes; XML refuses them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from urbanrisk.layers.osm import clean_text
    from urbanrisk.layers.text_controls import CONTROL_RE2

    assert clean_text("五道口\x00购物中心\x07") == "五道口购物中心"
    assert clean_text("清华\n东路") == "清华 东路" and clean_text(None) == ""
    names = pc.replace_substring_regex(pa.array(["成府路\x00", None, "王庄路"]), CONTROL_RE2, "")
    assert names.to_pylist() == ["成府路", None, "王庄路"]


# --- the generator of an office's hostile files (round 10) -----------------------------------------------

HEADER = "名称,类别,经度,纬度,物质,最大存量\n"
ROWS = "甲加油站,加油站,116.305,39.99,汽油,30吨\n乙化工,危险化学品场所,116.31,39.995,液氯,2吨\n"


def _csv_recipe(folder: Path, tif: Path, data: bytes) -> Path:
    path = folder / "h.csv"
    path.write_bytes(data)
    layer = {"haz": {"type": "points", "role": "hazard", "path": str(path), "kind_column": "类别"}}
    return raster_recipe(folder, tif, layers=layer)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (  # the rest of the file read as one cell: told as empty coordinates and an unknown kind '' in row 2
            (HEADER + '"' + ROWS).encode(),
            'h.csv: line 2 opens a quote (") that is never closed, so the rest of the file was read',
        ),
        (  # told as "has no header row (a row naming two or more columns)"
            (HEADER + ROWS).replace(",", "，").encode(),
            "h.csv separates its columns with '，' (a CSV saved with full-width commas): save it with ','",
        ),
    ],
    ids=["an unclosed quote", "full-width commas"],
)
def test_csv_files_an_office_saves_wrongly_are_told_what_is_wrong(tmp_path, city, data, said):  # noqa: F811
    recipe = _csv_recipe(tmp_path, city[0], data)
    for command in ("validate", "run"):
        args = ("run", "--scheduler", "synchronous", recipe) if command == "run" else (command, recipe)
        refused(*cli(*args), said)


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + ROWS).replace(",", "\t").encode("utf-16"),  # Excel's "Unicode Text", saved as .csv
        (HEADER.replace(",类别", ",\ufeff类别") + ROWS).encode(),  # a BOM inside: two files pasted together
        (HEADER + ROWS.replace("116.305", "116.3\u200b05")).encode(),  # a zero-width space from a web page
    ],
    ids=["tab-separated", "a BOM before a column name", "a zero-width space in a number"],
)
def test_invisible_differences_read_as_excel_shows_them(tmp_path, city, data):  # noqa: F811
    """Refused before ("has no header row", "no column '类别'" naming '\\ufeff类别', "non-numeric")."""
    import geopandas as gpd

    recipe = _csv_recipe(tmp_path, city[0], data)
    assert cli("validate", recipe)[0] == 0
    code, text = cli("run", "--scheduler", "synchronous", recipe)
    assert code == 0, text
    hazards = gpd.read_parquet(tmp_path / "out" / "latest" / "hazard_sources.parquet")
    assert hazards["name"].tolist() == ["甲加油站", "乙化工"]
    assert [round(p.x, 3) for p in hazards.geometry] == [116.305, 116.31]


def test_digits_of_other_scripts_are_refused_by_validate_as_by_the_run(tmp_path, city):  # noqa: F811
    """'٣٩.٩٩' (Arabic-Indic digits): validate said ok (Python's float reads them), the run refused."""
    recipe = _csv_recipe(tmp_path, city[0], (HEADER + ROWS.replace("39.99,", "٣٩.٩٩,")).encode())
    refused(*cli("validate", recipe), "non-numeric or empty '经度' / '纬度' in row 2")


def test_a_huge_number_in_an_excel_cell_is_not_written_as_309_digits():
    """1e308 in a 最大存量 cell was the text '1000000000000000010979...' (309 digits) in the basis."""
    from urbanrisk.layers.tabular import _cell_text

    assert _cell_text(1e308) == "1e+308" and _cell_text(30.0) == "30" and _cell_text(2.5) == "2.5"


def test_round_10_refusals_read_in_chinese(tmp_path):
    """A zh recipe's office reads the refusals above in Chinese (the file and numbers as written)."""
    import numpy as np

    from urbanrisk._errors import LayerError
    from urbanrisk.layers.raster import refuse_bad_counts
    from urbanrisk.layers.tabular import rows_from_file
    from urbanrisk.outputs.i18n_checks import check_text

    with pytest.raises(LayerError) as pixels:
        refuse_bad_counts(np.array([[1.0, -5.0]]), "p.tif", 1)
    said = check_text(str(pixels.value), "zh")
    assert said.startswith("p.tif：波段 1 第 0-1 列、第 0-0 行的窗口中有 1 negative pixel"), said
    assert said.endswith("否则请修正这些像元（NaN 仍按无数据处理）"), said
    for data, head in (
        ((HEADER + '"' + ROWS).encode(), "h.csv：第 2 行有一个未闭合的引号"),
        ((HEADER + ROWS).replace(",", "，").encode(), "h.csv 用全角逗号“，”分隔各列"),
    ):
        (tmp_path / "h.csv").write_bytes(data)
        with pytest.raises(LayerError) as refused_file:
            rows_from_file(tmp_path / "h.csv", layer="haz")
        said = check_text(str(refused_file.value), "zh")
        assert head in said and "never closed" not in said and "separates" not in said, said
