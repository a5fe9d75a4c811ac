"""Tables are parsed once per process by their bytes: the same frames, an edited table read again."""

from __future__ import annotations

import pandas as pd
import pytest

from urbanrisk import LayerError
from urbanrisk.layers.tables import osm_tag_table
from urbanrisk.street_rules import network_filter_table


def test_a_table_read_again_is_the_same_and_an_edited_one_is_new(tmp_path):
    path = tmp_path / "filters.csv"
    path.write_text("mode,key,pattern\ndrive,highway,footway\n", encoding="utf-8")
    first = network_filter_table(path)
    first.loc[0, "pattern"] = "changed by the caller"  # a caller's frame is its own
    again = network_filter_table(path)
    # a table without the optional ``unless`` column reads as one with it blank (no exception)
    assert again.to_dict("records") == [
        {"mode": "drive", "key": "highway", "pattern": "footway", "unless": ""}
    ]
    path.write_text("mode,key,pattern\ndrive,highway,cycleway\n", encoding="utf-8")  # same size
    assert network_filter_table(path)["pattern"].tolist() == ["cycleway"]
    path.write_bytes(b"mode,key,pattern\ndrive,highway,\xff\xfe\n")
    with pytest.raises(LayerError, match="cannot read table"):
        network_filter_table(path)
    pd.testing.assert_frame_equal(osm_tag_table(), osm_tag_table())  # the shipped one, twice
