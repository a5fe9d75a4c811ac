"""A batch (``urbanrisk run a.yaml b.yaml``) says each run's warnings, as a single run does (session
15, fresh15): before, it printed each run folder and nothing else, so the README's "the CLI, report
and manifest warn when the buildings look incomplete" held for one recipe and not for two."""

from __future__ import annotations

import json
import sys

from conftest import BUPT_OSM, write_recipe
from urbanrisk.cli import main


def _bupt(folder, language: str):
    return write_recipe(
        folder,
        {
            "name": f"bupt-{language}",
            "area": {"layer": "osm"},
            "grid": {"resolution": 9},
            "layers": {"osm": {"type": "osm", "path": str(BUPT_OSM)}},
            "report": {"language": language},
            "outputs": {"dir": str(folder / "out")},
        },
    )


def test_a_batch_prints_each_runs_warnings(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["urbanrisk"])
    recipes = [_bupt(tmp_path / "a", "en"), _bupt(tmp_path / "b", "en")]
    assert main(["run", *map(str, recipes), "--scheduler", "synchronous"]) == 0
    printed = capsys.readouterr().out
    for recipe in recipes:
        manifest = json.loads(
            (recipe.parent / "out" / "latest" / "manifest.json").read_text(encoding="utf-8")
        )
        assert manifest["warnings"]  # no fire station, no shelter in the extract: both standards skipped
        block = printed.split(f"{recipe}: run folder")[1].split("run folder")[0]
        for warning in manifest["warnings"]:
            assert f"WARNING: {warning}" in block


def test_a_chinese_batch_words_them_in_chinese(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["urbanrisk"])
    recipes = [_bupt(tmp_path / "a", "zh"), _bupt(tmp_path / "b", "zh")]
    assert main(["run", *map(str, recipes), "--scheduler", "synchronous"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("警告：") >= 4 and "WARNING" not in printed  # two skipped standards a run
