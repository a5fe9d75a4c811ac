"""urbanrisk: screen a city's open data for urban risk on an H3 grid.

>>> import urbanrisk as ur
>>> ur.__version__
'0.1.0'
"""

from __future__ import annotations

from ._errors import GridError, InputError, LayerError, RecipeError, RunLockedError, UrbanriskError
from ._malloc import prefer_system_arrow_pool
from ._version import __version__
from .recipe import Recipe, load_recipe

prefer_system_arrow_pool()  # before pyarrow allocates anything (none of the above loads it)

__all__ = [
    "GridError",
    "InputError",
    "LayerError",
    "Recipe",
    "RecipeError",
    "RunLockedError",
    "UrbanriskError",
    "__version__",
    "answer_incident",
    "load_recipe",
    "run_recipe",
]


def __dir__() -> list[str]:
    """Every public name, the lazy ones too: a notebook's completion offers ``ur.run_recipe``."""
    return sorted({*globals(), *__all__})


def __getattr__(name: str):  # lazy: keep `import urbanrisk` light for the CLI's validate
    if name == "run_recipe":
        from .run import run_recipe

        return run_recipe
    if name == "answer_incident":
        from .incident import answer_incident

        return answer_incident
    msg = f"module 'urbanrisk' has no attribute {name!r}"
    raise AttributeError(msg)
