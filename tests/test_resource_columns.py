"""A resource registry's kept column (``keep_columns``) named as a column urbanrisk writes beside it
(``inside_area``, which coverage overwrote; ``severity``, which coverage dropped; the incident's ``lon``,
``eta_s``, ``status``...) is refused with the column's name and the fix, never silently lost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from urbanrisk._errors import LayerError
from urbanrisk.coverage import resources_near
from urbanrisk.incident_reads import OWN_COLUMNS
from urbanrisk.layers.points import points_from_file
from urbanrisk.recipe.points_spec import PointsLayer
from urbanrisk.resource_columns import RESOURCE_OWN_COLUMNS
from urbanrisk.response import RESOURCE_COLUMNS, shelter_assignment


def _registry(tmp_path, column: str):
    path = tmp_path / "stations.csv"
    path.write_text(f"id,kind,lon,lat,{column}\nF1,fire_station,116.35,39.96,true\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("column", ["inside_area", "severity", "Status", " eta_s", "lon"])
def test_the_recipe_refuses_a_kept_column_under_urbanrisks_own_name(column):
    with pytest.raises(
        ValueError,
        match=rf"\['{column}'\] cannot be kept under its name .*inside_area.*"
        r"rename that column in the file, or remove it from keep_columns",
    ):
        PointsLayer(type="points", path="s.csv", role="resource", keep_columns=["值班电话", column])
    PointsLayer(type="points", path="s.csv", role="resource", keep_columns=["值班电话", "inside_area_office"])


def test_the_reader_refuses_it_too(tmp_path):
    """A notebook reading the registry itself: the same refusal, naming the file."""
    path = _registry(tmp_path, "inside_area")
    with pytest.raises(
        LayerError, match=r"keep_columns \['inside_area'\] .*rename that column in stations\.csv"
    ):
        points_from_file(path, layer="stations", role="resource", keep_columns=["inside_area"])
    kept = points_from_file(
        _registry(tmp_path, "值班电话"), layer="stations", role="resource", keep_columns=["值班电话"]
    )
    assert kept["值班电话"].tolist() == ["true"]


def test_every_column_written_beside_the_kept_ones_is_reserved(tmp_path):
    """The columns coverage and ``urbanrisk incident`` put beside a registry's kept columns, as the code
    makes them (a new one must join RESOURCE_OWN_COLUMNS, or a kept column could be overwritten)."""
    registry = points_from_file(
        _registry(tmp_path, "值班电话"), layer="stations", role="resource", keep_columns=["值班电话"]
    )
    area = shapely.box(116.34, 39.95, 116.36, 39.97)
    near = resources_near(None, registry, area, buffer_m=100.0, utm_crs="EPSG:32650")
    assert near["inside_area"].tolist() == [True]
    assert near["值班电话"].tolist() == ["true"]  # kept, as written
    written = {*near.columns, *RESOURCE_COLUMNS, *OWN_COLUMNS, "x", "y", "projected", "details"}
    shelters = pd.DataFrame(
        {
            "id": ["S1"],
            "kind": "shelter",
            "name": "",
            "capacity": 10.0,
            "lon": 0.0,
            "lat": 0.0,
            "x": 0.0,
            "y": 0.0,
        }
    )
    groups = pd.DataFrame({"people": [5.0]}, index=["8b31aa000000fff"])
    table, _, _ = shelter_assignment(shelters, None, groups, np.zeros(2), 100.0, max_snap_m=500.0)
    written |= set(table.columns)
    assert written - {"值班电话"} <= set(RESOURCE_OWN_COLUMNS), written - set(RESOURCE_OWN_COLUMNS)
