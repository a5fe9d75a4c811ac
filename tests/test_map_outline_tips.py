"""The map's tooltips of key districts and urban villages: name_source and factors, escaped, en/zh.

The words are those the screens write (their own functions on hand cases), so a change of the
screens' wording that the Chinese tooltip no longer knows fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, box

import urbanrisk
from urbanrisk.outputs.map_outline_tips import outline_tip, piece_zh, pieces
from urbanrisk.screens.district_names import district_names, venue_names
from urbanrisk.screens.key_districts import _factors
from urbanrisk.screens.urban_villages import cluster_factors

HOSTILE = "<img src=x onerror=alert(1)>"


def _village(irregularity: float, evidence: bool) -> dict:
    row = {
        "coverage": 0.55,
        "mean_footprint_m2": 120.0,
        "buildings_per_ha": 35.0,
        "no_street_access_share": 0.4,
        "alleys_m_per_ha": 210.0,
        "form_score": 0.71,
        "irregularity": irregularity,
        "neighbour_misalignment": 0.8,
        "size_variation": 0.6,
        "shape_irregularity": 0.3,
        "name_evidence": evidence,
        "confidence": 0.66,
    }
    row["factors"] = cluster_factors(row)
    return row


def _district_sources() -> list[str]:
    """Every kind of ``name_source`` the district names write, from a hand case each."""
    outline = box(-76.60, 39.28, -76.59, 39.29)
    place = gpd.GeoDataFrame(
        {"kind": ["neighbourhood_place"], "name": ["Harbor East"]},
        geometry=[Point(-76.595, 39.285)],
        crs=4326,
    )
    near = place.set_geometry([Point(-76.5899, 39.285)], crs=4326)  # 0.0001° east of the edge: ~10 m
    landuse = gpd.GeoDataFrame(
        {"value": ["university"], "name": ["Campus U"]},
        geometry=[box(-76.601, 39.279, -76.592, 39.291)],
        crs=4326,
    )
    streets = gpd.GeoDataFrame(
        {"name": ["Long Ave"]}, geometry=[LineString([(-76.61, 39.285), (-76.58, 39.285)])], crs=4326
    )
    venues = pd.DataFrame(
        [["Grand Hall", "theatre", "culture", 0.0], ["Chipotle", "restaurant", "commerce", 0.0]],
        columns=["name", "kind", "group", "size"],
    ).assign(label=0)
    crowd = venue_names(venues, [0])[0]
    food = venue_names(venues.iloc[1:], [0])[0]
    cases = [
        ([outline], [crowd], place, landuse, streets),
        ([outline], [crowd], near, None, None),
        ([outline], [crowd], None, landuse, streets),
        ([outline], [crowd], None, None, streets),
        ([outline], [food], None, None, streets),
        ([outline], [food], None, None, None),
        ([outline, outline], [crowd, crowd], None, landuse, streets),  # one name twice: "; then"
    ]
    sources = [source for case in cases for _, source in district_names(*case)]
    return [*sources, "no named place, area, venue or street inside"]  # key_districts' own words


def test_every_piece_the_screens_write_is_said_in_chinese():
    sources = _district_sources()
    assert any("; then " in source for source in sources)
    # a place node 10 m beyond the edge names no district (tips21: BUPT's "装卸区 · …"): its venue does
    assert sources[1] == "biggest crowd venue (theatre)", sources
    kd = pd.Series({"cells": 51, "area_m2": 78_318.0, "crowd_places": 11, "people_present": 6_977.1})
    factors = [
        _factors(kd, "restaurant 5, library 2", 100, 10_000),
        _factors(kd, "", 100, 10_000),
        _village(0.5, True)["factors"],
        _village(np.nan, False)["factors"],
    ]
    said = [piece for text in sources for piece in pieces(text, "; then ")]
    said += [piece for text in factors for piece in pieces(text)]
    assert len(said) >= 25
    for piece in said:
        chinese = piece_zh(piece)
        assert chinese != piece, piece
        # no English word left but OSM's own (tag values, POI kinds)
        left = set(re.findall(r"[A-Za-z]{3,}", chinese)) - {
            "OSM",
            "landuse",
            "university",
            "restaurant",
            "theatre",
            "library",
        }
        assert not left, (piece, chinese)
    assert piece_zh(
        "irregularity 0.50 (neighbour misalignment 0.80, size variation 0.60, shape 0.30; "
        "keeps 70% of the form score)"
    ) == ("建筑不规则度 0.50（相邻错位 0.80、大小差异 0.60、形状 0.30；保留形态得分的 70%）")
    assert piece_zh("89,087 people present per km²") == "在场人数 89,087 人/km²"


def test_the_tip_shows_name_source_and_factors_one_a_line_escaped():
    village = SimpleNamespace(id="UV-01", name=HOSTILE, **{k: v for k, v in _village(0.5, True).items()})
    tip = outline_tip(village, "urban village", "en")
    lines = tip.split("<br/>")
    assert lines[0] == "<b>urban village UV-01</b>"
    assert lines[1] == "&lt;img src=x onerror=alert(1)&gt;" and HOSTILE not in tip
    assert lines[2] == "why: "
    assert lines[3:] == [f"· {piece}" for piece in pieces(village.factors)]
    assert lines[-1] == "· confidence 0.66"
    assert "· irregularity 0.50 (neighbour misalignment 0.80" in tip  # its own list stays on its line
    district = SimpleNamespace(
        id="KD-02",
        name="北京邮电大学 · 物美",
        name_source=f"named area (landuse={HOSTILE}) covering 97% of it; then OSM place node inside",
        factors="24 dense cells (crowd places >= 100/km² and people present >= 10000/km² over each "
        "cell's neighbourhood); 7 crowd places (kinds unknown); 72,925 people present per km²",
    )
    tip = outline_tip(district, "重点地区", "zh", name="北京邮电大学 · 物美")
    assert HOSTILE not in tip
    assert tip.split("<br/>") == [
        "<b>重点地区 KD-02</b>",
        "北京邮电大学 · 物美",
        "名称来源：有名称的用地（landuse=&lt;img src=x onerror=alert(1)&gt;），覆盖本区 97%"
        "；其次 区内的 OSM 地名点",
        "成因：",
        "· 24 个密集单元（各单元邻域内人员密集场所 ≥ 100 处/km²、在场人数 ≥ 10000 人/km²）",
        "· 人员密集场所 7 处（类型未知）",
        "· 在场人数 72,925 人/km²",
    ]
    # unknown words stay as written (never dropped); an empty source or factors adds no line
    bare = SimpleNamespace(id="KD-03", name="x", name_source="", factors="a new reason")
    assert outline_tip(bare, "重点地区", "zh") == "<b>重点地区 KD-03</b><br/>x<br/>成因：<br/>· a new reason"


def test_a_key_districts_crowd_place_kinds_are_said_in_chinese():
    """On beijing-bupt-office's map and 责任清单 (zh) a key district read "人员密集场所 8 处（university 4,
    cafe 1, supermarket 1, marketplace 1, hospital 1）" (session 20, fresh21): every crowd kind of the
    shipped tag table now has its Chinese word; a kind of the recipe's own stays as written."""
    from urbanrisk.outputs.map_outline_tips import CROWD_KINDS_ZH
    from urbanrisk.outputs.tables import factors_zh

    tags = pd.read_csv(Path(urbanrisk.__file__).parent / "tables" / "osm_tags.csv", comment="#")
    crowd = set(tags.loc[tags["roles"].astype(str).str.contains("crowd"), "kind"])
    assert len(crowd) >= 20 and crowd <= set(CROWD_KINDS_ZH)  # a crowd kind added needs its word here
    kd = pd.Series({"cells": 5, "area_m2": 53_000.0, "crowd_places": 8, "people_present": 6_026.0})
    factors = _factors(kd, "university 4, cafe 1, supermarket 1, marketplace 1, hospital 1", 100, 10_000)
    said = "人员密集场所 8 处（大学 4、咖啡馆 1、超市 1、集贸市场 1、医院 1）"
    assert piece_zh(pieces(factors)[1]) == said
    assert factors_zh("key_district", factors).split("；")[1] == said  # responsibility.csv's 主要因素
    assert piece_zh("3 crowd places (my_venue 2, cafe 1)") == "人员密集场所 3 处（my_venue 2、咖啡馆 1）"
