"""The bulk OSM pass (streets parsed from libosmium's OPL text, stats counted there) gives exactly what
pyosmium gives object by object: the same street ways, tags, node ids, coordinates and counts."""

from __future__ import annotations

import numpy as np
import osmium
import pytest
import shapely

from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM
from urbanrisk.layers.osm import STREET_TAGS, clean_text, osm_from_file

VALUES = ("name", "oneway", "maxspeed", *STREET_TAGS)


def _object_by_object(path) -> dict:
    """Streets and stats read the plain pyosmium way: one Python object at a time."""
    wkb = osmium.geom.WKBFactory()
    tagged, newest, missing, streets = 0, 0, 0, []
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.EmptyTagFilter())
    )
    for obj in processor:
        tagged += 1
        newest = max(newest, int(obj.timestamp.timestamp()))
        tags = obj.tags
        if not obj.is_way() or "highway" not in tags or tags.get("area") == "yes":
            continue
        try:
            geom = wkb.create_linestring(obj, osmium.geom.use_nodes.ALL)
        except (osmium.InvalidLocationError, RuntimeError):
            missing += 1
            continue
        values = {key: tags.get(key, "") for key in VALUES}
        values["name"] = clean_text(tags.get("name"))
        streets.append((obj.id, tags.get("highway"), values, [n.ref for n in obj.nodes], geom))
    return {"tagged": tagged, "newest": newest, "missing": missing, "streets": streets}


