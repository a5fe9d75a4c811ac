"""Preflight of a ``population_table`` layer (人口统计表): its header (the key and count columns, a
count column in 万 holding plain numbers) and its join to the units' polygons (rows naming no unit,
names of two units). Light: ``urbanrisk validate`` calls it (no dask, geopandas or shapely)."""

from __future__ import annotations

from typing import Any

from ._errors import LayerError
from .layers.census import join_problem, read_census, unit_lookup, units_words
from .layers.unit_levels import level_rows
from .preflight_base import Problem, local
from .preflight_units import polygons_problems
from .recipe import Recipe


def census_problems(name: str, spec: Any, recipe: Recipe) -> list[Problem]:
    """The table's problems, keyed to the recipe key to fix (``key_column``, ``count_column``, ``units``)."""
    path = local(spec.path)
    if path is None or not path.is_file():
        return []
    try:
        table = read_census(
            path,
            key_column=spec.key_column,
            count_column=spec.count_column,
            layer=name,
            sheet=spec.sheet,
            encoding=spec.encoding,
        )
    except LayerError as exc:
        text = str(exc).removeprefix(f"layer '{name}': ")
        keys = [k for k in ("key_column", "count_column") if f"`{k}:`" in text]
        key = keys[0] if keys else "count_column" if "in 万 (10,000s)" in text else "path"
        return [(("layers", name, key), text)]
    own = not isinstance(spec.units, str)  # its own polygon file
    units = spec.units if own else recipe.layers.get(spec.units)
    units_path = local(units.path) if own or (units is not None and units.type == "polygons") else None
    if units_path is None or not units_path.is_file():
        return []  # not a polygons layer: told by the recipe's checks
    try:  # the units' header (id and name columns...) first, as a polygons layer's
        header = polygons_problems(name, units)
    except LayerError:
        return []  # the file cannot be read: the run says why
    if header:  # a polygons layer's are told for that layer
        return [(("layers", name, "units", *key[2:]), text) for key, text in header] if own else []
    try:
        layer = name if own else spec.units
        pairs = level_rows(units_path, units.id_column, units.name_column, units, layer=layer)  # its level's
    except LayerError:
        return []  # the units' own checks tell it
    if pairs is None:
        return []  # a format only the run reads
    lookup, twice = unit_lookup(pairs, spec.join)
    problem = join_problem(table, lookup, twice, units=units_words(spec.units), join=spec.join)
    return [(("layers", name, "key_column"), f"{spec.path}: {problem}")] if problem else []
