"""Kinds as an office writes them: 微型消防站 is no fire cover, 液化气站 / 化工厂 are hazards it knows."""

from __future__ import annotations

import pandas as pd

from urbanrisk.layers.tables import hazard_kind_table, kind_alias_table, kind_names, resource_kind_table
from urbanrisk.outputs.i18n import data_text
from urbanrisk.standards import standards_for, unserved_registry_kinds


def test_micro_fire_station_is_its_own_kind_served_by_no_standard() -> None:
    # a 微型消防站 has a few trained staff and portable kit, no engine: counting it as a 建标152 station
    # overstated fire cover (a made-up Tsinghua registry: 13,436 residents "covered" by one)
    names = kind_names(resource_kind_table(), kind_alias_table())
    assert names["微型消防站"] == "micro_fire_station"
    assert names["micro fire station"] == "micro_fire_station"
    assert {names["消防救援站"], names["小型消防站"], names["消防站"]} == {"fire_station"}
    rows = pd.DataFrame(
        {"kind": ["micro_fire_station", "fire_station"], "source": ["res:r.csv", "res:r.csv"]}
    )
    notes = unserved_registry_kinds(standards_for("cn"), rows, "cn", {})
    assert len(notes) == 1 and notes[0].startswith("resources: micro_fire_station (registry 'res')")
    zh = data_text(notes[0], "zh")
    assert "微型消防站" in zh and "micro_fire_station" not in zh and "未计入覆盖" in zh


def test_office_words_for_gas_and_chemical_sites() -> None:
    names = kind_names(hazard_kind_table(), kind_alias_table())
    assert [names[w] for w in ("液化气站", "瓶装液化气供应站", "化工厂", "化工企业")] == [
        "gas",
        "gas",
        "chemical",
        "chemical",
    ]


def test_legend_names_a_micro_fire_station_in_words() -> None:
    from urbanrisk.outputs.planner_layers import resource_key

    kinds = ["fire_station", "micro_fire_station", "ambulance"]
    assert resource_key(kinds, "zh") == "，A ambulance，M 微型消防站"
    assert resource_key(kinds, "en") == ", A ambulance, M micro fire station"
    assert resource_key(["<b>x_y</b>"], "en") == ", B &lt;b&gt;x y&lt;/b&gt;"


def test_every_stage_of_the_pipeline_has_chinese_words() -> None:
    # the run's "各阶段用时" line printed hazard_inputs and screens_free in English under processes
    import ast
    import inspect

    from urbanrisk import pipeline
    from urbanrisk.outputs.i18n import translator

    names = {
        node.value
        for node in ast.walk(ast.parse(inspect.getsource(pipeline)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.isidentifier()
        and node.value.islower()
    }
    stages = {"preflight", "layers", "area", "grid", "street_graphs", "hazard_inputs", "screens_free"}
    assert stages <= names  # the names the pipeline times, as it spells them
    zh = translator("zh")
    assert [name for name in sorted(stages) if zh(name) == name] == []


def test_a_methanol_store_gets_its_gb18218_critical_quantity() -> None:
    # a registry's 甲醇 store had no R value: the shipped excerpt lacked methanol
    from urbanrisk.screens.major_hazard import gb18218_table

    table = gb18218_table()
    assert {tuple(table.loc[n, ["substance", "q_t", "beta"]]) for n in ("甲醇", "67-56-1", "methanol")} == {
        ("methanol", 500.0, 1.0)
    }
