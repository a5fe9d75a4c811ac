"""What a recipe PyYAML cannot parse says: the line, the problem on one line, and the fix for it
(:func:`urbanrisk.recipe.load.load_recipe`).

Hostile input round 12 (office18): a NUL or another control character was told as ``r.yaml:?`` with
PyYAML's two-line problem (``... not allowed\\n  in "<unicode string>", position 7``), which the Chinese
catalogue could not match; a tab indenting a line or following a colon said "check indentation and
quoting" where the fix is to type spaces; a tag's fix had no Chinese.

Examples
--------
>>> import yaml
>>> try:
...     yaml.safe_load("name: r\\n\\tgrid: 9\\n")
... except yaml.YAMLError as exc:
...     yaml_problem(exc, "name: r\\n\\tgrid: 9\\n")
(2, "found character '\\\\t' that cannot start any token", 'YAML indents and separates with spaces only: \
replace the tab with spaces')
"""

from __future__ import annotations

from typing import Any

TAB_FIX = "YAML indents and separates with spaces only: replace the tab with spaces"
TAG_FIX = "remove the tag: a recipe holds plain values, and nothing in it is ever executed"
CHARACTER_FIX = "delete the character (a control character no editor shows: saved by another program?)"


def yaml_problem(exc: Exception, text: str) -> tuple[int | None, str, str]:
    """The line (from 1; None when PyYAML gives none), the problem on one line and the fix of ``exc``, a
    YAMLError raised parsing ``text``."""
    position = getattr(exc, "position", None)  # a ReaderError: a character YAML refuses
    if isinstance(position, int) and getattr(exc, "character", None) is not None:
        character: Any = exc.character  # type: ignore[attr-defined]
        code = character if isinstance(character, int) else ord(character)
        line = text.count("\n", 0, position) + 1
        return line, f"the character U+{code:04X} is not allowed in YAML", CHARACTER_FIX
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())
    fix = "check indentation and quoting"
    if "could not determine a constructor for the tag" in problem:  # !!python/object... or any tag
        fix = TAG_FIX
    elif "'\\t'" in problem:
        fix = TAB_FIX
    return line, problem, fix
