"""A rescan where data came or went, not risk (session 15, fresh15/hostile15, found on a rescan of the
north-Baltimore clip): 11 cells going "no data" -> IV were counted as escalations, and a hazard source
whose severity an office raised 3 -> 4 while its grade stayed "no data" (its residents unknown) was in
no change at all. Now: "newly graded" / "no longer graded", and a ``hazard_severity`` row, in
``changes.parquet`` and in the report's change list.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
from shapely.geometry import Point

from urbanrisk.changes import compare_runs
from urbanrisk.grid import grid_frame
from urbanrisk.hazard_changes import GB18218_RANK, direction_of, severity_change
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.report_changes import changes_section

CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)


def _sources(grades: list[str], severities: list[int]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["h-1", "h-2"],
            "kind": ["gas", "fuel"],
            "label": ["gas station", "fuel station"],
            "name": ["A", "B"],
            "severity": severities,
            "grade": grades,
            "factors": ["f", "f"],
            "residents_exposed": [float("nan"), 120.0],
        },
        geometry=[Point(116.3317, 39.9916), Point(116.3327, 39.9920)],
        crs=4326,
    )


def _runs(tmp_path):
    cells = sorted(h3.grid_disk(CENTRE, 1))[:4]
    grades = {"old": ["no data", "I", "IV", "II"], "new": ["IV", "no data", "II", "II"]}
    for name in ("old", "new"):
        grid = grid_frame(cells).assign(
            grade=grades[name], residents=10.0, factors="x", top_hazard="", known_residents=True
        )
        (tmp_path / name).mkdir()
        grid.rename_axis("h3_cell").to_parquet(tmp_path / name / "grid.parquet")
    _sources(["no data", "III"], [3, 2]).to_parquet(tmp_path / "old" / "hazard_sources.parquet")
    _sources(["no data", "III"], [4, 2]).to_parquet(tmp_path / "new" / "hazard_sources.parquet")
    return cells


def test_a_cell_that_gains_or_loses_data_is_no_escalation_and_a_severity_raise_is_said(tmp_path):
    cells = _runs(tmp_path)
    changes = compare_runs(tmp_path / "old", tmp_path / "new", alert_grade="II")
    table = changes.table.set_index(["kind", "id"])
    assert table.loc[("cell", cells[0]), "direction"] == "newly graded"  # was "escalation"
    assert table.loc[("cell", cells[1]), "direction"] == "no longer graded"  # was "de-escalation"
    assert table.loc[("cell", cells[2]), "direction"] == "escalation"  # IV -> II: a real one
    assert ("cell", cells[3]) not in table.index
    severity = table.loc[("hazard_severity", "h-1")]
    assert (severity["old"], severity["new"], severity["direction"]) == ("3", "4", "raised")
    assert severity["explanation"] == "severity 3 -> 4 (grade no data -> no data)"
    assert ("hazard_severity", "h-2") not in table.index and ("hazard_source", "h-1") not in table.index
    assert changes.summary()["cell escalation"] == 1
    assert [a["id"] for a in changes.alerts] == [cells[2]]  # IV is under the alert grade II
    changes.table.drop(columns="geometry").to_parquet(tmp_path / "new" / "changes.parquet")
    html = changes_section(tmp_path / "new", translator("en"), "en")
    assert "<td>newly graded</td>" in html and "<td>no longer graded</td>" in html
    assert "<td>hazard_severity</td>" in html and html.count("<td>escalation</td>") == 1
    zh = changes_section(tmp_path / "new", translator("zh"), "zh")
    assert "新获评级" in zh and "危险源严重度" in zh and "newly graded" not in zh


def test_a_cell_newly_graded_at_the_alert_grade_still_alerts(tmp_path):
    """No escalation, but a grade-I cell nobody has seen graded: alerts.json lists it (old: no data)."""
    cells = _runs(tmp_path)
    grid = gpd.read_parquet(tmp_path / "new" / "grid.parquet")
    grid.loc[cells[0], "grade"] = "I"
    grid.to_parquet(tmp_path / "new" / "grid.parquet")
    changes = compare_runs(tmp_path / "old", tmp_path / "new", alert_grade="II")
    alerted = {a["id"]: a["old_grade"] for a in changes.alerts}
    assert alerted == {cells[0]: "no data", cells[2]: "IV"}


def test_directions_and_severity_by_hand():
    assert direction_of("no data", "IV") == "newly graded"
    assert direction_of("IV", "no data") == "no longer graded"
    assert direction_of("III", "I") == "escalation" and direction_of("I", "III") == "de-escalation"
    assert direction_of("", "四级", GB18218_RANK) == "escalation"  # became a major hazard source

    def source(severity, grade="no data"):
        return pd.Series({"severity": severity, "grade": grade})

    assert severity_change(source(4), source(2))["direction"] == "lowered"
    assert severity_change(source(None), source(2)) is None  # unknown on a side: no change said
    assert severity_change(source(2), source(2.0)) is None
