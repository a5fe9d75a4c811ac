"""Chinese map-service datums: coords:/crs: spellings, the inverse's accuracy, and registries that look
like GCJ-02 / BD-09 while declared WGS84 (checked against the shipped Beijing OSM extracts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from pyproj import Geod

from conftest import BUPT_OSM, WUDAOKOU_OSM, default_recipe, validate_in_fresh_process
from urbanrisk import RecipeError
from urbanrisk.datum_check import datum_evidence, datum_note
from urbanrisk.layers.coords import gcj02_to_bd09, gcj02_to_wgs84, in_china, to_wgs84, wgs84_to_gcj02
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.outputs.i18n import data_text
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.outputs.i18n_datum import is_datum_note
from urbanrisk.pipeline import prepare_run
from urbanrisk.recipe import load_recipe

GEOD = Geod(ellps="WGS84")
#: OSM kinds a registry of hazards or resources holds (fuel stations, hospitals, police, industry)
KINDS = ["fuel", "hospital", "police", "industrial"]


@pytest.fixture(scope="module")
def beijing_places():
    """The OSM places of both Beijing extracts: lon, lat, kind (WGS84)."""
    frames = [osm_from_file(path).pois for path in (WUDAOKOU_OSM, BUPT_OSM)]
    lon = np.concatenate([f.geometry.x.to_numpy() for f in frames])
    lat = np.concatenate([f.geometry.y.to_numpy() for f in frames])
    kind = np.concatenate([f["kind"].to_numpy() for f in frames])
    return lon, lat, kind


def _jitter(lon, lat, metres=25.0, seed=7):
    """Points moved up to ``metres`` (a registry's pin is never exactly on OSM's node)."""
    rng = np.random.default_rng(seed)
    dx, dy = rng.uniform(-metres, metres, (2, len(lon)))
    return lon + dx / (111_320 * np.cos(np.radians(lat))), lat + dy / 110_574


def test_inverse_is_within_half_a_metre_across_china():
    lon, lat = np.meshgrid(np.linspace(73.5, 134.5, 120), np.linspace(18.5, 53.5, 80))
    lon, lat = lon.ravel(), lat.ravel()
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    error = GEOD.inv(lon, lat, *back)[2]
    assert error.max() < 1e-3  # goal < 0.5 m; the fixed-point iteration gives sub-millimetre
    bd = to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)), "bd09")
    assert GEOD.inv(lon, lat, *bd)[2].max() < 0.5
    shift = GEOD.inv(lon, lat, *wgs84_to_gcj02(lon, lat))[2]
    assert 100 < np.median(shift[in_china(lon, lat)]) < 1000  # what is at stake: hundreds of metres
    # published pair (evil_transform's docs, Suzhou): WGS84 (120.596931, 31.280844) -> GCJ-02
    glon, glat = wgs84_to_gcj02(np.array([120.596931]), np.array([31.280844]))
    assert abs(glon[0] - 120.60109998322247) < 1e-6 and abs(glat[0] - 31.278648624428175) < 1e-6
    assert GEOD.inv(120.596931, 31.280844, *(v[0] for v in gcj02_to_wgs84(glon, glat)))[2] < 0.5
    outside = np.array([-76.6, 2.35, 151.2]), np.array([39.3, 48.85, -33.87])  # Baltimore, Paris, Sydney
    assert np.array_equal(gcj02_to_wgs84(*outside)[0], outside[0])  # as the reference implementations


def test_coords_spellings_and_crs_naming_a_map_datum(tmp_path):
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))

    def hazards_with(**keys) -> Path:
        layer = {**body["layers"]["hazards"], **keys}
        path = tmp_path / "r.yaml"
        path.write_text(yaml.safe_dump({**body, "layers": {**body["layers"], "hazards": layer}}), "utf-8")
        return path

    for given, datum in (("GCJ-02", "gcj02"), ("火星坐标", "gcj02"), ("BD-09", "bd09"), ("WGS 84", "wgs84")):
        assert load_recipe(hazards_with(coords=given)).layers["hazards"].coords == datum
    spec = load_recipe(hazards_with(crs="GCJ-02")).layers["hazards"]
    assert (spec.coords, spec.crs) == ("gcj02", "EPSG:4326")  # lon/lat degrees in that datum
    assert load_recipe(hazards_with(crs="EPSG:4547")).layers["hazards"].crs == "EPSG:4547"
    with pytest.raises(RecipeError) as bad:
        load_recipe(hazards_with(coords="gcj03"))
    text = str(bad.value)
    assert "layers.hazards.coords: unknown coords 'gcj03': use wgs84" in text and "bd09 (BD-09" in text
    assert "无法识别的 coords 'gcj03'：请用 wgs84" in check_text(text, "zh")
    with pytest.raises(RecipeError, match=r"crs: gcj02 and coords: bd09 name different datums"):
        load_recipe(hazards_with(crs="gcj02", coords="bd09"))
    with pytest.raises(RecipeError, match=r"BD-09MC\) are not read"):
        load_recipe(hazards_with(coords="bd09mc"))


def test_gcj02_and_bd09_registries_are_told_from_wgs84(beijing_places):
    """A registry made from the extracts' real fuel / hospital / police / industry points: in GCJ-02 or
    BD-09 (each pin 25 m off) it is named so; in true WGS84 nothing is said."""
    lon, lat, kind = beijing_places
    mine = np.isin(kind, KINDS)
    assert mine.sum() == 7  # Wudaokou: 1 fuel, 1 industrial, 2 hospitals, 1 police; BUPT: 2 hospitals
    wlon, wlat = _jitter(lon[mine], lat[mine])
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    found = datum_evidence(glon, glat, kind[mine], lon, lat, kind, declared="wgs84")
    assert found.likely == "gcj02" and found.points == 7
    assert 400 < found.median_m["wgs84"] < 700 and found.median_m["gcj02"] < 30
    note = datum_note("fuel", found)
    assert note.startswith("fuel: these coordinates look like GCJ-02 (median offset ")
    assert "matching OSM features, " in note and "set coords: gcj02 on layer 'fuel'" in note
    assert "这些坐标看来是 GCJ-02" in data_text(note, "zh") and "设置 coords: gcj02" in data_text(note, "zh")
    blon, blat = gcj02_to_bd09(glon, glat)
    assert datum_evidence(blon, blat, kind[mine], lon, lat, kind, declared="wgs84").likely == "bd09"
    baidu_as_gcj = datum_evidence(blon, blat, kind[mine], lon, lat, kind, declared="gcj02")
    assert baidu_as_gcj.likely == "bd09" and "set coords: bd09" in datum_note("h", baidu_as_gcj)
    honest = datum_evidence(wlon, wlat, kind[mine], lon, lat, kind, declared="wgs84")
    assert honest.likely == "wgs84" and datum_note("fuel", honest) is None
    twice = datum_evidence(wlon, wlat, kind[mine], lon, lat, kind, declared="gcj02")  # WGS84 said GCJ-02
    assert "remove coords: gcj02 from layer 'h'" in datum_note("h", twice)
    few = datum_evidence(glon[:2], glat[:2], kind[mine][:2], lon, lat, kind, declared="wgs84")
    assert few.likely == "wgs84"  # two points cannot tell a datum from chance


def test_run_notes_a_gcj02_registry_declared_wgs84(tmp_path, beijing_places):
    """Through the run's first stages on Wudaokou: the registry left as WGS84 gets the note (and is not
    moved); the same file declared crs: GCJ-02 is converted onto the OSM features, without a note; and
    ``urbanrisk validate`` (OSM read lightly) warns of the first alone."""
    lon, lat, kind = beijing_places
    wudaokou = np.isin(kind, ["hospital", "police"]) & (lat > 39.985)  # the extract's three resources
    glon, glat = wgs84_to_gcj02(lon[wudaokou], lat[wudaokou])
    rows = "\n".join(
        f"R{i},{k},{x:.8f},{y:.8f}"
        for i, (k, x, y) in enumerate(zip(kind[wudaokou], glon, glat, strict=True))
    )
    for name in ("amap", "declared"):
        (tmp_path / f"{name}.csv").write_text("id,kind,lon,lat\n" + rows.replace("R", name), "utf-8")
    layers = {
        "amap": {"type": "points", "role": "resource", "path": str(tmp_path / "amap.csv")},
        "declared": {
            "type": "points",
            "role": "resource",
            "path": str(tmp_path / "declared.csv"),
            "crs": "GCJ-02",
        },
    }
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"].update(layers)
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    loaded, _, notes = prepare_run(load_recipe(recipe), cache=None, stage=lambda _, work: work())
    summary_split = [n for n in notes if is_datum_note(n)]
    assert summary_split == [n for n in notes if "look like" in n]  # what the summary makes a warning
    said = [n for n in notes if "look like" in n]
    assert len(said) == 1 and said[0].startswith("amap: these coordinates look like GCJ-02 (median offset ")
    assert "to 3 matching OSM features, 0 m after conversion): set coords: gcj02 on layer 'amap'" in said[0]
    resources = loaded.resources.set_index("id")
    converted = resources.loc[[f"declared{i}" for i in range(3)]].geometry
    assert np.allclose(converted.x, lon[wudaokou], atol=1e-8) and np.allclose(
        converted.y, lat[wudaokou], atol=1e-8
    )
    as_written = resources.loc[[f"amap{i}" for i in range(3)]].geometry
    assert np.allclose(as_written.x, glon, atol=1e-8)  # never converted silently
    checked = validate_in_fresh_process(recipe)  # validate says it too, before any run, and stays light
    assert checked.returncode == 0 and "HEAVY []" in checked.stdout, checked.stderr
    warned = [line for line in checked.stdout.splitlines() if "look like" in line]
    assert len(warned) == 1 and warned[0].startswith("  WARNING: amap: these coordinates look like GCJ-02")


def test_the_datum_note_is_a_warning_of_the_run():
    """In the run's warnings (report ⚠, CLI WARNING, manifest), not among its technical notes."""
    from urbanrisk.outputs.summary import RunSummary

    note = (
        "amap: these coordinates look like GCJ-02 (median offset 540 m to 3 matching OSM features, 0 m after "
        "conversion): set coords: gcj02 on layer 'amap' (read as WGS84; nothing is converted without coords:)"
    )
    summary = RunSummary("t", 10, 0, 0.0, "none", {}, {}, {}, {}, notes=["other"], datum=[note])
    assert summary.warnings == [note] and summary.notes == ["other"]
