"""A recipe's ``true`` / ``yes`` where a number belongs is refused, never read as 1.

YAML reads ``yes``, ``on`` and ``true`` as a boolean, and pydantic reads a boolean as the number 1 in a
number field: ``thresholds: [6, 4.5, yes]`` graded with a threshold of 1.0, ``limit: yes`` timed a
fire station's reach as one minute, ``sites: true`` suggested one site. Every number of every model
(:mod:`urbanrisk.recipe.schema`'s ``_Strict``) gets the boolean as its text (``'true'``), which pydantic
then refuses as not a number, naming the key.

Examples
--------
>>> from pydantic import BaseModel
>>> class Limits(BaseModel):
...     limit: float | None = None
...     flags: list[float] = []
...     force: bool = False
>>> booleans_as_text(Limits, {"limit": True, "flags": [1, False], "force": True})
{'limit': 'true', 'flags': [1, 'false'], 'force': True}
"""

from __future__ import annotations

import types
import typing
from typing import Any


def _kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (``int | None`` -> {int, NoneType}; list[float] -> {list})."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if typing.get_origin(annotation) is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    return {annotation}


def _numeric(annotation: Any) -> bool:
    kinds = _kinds(annotation)
    return bool(kinds & {int, float}) and bool not in kinds


def _numeric_list(annotation: Any) -> bool:
    return any(
        typing.get_origin(k) is list and all(_numeric(a) for a in typing.get_args(k))
        for k in _kinds(annotation)
    )


def booleans_as_text(cls: Any, data: Any) -> Any:
    """``data`` with each boolean given to a number field (or inside a list of numbers) as its text."""
    if not isinstance(data, dict):
        return data
    fixed = dict(data)
    for name, field in getattr(cls, "model_fields", {}).items():
        value = data.get(name)
        if isinstance(value, bool) and _numeric(field.annotation):
            fixed[name] = str(value).lower()
        elif isinstance(value, list) and _numeric_list(field.annotation):
            fixed[name] = [str(v).lower() if isinstance(v, bool) else v for v in value]
    return fixed
