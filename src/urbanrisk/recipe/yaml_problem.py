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

import re
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


#: a key followed by a full-width colon, at a line's start or in a flow mapping (grid：{, {resolution：9)
_WIDE_COLON = re.compile(r"(?:^[ \t]*(?:- )?|[{][ \t]*|, )([A-Za-z_][\w-]*)[ \t]*：")
_BINARY = re.compile(r"(?:^|[\s:\[{,])!!binary\b|<tag:yaml\.org,2002:binary>")
_KEYED = re.compile(r"- |[A-Za-z_][\w-]*[ \t]*[:：]")
_WIDE_SPACES = {"\u3000": "a full-width space (U+3000)", "\u00a0": "a no-break space (U+00A0)"}


def typed_by_input_method(text: str) -> tuple[int, str] | None:
    """The first line of ``text`` indented with a full-width or no-break space, or whose key is followed by
    a full-width colon (a Chinese input method left on), and what to say of it; None when there is none.
    YAML read such a line as another key ('\\u3000\\u3000pop', 'grid：{resolution') or failed a line later.

    >>> typed_by_input_method("name: r\\ngrid：{resolution: 9}\\n")[0]
    2
    >>> typed_by_input_method("bbox: [a, b：c]\\n") is None
    True
    >>> typed_by_input_method("title: |\\n  \\u3000\\u3000北京：海淀\\nlayers:\\n  a: 1\\n") is None
    True
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip(" \t\u3000\u00a0").startswith("#"):
            continue
        indent = line[: len(line) - len(line.lstrip(" \t\u3000\u00a0"))]
        keyed = _KEYED.match(line[len(indent) :]) is not None  # not a paragraph of a block of text
        for space, name in _WIDE_SPACES.items():
            if keyed and space in indent:
                return number, (
                    f"the line is indented with {name}, which YAML does not read as indentation (typed by "
                    "an input method?): indent with ordinary spaces"
                )
        for found in _WIDE_COLON.finditer(line):
            before = line[: found.start() + 1]
            if found.start() and before.rfind("{") <= before.rfind("["):  # in a list: a value's text
                continue
            key = found.group(1)
            return number, (
                f"'{key}' is followed by a full-width colon '：' (typed by a Chinese input method), which "
                f"YAML does not read as a colon: write '{key}: ' (an ordinary colon and a space)"
            )
    return None


def binary_tag(text: str) -> tuple[int, str] | None:
    """The first line of ``text`` tagging a value ``!!binary`` and what to say of it, or None: safe_load gives
    bytes, which the recipe's checks read as text (``path: !!binary aGVsbG8=`` was the path 'hello').

    >>> binary_tag("name: r\\npath: !!binary aGVsbG8=\\n")[0]
    2
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("#") and _BINARY.search(line):
            return number, f"a value tagged !!binary (bytes, not text): {TAG_FIX}"
    return None
