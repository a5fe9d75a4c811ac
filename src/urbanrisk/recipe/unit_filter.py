"""Which features of a unit file a polygons layer takes: ``level_column`` and ``level_value`` (区, 街道
and 社区 in one file, told apart by a column such as 层级; :mod:`urbanrisk.layers.unit_levels`)."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator

from .strict import Strict as _Strict

#: A polygons layer's ``level:`` (Chinese or English) -> the canonical level, coarsest first.
UNIT_LEVELS = {
    "district": "district",
    "区": "district",
    "street": "street",
    "街道": "street",
    "community": "community",
    "社区": "community",
    "grid": "grid",
    "网格": "grid",
}


class LevelFilter(_Strict):
    """The features whose ``level_column`` reads ``level_value`` (one word, or a list: [街道, 镇]);
    without both, every feature of the file."""

    level_column: str | None = None
    level_value: str | list[str] | None = None

    @field_validator("level_value", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # a level written as a number (层级: 2)
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _both_or_neither(self) -> LevelFilter:
        column, values = self.level_column, self.level_values
        if column is not None and not values:
            msg = (
                f"level_column '{column}' needs level_value: the value of '{column}' this layer takes "
                "(e.g. level_value: 街道, or a list: [街道, 镇])"
            )
            raise ValueError(msg)
        if values and column is None:
            msg = (
                f"level_value {self.level_value!r} needs level_column: the file's column that tells a "
                "unit's level (e.g. level_column: 层级)"
            )
            raise ValueError(msg)
        if (column is not None and not str(column).strip()) or any(not v.strip() for v in values):
            msg = "level_column and level_value name a column and its values: remove the empty one"
            raise ValueError(msg)
        levels = sorted({UNIT_LEVELS[v.strip().lower()] for v in values if v.strip().lower() in UNIT_LEVELS})
        if len(levels) > 1:  # [区, 街道]: two registers' units in one layer, each cell to whichever
            msg = (
                f"level_value {self.level_value!r} names units of several levels ({', '.join(levels)}): a "
                "layer takes one level; give each level its own polygons layer on the same file"
            )
            raise ValueError(msg)
        named = self.level_from_values()
        level = getattr(self, "level", None)  # a polygons layer's (a census table's own units have none)
        if named is not None and level is not None and named != level:
            msg = (
                f"level_value {self.level_value!r} names {named} units but level is {level}: "
                f"set level: {named}, or the level_value of {level} units"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="before")
    @classmethod
    def _level_named(cls, data: Any) -> Any:
        """No ``level:`` beside ``level_value: 街道``: the layer is the street register."""
        if not isinstance(data, dict) or "level" not in cls.model_fields or data.get("level") is not None:
            return data
        value = data.get("level_value")
        values = value if isinstance(value, list) else [value]
        levels = {UNIT_LEVELS.get(str(v).strip().lower()) for v in values if v is not None}
        if len(levels) == 1 and None not in levels:
            return {**data, "level": levels.pop()}
        return data

    @property
    def level_values(self) -> list[str]:
        """``level_value`` as a list ([] when not given)."""
        value = self.level_value
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    def level_from_values(self) -> str | None:
        """The canonical level the values name (街道 -> street), when they all name one; else None."""
        levels = {UNIT_LEVELS.get(v.strip().lower()) for v in self.level_values}
        return next(iter(levels)) if len(levels) == 1 and None not in levels else None
