"""Load a recipe: read YAML safely and within bounds, validate it, report every problem at once.

A recipe says which layers to combine, over which area, at which H3 resolution, and where to write
the run. Relative paths resolve against the folder that holds the recipe. Validation never stops at
the first problem: :func:`load_recipe` raises one :class:`~urbanrisk.RecipeError` whose message lists
every wrong key with its YAML line and how to fix it.

Examples
--------
>>> text = '''
... name: demo
... area: {bbox: [116.30, 39.99, 116.33, 40.01]}
... grid: {resolution: 9}
... layers: {}
... outputs: {dir: out}
... '''
>>> recipe_from_text(text, base_dir=Path("/tmp")).grid.resolution
9
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .._errors import RecipeError
from .messages import MAX_DEPTH, describe, flow_depth, format_problem, line_index, locate, read_text, suggest
from .paths import (
    EMPTY_DIR,
    input_path_problem,
    out_dir_problem,
    publish_inside_out,
    publish_problem,
    unusable_path,
)
from .paths import full_path as _full_path
from .schema import POPULATION_TYPES, Recipe
from .store_check import store_problem
from .yaml_problem import binary_tag, typed_by_input_method, yaml_problem

Problem = tuple[tuple[Any, ...], str]  # (key path in the document, message)


def _missing_file(key: tuple[Any, ...], value: Any, base_dir: Path) -> list[Problem]:
    """A local path that does not exist (fsspec URLs are checked when read)."""
    if not isinstance(value, str) or "://" in value:
        return []
    if problem := input_path_problem(value):
        return [(key, problem)]
    full = _full_path(base_dir, value)
    if full.exists():
        return []
    if full.is_symlink():
        return [(key, f"{full} is a symbolic link in a loop (it leads back to itself): fix the link")]
    fix = f"fix the path; relative paths resolve against the recipe's folder ({base_dir})"
    if value != value.strip() and _full_path(base_dir, value.strip()).exists():  # "city.tif " in quotes
        fix = f"the path begins or ends with a space, and '{value.strip()}' exists: delete the space"
    message = (
        f"file not found: '{full}' — {fix}" if value != value.strip() else f"file not found: {full} — {fix}"
    )
    return [(key, message)]


def _layer_problems(layers: dict[str, Any], base_dir: Path) -> list[Problem]:
    """Missing layer files, population layers whose source is not an OSM layer, two population layers."""
    problems: list[Problem] = []
    osm_names = [n for n, s in layers.items() if isinstance(s, dict) and s.get("type") == "osm"]
    for name, spec in layers.items():
        if not isinstance(spec, dict):
            continue
        if "path" in spec:
            problems += _missing_file(("layers", name, "path"), spec["path"], base_dir)
        if spec.get("type") == "population_from_buildings" and "source" in spec:
            source = spec["source"]
            if source not in osm_names:
                hint = f"use one of: {', '.join(osm_names)}" if osm_names else "add an osm layer"
                message = f"source '{source}' is not an osm layer of this recipe: {hint}"
                problems.append((("layers", name, "source"), message))
    problems += _census_problems(layers, base_dir) + _twice_read(layers, base_dir)
    populations = [n for n, s in layers.items() if isinstance(s, dict) and s.get("type") in POPULATION_TYPES]
    if any(layers[n].get("type") == "population_table" for n in populations):  # a raster: its fallback
        populations = [n for n in populations if layers[n].get("type") != "raster"]
    if len(populations) > 1:
        names = ", ".join(populations)
        message = f"two population layers ({names}): keep one (a raster or population_from_buildings)"
        problems.append((("layers", populations[1]), message))
    return problems


def _twice_read(layers: dict[str, Any], base_dir: Path) -> list[Problem]:
    """Two registry layers reading the same rows (file, sheet or layer, role, kind), or two OSM layers
    the same extract: each hazard, resource or building counted twice, silently (the residents from
    buildings doubled); an anchor written inside ``layers:`` (``x-base: &base {...}``) was such a layer."""
    seen: dict[tuple[Any, ...], str] = {}
    problems: list[Problem] = []
    for name, spec in layers.items():
        if not isinstance(spec, dict) or spec.get("type") not in ("points", "osm"):
            continue
        if not isinstance(spec.get("path"), str):
            continue
        where = _full_path(base_dir, spec["path"]) if "://" not in spec["path"] else spec["path"]
        rows = (str(where), *(str(spec.get(k)) for k in ("type", "sheet", "file_layer", "role", "kind")))
        if rows in seen:
            anchor = next((n for n in (seen[rows], name) if str(n).startswith("x-")), None)
            fix = (
                f"an anchor goes at the top level ({anchor}: &... before layers:), not among the layers"
                if anchor
                else "keep one"
            )
            message = f"layers '{seen[rows]}' and '{name}' read the same rows: each would count twice: {fix}"
            problems.append((("layers", name), message))
        seen.setdefault(rows, name)
    return problems


def _census_problems(layers: dict[str, Any], base_dir: Path) -> list[Problem]:
    """A population_table whose ``units`` is not a polygons layer of the recipe, or a missing file."""
    polygons = [n for n, s in layers.items() if isinstance(s, dict) and s.get("type") == "polygons"]
    problems: list[Problem] = []
    for name, spec in layers.items():
        if not isinstance(spec, dict) or spec.get("type") != "population_table" or "units" not in spec:
            continue
        if isinstance(spec["units"], dict) and "path" in spec["units"]:  # its own polygon file
            problems += _missing_file(("layers", name, "units", "path"), spec["units"]["path"], base_dir)
        elif spec["units"] not in polygons:
            hint = f"use one of: {', '.join(polygons)}" if polygons else "add the units as a polygons layer"
            message = f"units '{spec['units']}' is not a polygons layer of this recipe: {hint}"
            problems.append((("layers", name, "units"), message))
    return problems


def _file_problems(raw: dict[str, Any], base_dir: Path) -> list[Problem]:
    """Missing files and dangling layer references, checked on the raw document."""
    layers = raw.get("layers") if isinstance(raw.get("layers"), dict) else {}
    problems = _layer_problems(layers, base_dir)
    area = raw.get("area")
    if isinstance(area, dict):
        if isinstance(area.get("layer"), str) and area["layer"] not in layers:
            message = (
                f"area names layer '{area['layer']}', which the recipe does not "
                f"define: {suggest(area['layer'], list(layers))}"
            )
            problems.append((("area", "layer"), message))
        if "path" in area:
            problems += _missing_file(("area", "path"), area["path"], base_dir)
    tables = raw.get("tables")
    if isinstance(tables, dict):
        for key, value in tables.items():
            problems += _missing_file(("tables", key), value, base_dir)
    outputs = raw.get("outputs")
    if isinstance(outputs, dict) and isinstance(outputs.get("dir"), str) and "://" not in outputs["dir"]:
        problem = (
            EMPTY_DIR
            if not outputs["dir"].strip()  # "": the runs would go among the recipe's own files
            else unusable_path(outputs["dir"]) or out_dir_problem(_full_path(base_dir, outputs["dir"]))
        )
        problems += [(("outputs", "dir"), problem)] if problem else []
    if isinstance(outputs, dict) and isinstance(outputs.get("publish"), str):
        problem = publish_problem(outputs["publish"], base_dir) or _publish_in_out(outputs, base_dir)
        problems += [(("outputs", "publish"), problem)] if problem else []
    compute = raw.get("compute")
    if isinstance(compute, dict) and isinstance(compute.get("store"), str):
        out_dir = outputs.get("dir") if isinstance(outputs, dict) else None
        problem = store_problem(compute["store"], base_dir, out_dir if isinstance(out_dir, str) else None)
        problems += [(("compute", "store"), problem)] if problem else []
    return problems


def _publish_in_out(outputs: dict[str, Any], base_dir: Path) -> str | None:
    """A local ``outputs.publish`` inside a local ``outputs.dir`` (:func:`publish_inside_out`), or None."""
    publish, out_dir = outputs["publish"], outputs.get("dir")
    if "://" in publish.removeprefix("file://") or not isinstance(out_dir, str) or "://" in out_dir:
        return None
    inside = _full_path(base_dir, publish.removeprefix("file://"))
    return publish_inside_out(inside, _full_path(base_dir, out_dir))


def recipe_from_text(text: str, *, base_dir: Path, source: str = "<recipe>") -> Recipe:
    """Validate a recipe given as YAML text.

    Parameters
    ----------
    text
        The YAML document.
    base_dir
        Folder against which relative paths resolve (the recipe's folder).
    source
        Name used in messages (the recipe's path).

    Returns
    -------
    Recipe
        The validated recipe, with every path made absolute.

    Raises
    ------
    RecipeError
        Listing every problem, one line each: ``file:line: key: what is wrong — how to fix``; when
        the document validates and only its files are wrong (missing...), ``.recipe`` holds it.
    """
    raw, lines, twice, numbers = _parse(text, source)
    raw = {k: v for k, v in raw.items() if not _anchor_only(k)}  # x-common: &common, merged with <<
    found: list[tuple[int | None, str]] = [
        (
            path,
            f"written twice (lines {first} and {again}): YAML keeps only the last, silently; "
            + ("give each layer its own name" if path[:1] == ("layers",) and len(path) == 2 else "keep one"),
        )
        for path, first, again in twice
    ]
    found += numbers  # 1:30 read as 90, 010 as 8
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            path = locate(tuple(err["loc"]), raw)
            found.append((path, describe(err, path, raw)))
    found += _file_problems(raw, base_dir)
    problems = _located(found, lines, source)
    if problems:
        head = f"{source}: {len(problems)} problem{'s' if len(problems) > 1 else ''} in the recipe"
        unusable = any(m.startswith(("the path holds a NUL", "the path is too long")) for _, m in found)
        partial = _resolve_paths(recipe, base_dir, source) if recipe is not None and not unusable else None
        raise RecipeError(head + "\n" + "\n".join(f"  {p}" for p in problems), problems, recipe=partial)
    assert recipe is not None
    return _resolve_paths(recipe, base_dir, source)


def _anchor_only(key: Any) -> bool:
    """A top-level key that only holds YAML anchors (``x-...``, the Compose convention): not read.

    >>> _anchor_only("x-registry"), _anchor_only("layers"), _anchor_only("x")
    (True, False, False)
    """
    return isinstance(key, str) and key.startswith("x-")


def _parse(
    text: str, source: str
) -> tuple[
    dict[str, Any],
    dict[tuple[Any, ...], int],
    list[tuple[tuple[Any, ...], int, int]],
    list[tuple[tuple[Any, ...], str]],
]:
    """The YAML mapping of a recipe, the line of each key path (bounded: see line_index), the keys
    written twice and the numbers YAML 1.1 reads as other than they look."""
    twice: list[tuple[tuple[Any, ...], int, int]] = []
    numbers: list[tuple[tuple[Any, ...], str]] = []
    if flow_depth(text) > MAX_DEPTH:
        msg = f"{source}: the recipe nests too deeply to read: write the values out (no deep nesting)"
        raise RecipeError(msg, [msg])
    if (
        typed := typed_by_input_method(text) or binary_tag(text)
    ) is not None:  # '：' and '\u3000' read as other keys
        msg = f"{source}:{typed[0]}: {typed[1]}"
        raise RecipeError(msg, [msg])
    try:
        lines = line_index(text, source, twice, numbers)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, problem, fix = yaml_problem(exc, text)
        msg = f"{source}:{line or '?'}: not valid YAML: {problem} — {fix}"
        raise RecipeError(msg, [msg]) from exc
    except RecursionError as exc:  # [[[[... or {a: {a: ... deeper than the parser's stack
        msg = f"{source}: the recipe nests too deeply to read: write the values out (no deep nesting)"
        raise RecipeError(msg, [msg]) from exc
    if not isinstance(raw, dict):
        msg = f"{source}:1: a recipe is a YAML mapping (name:, area:, grid:, layers:, outputs:)"
        raise RecipeError(msg, [msg])
    return raw, lines, twice, numbers


def _located(
    found: list[tuple[tuple[Any, ...], str]], lines: dict[tuple[Any, ...], int], source: str
) -> list[str]:
    """Problems as ``file:line: key: message``, in line order, without duplicates.

    A typo of a required key shows as "unknown key" + "missing key": only the first is kept.
    """
    rows = []
    for path, message in found:
        line = lines.get(path) or merged_line(lines, path) or lines.get(path[:-1])
        rows.append((line, format_problem(source, line, path, message)))
    suggested = {
        text.rsplit("did you mean '", 1)[1].split("'")[0] for _, text in rows if "did you mean '" in text
    }
    rows = [
        (line, text) for line, text in rows if not any(f"missing key '{key}'" in text for key in suggested)
    ]
    rows.sort(key=lambda item: item[0] or 0)
    return list(dict.fromkeys(text for _, text in rows))


def merged_line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    """The line of a value merged in with ``<<: *anchor`` (``<<: [*a, *b]`` too): where it is written,
    in the anchor (the layer's own line had no such key to fix).

    >>> merged_line({("layers", "a"): 10, ("layers", "a", "<<", "path"): 4}, ("layers", "a", "path"))
    4
    """
    for at in range(len(path) - 1, 0, -1):
        for merge in (("<<",), *(("<<", i) for i in range(8))):
            line = lines.get((*path[:at], *merge, *path[at:]))
            if line is not None:
                return line
    return None


def _resolve_paths(recipe: Recipe, base_dir: Path, source: str) -> Recipe:
    def absolute(value: str | None) -> str | None:
        if value is None or "://" in value:
            return value
        return str(_full_path(base_dir, value))

    layers = {
        name: spec.model_copy(update={"path": absolute(spec.path)}) if hasattr(spec, "path") else spec
        for name, spec in recipe.layers.items()
    }
    for name, spec in layers.items():  # a census table's own unit polygons
        if not isinstance(getattr(spec, "units", None), (str, type(None))):
            units = spec.units.model_copy(update={"path": absolute(spec.units.path)})
            layers[name] = spec.model_copy(update={"units": units})
    tables = recipe.tables.model_copy(update={k: absolute(v) for k, v in recipe.tables.model_dump().items()})
    return recipe.model_copy(
        update={
            "layers": layers,
            "area": recipe.area.model_copy(update={"path": absolute(recipe.area.path)}),
            "outputs": recipe.outputs.model_copy(  # a local publish folder too (was the working folder's)
                update={"dir": absolute(recipe.outputs.dir), "publish": absolute(recipe.outputs.publish)}
            ),
            "compute": recipe.compute.model_copy(update={"store": absolute(recipe.compute.store)}),
            "tables": tables,
            "source_path": source,
        }
    )


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file; relative paths resolve against its folder.

    Raises
    ------
    RecipeError
        When the file is missing, not YAML, or any key is wrong (all problems in one message).
    """
    path = Path(path)
    if not path.is_file():  # a folder, device or FIFO too (reading a FIFO would wait forever)
        found = "not a regular file (a folder, pipe, device?)" if path.exists() else "recipe not found"
        msg = f"{found}: {path} — give the path of a .yaml recipe (see recipes/)"
        raise RecipeError(msg, [msg])
    text = read_text(path.read_bytes(), str(path))
    return recipe_from_text(text, base_dir=_full_path(Path.cwd(), str(path)).parent, source=str(path))