def _hostile_osm(path) -> None:
    """Street tags that OPL must escape, ways that cannot be lines, a newest object out of every layer."""
    nodes = [(1, 116.30, 39.99), (2, 116.31, 39.99), (3, 116.31, 40.00), (4, 116.30, 40.00)]
    ways = [
        (10, [1, 2], {"highway": "residential", "name": "Main St, Block=5 %20% 100% +x"}),
        (11, [2, 3, 4], {"highway": "footway", "name": "路 😀\ttab", "sidewalk:both": "separate"}),
        (12, [1], {"highway": "service"}),  # one node: no line
        (13, [1, 99], {"highway": "track"}),  # a node missing from the extract
        (14, [1, 2, 3, 4, 1], {"highway": "pedestrian", "area": "yes"}),  # an area, not a street
        (15, [3, 4], {"highway": "", "oneway": "-1", "maxspeed": "50 mph", "layer": "-1"}),
        (16, [1, 2, 3, 4, 1], {"building": "yes", "name": "a=b"}),
        (17, [4, 4], {"highway": "steps"}),  # one location twice: a degenerate line, dropped
    ]
    stamp = 'timestamp="2021-03-04T05:06:07Z"'
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    lines += [f'<node id="{i}" version="1" lon="{x}" lat="{y}"/>' for i, x, y in nodes]
    lines.append(f'<node id="5" version="1" lon="116.305" lat="39.995" {stamp.replace("2021", "2024")}>')
    lines.append('<tag k="barrier" v="gate"/></node>')  # tagged, in no layer: newest all the same
    for way_id, refs, tags in ways:
        lines.append(f'<way id="{way_id}" version="1" {stamp}>')
        lines += [f'<nd ref="{ref}"/>' for ref in refs]
        lines += [f'<tag k="{k}" v="{v.replace(chr(9), "&#9;")}"/>' for k, v in tags.items()]
        lines.append("</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("name", ["wudaokou", "bupt", "hostile"])
def test_the_bulk_pass_equals_pyosmium_object_by_object(name, tmp_path):
    path = {"wudaokou": WUDAOKOU_OSM, "bupt": BUPT_OSM}.get(name)
    if path is None:
        path = tmp_path / "hostile.osm"
        _hostile_osm(path)
    expected = _object_by_object(path)
    osm = osm_from_file(path)
    assert osm.stats["tagged_objects"] == expected["tagged"]
    assert osm.stats["newest_object_epoch"] == expected["newest"]
    assert osm.stats["ways_missing_nodes"] == expected["missing"]
    # a way whose nodes share one location is no line once made valid: dropped and counted
    lines = [
        row
        for row in expected["streets"]
        if shapely.make_valid(shapely.from_wkb(row[4])).geom_type == "LineString"
    ]
    assert osm.stats["ways_degenerate"] == len(expected["streets"]) - len(lines)
    streets = osm.streets
    assert streets["way_id"].tolist() == [row[0] for row in lines]
    assert streets["highway"].tolist() == [row[1] for row in lines]
    for key in VALUES:
        assert streets[key].tolist() == [row[2][key] for row in lines], key
    assert streets["node_ids"].tolist() == [row[3] for row in lines]
    wkb = shapely.to_wkb(shapely.from_wkb([row[4] for row in lines]))
    assert np.array_equal(shapely.to_wkb(streets.geometry.to_numpy()), wkb)  # the same doubles
    if name == "hostile":
        assert streets["way_id"].tolist() == [10, 11, 15]
        # a tab in a name is a space (session 16: no control character stays in a name)
        assert streets["name"].tolist()[:2] == ["Main St, Block=5 %20% 100% +x", "路 😀 tab"]
        assert osm.stats["newest_object_epoch"] == 1709528767  # the gate node, 2024-03-04 05:06:07Z


def test_an_extract_too_big_for_the_scratch_disk_is_refused_before_the_pass(monkeypatch):
    """The pass writes ~10x a .pbf of OPL text: a full disk mid-pass read as a cut file."""
    import shutil

    from urbanrisk._errors import LayerError
    from urbanrisk.layers import osm_pass

    free = BALTIMORE_PBF.stat().st_size * 11  # 11x the .pbf: under the 12x it may need
    monkeypatch.setattr(osm_pass.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(free, 0, free))
    with pytest.raises(LayerError, match=r"needs about 8 MB of scratch space .* 7 MB free; point TMPDIR"):
        osm_from_file(BALTIMORE_PBF)
    needed = WUDAOKOU_OSM.stat().st_size  # an XML extract needs about its own size
    monkeypatch.setattr(osm_pass.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(0, 0, needed * 2))
    assert osm_pass.check_scratch_space(WUDAOKOU_OSM, WUDAOKOU_OSM.parent) is None


def test_the_read_pauses_the_garbage_collector_and_leaves_it_as_it_was(tmp_path):
    """The collector is off during the read (it walked every row and node id list alive) and back on
    after it, also when the read fails; one switched off by the caller stays off."""
    import gc

    from urbanrisk._errors import LayerError
    from urbanrisk.layers import osm as osm_module

    seen = []
    real = osm_module.read_pass

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    assert gc.isenabled()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(osm_module, "read_pass", spy)
        osm_from_file(BUPT_OSM)
    assert seen == [False] and gc.isenabled()
    cut = tmp_path / "cut.osm"
    cut.write_bytes(WUDAOKOU_OSM.read_bytes()[:1_200_000])
    with pytest.raises(LayerError):
        osm_from_file(cut)
    assert gc.isenabled()
    gc.disable()
    try:
        osm_from_file(BUPT_OSM)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_ways_tags_read_in_columns_keep_each_keys_first_value_and_decode_escapes():
    """Three ways' OPL tag fields by hand: a key written twice keeps its first value, an absent key
    is null, a key asked twice is one column, ``%20%`` is decoded, and a key absent from every way is
    all null."""
    import pyarrow as pa

    from urbanrisk.layers.osm_pass import _tag_columns

    field = pa.array(["Thighway=primary,name=A,highway=service", "Tname=B%20%C", "Tarea=yes,highway=path"])
    columns = _tag_columns(field, 3, ("highway", "name", "highway", "ref"))
    assert list(columns) == ["highway", "name", "ref"]
    assert columns["highway"].to_pylist() == ["primary", None, "path"]
    assert columns["name"].to_pylist() == ["A", "B C", None]
    assert columns["ref"].to_pylist() == [None, None, None]
