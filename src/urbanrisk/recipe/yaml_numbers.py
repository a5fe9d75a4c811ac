"""YAML 1.1's surprising numbers in a recipe are refused, never read as what YAML made of them.

PyYAML follows YAML 1.1: an unquoted ``1:30`` is 90 (base 60), ``010`` is 8 (octal). Nobody writing a
recipe means these: ``limit: 1:30`` timed a fire station's reach as 90 minutes, ``min_residents: 010``
counted 8. Every such plain scalar is found with its key and line, all at once, with the fix: the
number written out, or the text quoted. Underscores between digits (``1_000``) read as Python reads
them (1000) and pass; ``07`` reads 7 either way and passes; hexadecimal ``0x1A`` says what it is.

Each plain scalar is looked at as :func:`.messages.line_index` walks the recipe (its key and line
known there), all problems reported at once.

Examples
--------
>>> import yaml
>>> number_problem(yaml.compose("1:30"))[:70]
"'1:30' is read by YAML as the number 90 (YAML 1.1 reads it in base 60)"
>>> number_problem(yaml.compose("010"))[:54]
"'010' is read by YAML as the number 8 (octal: YAML 1.1"
>>> number_problem(yaml.compose("'1:30'")), number_problem(yaml.compose("1_000"))
(None, None)
"""

from __future__ import annotations

import re

import yaml

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_OCTAL = re.compile(r"[-+]?0[0-7_]+")


def _problem(text: str) -> str | None:
    """What to say of one plain number scalar as YAML 1.1 reads it, or None when it reads as written."""
    stripped = text.lstrip("+-")
    if stripped.lower().startswith(("0x", "0b")) or stripped.lower() in {".inf", ".nan"}:
        return None  # hexadecimal and binary say what they are; .inf/.nan are refused by the schema
    value = yaml.safe_load(text)
    if ":" in text:
        return (
            f"'{text}' is read by YAML as the number {value:g} (YAML 1.1 reads it in base 60): write the "
            f"number you mean ({value:g}?), or quote it ('{text}') if it is text"
        )
    sign = text[0] if text[0] in "+-" else ""
    decimal = sign + (stripped.replace("_", "").lstrip("0") or "0")
    if _OCTAL.fullmatch(text) and int(decimal) != value:
        return (
            f"'{text}' is read by YAML as the number {value} (octal: YAML 1.1 reads a leading 0 so): write "
            f"{decimal} if you mean that, or quote it ('{text}') if it is text (a code keeps its zeros only "
            "quoted)"
        )
    return None


def number_problem(node: yaml.Node) -> str | None:
    """What to say of a node that is an unquoted number YAML 1.1 reads as another than it looks, or None."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None or node.tag not in _NUMBER_TAGS:
        return None
    return _problem(node.value)
