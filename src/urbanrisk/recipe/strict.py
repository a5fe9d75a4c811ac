"""The base of every recipe model: unknown keys refused, frozen, a layer's ``crs: GCJ-02`` read as
``coords: gcj02`` and YAML's yes / true refused where a number belongs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from .bool_numbers import booleans_as_text
from .datum import crs_as_coords


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    _datum_crs = model_validator(mode="before")(crs_as_coords)  # a layer's crs: GCJ-02 -> coords: gcj02
    _not_bool = model_validator(mode="before")(booleans_as_text)  # YAML's yes / true in a number: refused
