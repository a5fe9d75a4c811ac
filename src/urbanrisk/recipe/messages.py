"""Recipe messages: where a key stands in the YAML text, and what to say about a wrong one.

Every message names the file, the line and the key, says what is wrong and how to fix it. YAML is
read with the safe loader and within bounds (size, nesting, alias expansion): a recipe from someone
else is safe to open.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

import yaml
from pydantic import BaseModel

from .._errors import RecipeError
from .schema import (
    LAYER_MODELS,
    LAYER_TYPES,
    SEVERITY_HINT,
    AreaSpec,
    ComputeSpec,
    CoverageSpec,
    GradingSpecModel,
    GridSpec,
    KeyDistrictsSpec,
    OutputsSpec,
    Recipe,
    ReportSpec,
    ScreensSpec,
    SeveritySpec,
    TablesSpec,
    UrbanVillagesSpec,
    WeightsSpec,
)
from .yaml_numbers import number_problem

#: Bounds on a recipe document: bytes, nesting depth, and nodes visited with aliases expanded
#: (a 456-byte "billion laughs" recipe expands to billions of nodes). A real recipe holds a few KB; a
#: 1 MB one of 70,000 keys took PyYAML over a minute on a loaded machine before it was refused.
MAX_RECIPE_BYTES = 100_000
MAX_DEPTH = 32
MAX_NODES = 100_000


def flow_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in a YAML text (quoted text and comments skipped; roughly).

    PyYAML's scanner takes time in the square of that depth (``[[[[...`` 5,000 deep: 8 s before its
    parser overflows the stack), so a recipe deeper than :data:`MAX_DEPTH` is refused before parsing.

    >>> flow_depth("a: [[1], {b: '[[['}]  # [[[["), flow_depth("[" * 5000)
    (2, 5000)
    """
    depth = deepest = 0
    for match in re.finditer(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*|[\[\]{}]", text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth = max(depth - 1, 0)
    return deepest


def read_text(data: bytes, source: str) -> str:
    """A recipe's text: UTF-8 (with or without BOM) or UTF-16 with its BOM; else a clear error."""
    if len(data) > MAX_RECIPE_BYTES:
        msg = f"{source}: the recipe is {len(data):,} bytes; a recipe is a small YAML file (< 100 KB)"
        raise RecipeError(msg, [msg])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = (
            f"{source}: the recipe is not UTF-8 (byte {exc.start} cannot be read): save it as UTF-8 "
            "(e.g. iconv -f GBK -t UTF-8 recipe.yaml > recipe-utf8.yaml)"
        )
        raise RecipeError(msg, [msg]) from exc


#: Tags of a mapping key that reads as a name (a string) or YAML's merge key ``<<``.
_NAME_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge")
_KEY_KINDS = {
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "null": "null",
    "timestamp": "a date",
}


def _not_a_name(key_node: yaml.Node, path: tuple[Any, ...], source: str) -> RecipeError:
    """A mapping key YAML reads as a number, true/false, null, a date, a list or a mapping: every key
    of a recipe is a name (a layer's, a standard's...); its fix is quotes, or one name."""
    line = key_node.start_mark.line + 1
    where = f"{'.'.join(map(str, path))}: " if path else ""
    if isinstance(key_node, yaml.ScalarNode):
        kind = _KEY_KINDS.get(key_node.tag.rsplit(":", 1)[-1], "a value other than a name")
        text = key_node.value[:80]
        fix = f"put it in quotes ('{text}')"
        msg = f"{source}:{line}: {where}the key '{text}' reads as {kind}, not as a name: {fix}"
    else:
        msg = f"{source}:{line}: {where}a key written as a list or a mapping: a key is a name; write one name"
    return RecipeError(msg, [msg])


def line_index(
    text: str,
    source: str = "<recipe>",
    duplicates: list[tuple[tuple[Any, ...], int, int]] | None = None,
    numbers: list[tuple[tuple[Any, ...], str]] | None = None,
) -> dict[tuple[Any, ...], int]:
    """Map every key path in a YAML document to its 1-based line number, within the bounds.

    ``duplicates``, when given, receives each key written twice in one mapping as (key path, first
    line, line again): YAML keeps the last silently (a second ``hazards:`` layer dropped the first).
    ``numbers``, when given, receives (key path, what to say) of each unquoted number YAML 1.1 reads as
    another than it looks (:func:`.yaml_numbers.number_problem`: ``1:30`` as 90), an alias's once.

    Raises
    ------
    RecipeError
        When the document nests deeper than :data:`MAX_DEPTH` or expands (aliases included) to
        more than :data:`MAX_NODES` nodes.
    yaml.YAMLError
        When the text is not YAML.
    """
    lines: dict[tuple[Any, ...], int] = {}
    visited = 0
    numbered: set[int] = set()  # the number nodes looked at (an alias's node is walked again)

    def too_big(what: str, line: int) -> RecipeError:
        msg = f"{source}:{line}: the recipe {what}: write the values out (no alias bombs, no deep nesting)"
        return RecipeError(msg, [msg])

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        nonlocal visited
        visited += 1
        line = node.start_mark.line + 1
        if visited > MAX_NODES:
            raise too_big(f"expands to more than {MAX_NODES:,} values", line)
        if len(path) > MAX_DEPTH:
            raise too_big(f"nests deeper than {MAX_DEPTH} levels", line)
        lines.setdefault(path, line)
        if numbers is not None and isinstance(node, yaml.ScalarNode) and id(node) not in numbered:
            numbered.add(id(node))
            if (said := number_problem(node)) is not None:
                numbers.append((path, said))
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag not in _NAME_TAGS:  # `1:`, `yes:`, `~:`, `? [a, b]`: a traceback later
                    raise _not_a_name(key_node, path, source)
                key = key_node.value
                again = key_node.start_mark.line + 1
                if duplicates is not None and key in seen and key != "<<":
                    duplicates.append(((*path, key), seen[key], again))
                seen.setdefault(key, again)
                lines[(*path, key)] = key_node.start_mark.line + 1
                walk(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def locate(loc: tuple[Any, ...], raw: Any) -> tuple[Any, ...]:
    """Turn a pydantic error location into the key path of the YAML document.

    Pydantic puts the discriminator value into the location of a tagged union member
    (``layers.osm.osm.path``); drop location parts that are not keys of the document.
    """
    path: list[Any] = []
    node = raw
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, dict | list):
            break
        elif isinstance(node, dict) and part == node.get("type"):
            continue  # the union tag of a layer-level error: the layer itself is the place
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and part != loc[-1]:
            continue  # a union tag
        else:
            path.append(part)
            break
    return tuple(path)


def suggest(word: str, choices: list[str]) -> str:
    """'did you mean ...?' for a close choice, else the list of valid choices."""
    choices = [c for c in choices if c != "source_path"]
    close = [c for c in choices if len(word) >= 4 and c.startswith(word[:4])]
    close = close or difflib.get_close_matches(str(word), choices, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid keys: " + ", ".join(choices)


def describe(err: dict[str, Any], path: tuple[Any, ...], raw: Any) -> str:
    """A message for one pydantic error that says what is wrong and how to fix it."""
    kind = err["type"]
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        hint = suggest(str(key), allowed_keys(path, raw))
        if len(path) == 1 and not hint.startswith("did you mean"):  # a top-level key for anchors only
            hint += f" (a key that only holds YAML anchors starts with x-: x-{key}: &{key} ...)"
        return f"unknown key '{key}': {hint}"
    if kind == "missing" and key == "order" and len(path) > 1 and path[-2] == "severity":
        return f"missing key 'order': say which end of the severity scale is the most severe: {SEVERITY_HINT}"
    if kind == "literal_error" and key == "order":
        return f"unknown order {err.get('input')!r}: {SEVERITY_HINT}"
    if kind == "missing":
        return f"missing key '{key}': add it (see recipes/beijing-wudaokou.yaml for an example)"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = err.get("input", {}).get("type") if isinstance(err.get("input"), dict) else None
        if given is None and str(key).startswith("x-"):  # "add type:" would make the anchor a layer
            anchor = "an anchor goes at the top level ({anchor}: &... before layers:), not among the layers"
            return "layer without 'type': " + anchor.format(anchor=key)
        if given is None:
            return f"layer without 'type': add type: one of {', '.join(LAYER_TYPES)}"
        close = difflib.get_close_matches(str(given), LAYER_TYPES, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(LAYER_TYPES)}"
        return f"unknown layer type '{given}': {hint}"
    if (
        path
        and path[-1] == "resolution"
        and kind in ("greater_than_equal", "less_than_equal", "int_parsing", "int_type", "int_from_float")
    ):
        return (
            f"bad H3 resolution {err.get('input')!r}: use a whole number from 0 to 15 "
            "(9 ≈ 0.1 km² cells, 10 ≈ 0.015 km², the usual choice for a district)"
        )
    if kind == "string_pattern_mismatch" and path == ("name",):
        return (
            f"bad name {err.get('input')!r}: ASCII letters, digits, '_', '.' and '-', starting with a letter "
            "or digit (it names the output folder), e.g. name: beijing-wudaokou; Chinese goes in title:"
        )
    if kind in ("model_type", "dict_type"):  # "a valid dictionary or instance of AreaSpec": not for people
        keys = allowed_keys((*path, ""), raw)
        listed = f" with keys such as {', '.join(keys)}" if keys else ""
        if path == ("layers",):
            listed = " of layer names to layers (osm: {type: osm, path: city.osm.pbf})"
        return f"should be a mapping (key: value){listed}, not {err.get('input')!r}"
    if kind == "string_type" and (text := _not_text(err.get("input"))):
        return text
    text = err["msg"]
    text = text.removeprefix("Value error, ")
    return f"{text} (got {_shown(err.get('input'))})" if kind not in ("value_error",) else text


def _shown(value: Any, most: int = 60) -> str:
    """``value`` as the recipe's reader shows it, cut to ``most`` characters (an integer of 400 digits was
    written out whole).

    >>> _shown(10**400)
    '1000000000000000000000000000000000000000000000000000000000… (401 characters)'
    """
    shown = repr(value)
    return shown if len(shown) <= most else f"{shown[: most - 2]}… ({len(shown):,} characters)"


def _not_text(value: Any) -> str | None:
    """What to say of a value YAML read as a number, true/false or a date where text belongs (a column
    named ``2020``, a title ``2024-01-01``): pydantic said "Input should be a valid string (got
    datetime.date(2024, 1, 1))", with no fix.

    >>> _not_text(2020), _not_text("x")
    ('2020 reads as a number, not as text: put it in quotes', None)
    >>> _not_text(dt.date(2024, 1, 5))
    '2024-01-05 reads as a date, not as text: put it in quotes'
    """
    if isinstance(value, bool):
        shown, what = str(value).lower(), "true/false"
    elif isinstance(value, int | float):
        shown, what = str(value), "a number"
    elif isinstance(value, dt.date):
        shown, what = value.isoformat(), "a date"
    else:
        return None
    return f"{shown} reads as {what}, not as text: put it in quotes"


def format_problem(source: str, line: int | None, path: tuple[Any, ...], message: str) -> str:
    """One problem as ``file:line: key.path: message``."""
    where = ".".join(str(p) for p in path) or "(top level)"
    return f"{source}:{line if line is not None else '?'}: {where}: {message}"


#: The model of each mapping of a recipe, by its key path (for "did you mean" hints).
SECTION_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): Recipe,
    ("area",): AreaSpec,
    ("grid",): GridSpec,
    ("outputs",): OutputsSpec,
    ("compute",): ComputeSpec,
    ("tables",): TablesSpec,
    ("grading",): GradingSpecModel,
    ("grading", "weights"): WeightsSpec,
    ("screens",): ScreensSpec,
    ("screens", "key_districts"): KeyDistrictsSpec,
    ("screens", "urban_villages"): UrbanVillagesSpec,
    ("coverage",): CoverageSpec,
    ("report",): ReportSpec,
}


def allowed_keys(path: tuple[Any, ...], raw: Any) -> list[str]:
    """The valid keys of the mapping that holds the key at ``path`` (for 'did you mean' hints)."""
    parent = path[:-1]
    if parent in SECTION_MODELS:
        return list(SECTION_MODELS[parent].model_fields)
    if len(parent) == 3 and parent[0] == "layers" and parent[2] == "severity":
        return list(SeveritySpec.model_fields)
    if len(parent) == 2 and parent[0] == "layers":
        layer = raw.get("layers", {}).get(parent[1], {}) if isinstance(raw, dict) else {}
        model = LAYER_MODELS.get(layer.get("type")) if isinstance(layer, dict) else None
        if model is not None:
            return list(model.model_fields)
    return []
