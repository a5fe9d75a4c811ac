"""The content-keyed cache: keys follow content (never times), entries are atomic and prunable."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from urbanrisk.cache import Cache, content_key, frame_digest, sha256_of


def _frame(x: float = 1.0, name: str = "a") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [name, "b"], "n": [1, 2]}, geometry=[Point(x, 0), Point(2, 0)], crs=4326)


def test_frame_digest_follows_values_geometry_and_order():
    base = frame_digest(_frame())
    assert frame_digest(_frame()) == base
    assert frame_digest(_frame(x=1.000001)) != base
    assert frame_digest(_frame(name="c")) != base
    assert frame_digest(_frame().iloc[::-1]) != base
    assert frame_digest(None) == frame_digest(_frame().iloc[0:0]) == "empty"


def test_content_key_and_file_hash(tmp_path):
    assert content_key("a", [1, 2]) == content_key("a", [1, 2]) != content_key("a", [2, 1])
    path = tmp_path / "f.txt"
    path.write_text("one")
    first = sha256_of(path)
    path.write_text("two")  # same name, new content: a new hash (the memo is keyed on mtime and size)
    assert sha256_of(path) != first


def test_get_put_keep_only_and_corrupt_entries(tmp_path):
    cache = Cache(tmp_path)
    assert cache.get("k" * 64) is None and cache.misses == 1
    cache.put("k" * 64, {"v": 1})
    cache.put("j" * 64, [1])
    assert cache.get("k" * 64) == {"v": 1} and cache.hits == 1
    assert not list(tmp_path.rglob("*.tmp"))  # written by rename
    assert cache.keep_only({"k" * 64}) == 1
    assert cache.get("j" * 64) is None
    (tmp_path / "kk" / f"{'k' * 64}.pkl").write_bytes(b"not a pickle")
    assert cache.get("k" * 64) is None  # a damaged entry is a miss, not a crash
