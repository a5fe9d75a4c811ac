"""Recipes: the schema (:mod:`.schema`), the messages for wrong ones (:mod:`.messages`) and loading
(:mod:`.load`). Importing this package loads pydantic and PyYAML only: ``urbanrisk validate`` stays
light.
"""

from __future__ import annotations

from .load import load_recipe, recipe_from_text
from .schema import (
    LAYER_MODELS,
    LAYER_TYPES,
    GradingSpecModel,
    Recipe,
    WeightsSpec,
)

__all__ = [
    "LAYER_MODELS",
    "LAYER_TYPES",
    "GradingSpecModel",
    "Recipe",
    "WeightsSpec",
    "load_recipe",
    "recipe_from_text",
]
