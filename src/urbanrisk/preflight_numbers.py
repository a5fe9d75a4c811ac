"""Preflight of the recipe's own copies of the data tables (``tables:``): each read as the run reads it,
and its numbers within the range a screening can mean (:mod:`urbanrisk.layers.table_numbers`): an
impact radius of 1e308 m, a negative safety distance or a speed of ``nan`` km/h ran silently. Light:
``urbanrisk validate`` calls it."""

from __future__ import annotations

from ._errors import LayerError
from .layers.table_numbers import LIMITS, RULES, number_problems
from .layers.tables import _read_table
from .preflight_base import Problem, local
from .recipe import Recipe
from .result import Standard


def table_problems(recipe: Recipe) -> list[Problem]:
    """Numbers out of range in the recipe's tables, and tables that cannot be read, each under its key."""
    problems: list[Problem] = []
    for key, path in recipe.tables.model_dump().items():
        file = local(path) if path else None
        if file is None or not file.is_file() or key not in RULES:
            continue  # shipped defaults; URLs and missing files are told elsewhere
        try:
            table = _read_table(file, [])
        except LayerError as exc:
            problems.append((("tables", key), str(exc)))
            continue
        problems += [(("tables", key), text) for text in number_problems(table, key, file)]
    return problems


def limit_problems(standards: list[Standard], overrides: dict[str, dict]) -> list[Problem]:
    """A standard's limit or turnout past what a screening can mean, as the overrides set it (the
    tables' own values are told by :func:`table_problems`)."""
    problems: list[Problem] = []
    for standard in standards:
        given = overrides.get(standard.name, {})
        top = LIMITS.get(standard.unit, float("inf"))
        if "limit" in given and not standard.limit <= top:
            text = f"limit {standard.limit:g} {standard.unit} is past {top:,.0f} {standard.unit}: fix it"
            problems.append((("coverage", "overrides", standard.name, "limit"), text))
        if "turnout_s" in given and not standard.turnout_s <= 3600:
            text = f"turnout_s {standard.turnout_s:g} is more than an hour (3,600 s): fix it"
            problems.append((("coverage", "overrides", standard.name, "turnout_s"), text))
    return problems
