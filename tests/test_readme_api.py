"""Every stage the README's "In a notebook" names as callable alone is there, under the module it
names (session 15, fresh15: ``urbanrisk.indicators.population_from_raster`` was named, and lives in
``urbanrisk.population``)."""

from __future__ import annotations

import importlib
import re

from conftest import ROOT


def _named_stages() -> list[tuple[str, str]]:
    """(module, name) of each stage in the README's sentence "Each stage is callable alone: ...":
    a bare name belongs to the last module named before it; ``*_screen`` is a pattern."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = text.split("Each stage is callable alone:")[1].split(".\n")[0]
    stages, module = [], ""
    for dotted in re.findall(r"`([\w.*]+)`", sentence):
        if "." in dotted:
            module, _, dotted = dotted.rpartition(".")
        stages.append((module, dotted))
    return stages


def test_every_stage_the_readme_names_is_callable_where_it_says():
    stages = _named_stages()
    assert len(stages) >= 10 and ("urbanrisk.siting", "greedy_sites") in stages
    for module_name, name in stages:
        module = importlib.import_module(module_name)
        if "*" in name:
            pattern = re.compile(name.replace("*", r"\w+") + "$")
            found = [n for n in dir(module) if pattern.match(n)]
            assert len(found) == 4, (module_name, name, found)  # the four screens
            assert all(callable(getattr(module, n)) for n in found)
        else:
            assert callable(getattr(module, name, None)), f"README names {module_name}.{name}"
