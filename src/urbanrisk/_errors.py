"""urbanrisk's exceptions: a small hierarchy on standard exceptions.

Every error that bad input can cause derives from :class:`InputError`, which the CLI maps to exit
code 2; anything else is an internal error (exit code 1).
"""

from __future__ import annotations


class UrbanriskError(Exception):
    """Base class of every error urbanrisk raises on purpose."""


class InputError(UrbanriskError, ValueError):
    """Bad input: a recipe, a layer file or a request that cannot be honoured (exit code 2)."""


class RecipeError(InputError):
    """A recipe that does not validate; the message lists every problem with its YAML line."""

    def __init__(self, message: str, problems: list[str] | None = None, *, recipe: object = None) -> None:
        super().__init__(message)
        self.problems = problems or []
        #: the recipe as validated when only its files are wrong (missing...), for the layers' checks
        self.recipe = recipe


class LayerError(InputError):
    """A layer file that cannot be read or holds data that makes no sense (no CRS, swapped axes...)."""


class LayerProblemsError(RecipeError, LayerError):
    """Every problem the layers' files show before anything is loaded, listed at once with recipe lines.

    ``urbanrisk validate`` and every run raise it (:func:`urbanrisk.preflight.check_layers`): a
    :class:`RecipeError` in its format, and a :class:`LayerError` for callers that catch those.
    """


class GridError(InputError):
    """A grid request that is impossible or absurd (e.g. resolution 15 over a whole city)."""


class RunLockedError(UrbanriskError):
    """Another run of the same recipe holds the lock."""


def require_regular_file(path: object, layer: str) -> None:
    """Refuse a layer's local path that is missing or no regular file: a folder, a device, or a named
    pipe (FIFO), which GDAL and pandas would wait on forever.

    Examples
    --------
    >>> try:
    ...     require_regular_file("/dev/null", "stations")
    ... except LayerError as exc:
    ...     print(str(exc)[:56])
    layer 'stations': /dev/null is not a regular file (a fol
    """
    import os

    text = os.fspath(path)  # type: ignore[arg-type]
    if "://" in text or os.path.isfile(text):
        return
    if not os.path.exists(text):
        raise LayerError(f"layer '{layer}': file not found: {text}")
    msg = f"layer '{layer}': {text} is not a regular file (a folder, a pipe or a device?): give a file's path"
    raise LayerError(msg)
