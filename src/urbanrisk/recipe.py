"""Recipes: load a YAML recipe safely, validate it with a schema, report every problem at once.

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

import difflib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._errors import RecipeError

LAYER_TYPES = ("osm", "points", "raster", "polygons", "population_from_buildings")
SCHEDULER_HINT = "synchronous, threads, processes or tcp://host:port"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_bbox(value: list[float]) -> list[float]:
    """Check a [minlon, minlat, maxlon, maxlat] box; say when the axes look swapped."""
    if len(value) != 4:
        msg = "a bbox has 4 numbers: [minlon, minlat, maxlon, maxlat]"
        raise ValueError(msg)
    minlon, minlat, maxlon, maxlat = value
    if any(abs(v) > 90 for v in (minlat, maxlat)) and all(abs(v) <= 90 for v in (minlon, maxlon)):
        msg = (
            f"latitude outside [-90, 90] in {value}: the numbers look like [minlat, minlon, maxlat, "
            "maxlon]; write them as [minlon, minlat, maxlon, maxlat]"
        )
        raise ValueError(msg)
    if any(abs(v) > 180 for v in (minlon, maxlon)) or any(abs(v) > 90 for v in (minlat, maxlat)):
        msg = f"lon/lat outside range in {value}: longitudes lie in [-180, 180], latitudes in [-90, 90]"
        raise ValueError(msg)
    if not (minlon < maxlon and minlat < maxlat):
        msg = f"empty box {value}: need minlon < maxlon and minlat < maxlat"
        raise ValueError(msg)
    return value


class AreaSpec(_Strict):
    """The study area: a layer's extent, a lon/lat box, or a boundary file (exactly one)."""

    layer: str | None = None
    bbox: list[float] | None = None
    path: str | None = None

    @field_validator("bbox")
    @classmethod
    def _valid_bbox(cls, value: list[float] | None) -> list[float] | None:
        return value if value is None else _check_bbox(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> AreaSpec:
        given = [k for k in ("layer", "bbox", "path") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = "give exactly one of layer, bbox or path" + (f" (got {', '.join(given)})" if given else "")
            raise ValueError(msg)
        return self


class GridSpec(_Strict):
    """The H3 grid: resolution 0-15; partitions by parent cell for the parallel stages."""

    resolution: Annotated[int, Field(ge=0, le=15)]
    partition_resolution: Annotated[int | None, Field(ge=0, le=15)] = None
    force: bool = False


class OsmLayer(_Strict):
    """A local OpenStreetMap extract (.osm, .osm.bz2, .osm.pbf)."""

    type: Literal["osm"]
    path: str


class PointsLayer(_Strict):
    """A hazard or resource registry: CSV with lon/lat columns, GeoJSON or GeoPackage."""

    type: Literal["points"]
    path: str
    lon: str | None = None
    lat: str | None = None
    coords: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    crs: str | None = None
    role: Literal["hazard", "resource"] = "hazard"
    kind: str | None = None
    id_column: str = "id"
    kind_column: str = "kind"
    name_column: str = "name"
    severity_column: str = "severity"
    capacity_column: str = "capacity"


class RasterLayer(_Strict):
    """A GeoTIFF of people per pixel (e.g. WorldPop)."""

    type: Literal["raster"]
    path: str
    band: Annotated[int, Field(ge=1)] = 1


class PolygonsLayer(_Strict):
    """Community units (街道 / 社区) with an id and a name."""

    type: Literal["polygons"]
    path: str
    id_column: str = "id"
    name_column: str = "name"
    crs: str | None = None


class PopulationFromBuildingsLayer(_Strict):
    """Residents estimated from residential floor area of an OSM layer's buildings."""

    type: Literal["population_from_buildings"]
    source: str
    floor_area_per_person_m2: Annotated[float, Field(gt=0, le=1000)] = 38.6


Layer = Annotated[
    OsmLayer | PointsLayer | RasterLayer | PolygonsLayer | PopulationFromBuildingsLayer,
    Field(discriminator="type"),
]


class OutputsSpec(_Strict):
    """Where runs go: ``<dir>/runs/<UTC timestamp>/`` and ``<dir>/latest``."""

    dir: str
    keep: Annotated[int, Field(ge=1)] = 30
    alert_grade: Literal["I", "II", "III", "IV"] = "II"
    publish: str | None = None  # an fsspec URL (s3://bucket/prefix) that receives each complete run


class ComputeSpec(_Strict):
    """Where the per-partition tasks run."""

    scheduler: str | None = None
    #: where worker processes read the layers from (a folder or fsspec URL all workers can reach);
    #: default: a temporary folder on this machine, which suits local processes and LocalCluster
    store: str | None = None

    @field_validator("scheduler")
    @classmethod
    def _known_scheduler(cls, value: str | None) -> str | None:
        if value is None or value in ("synchronous", "threads", "processes"):
            return value
        if value.startswith("tcp://") and ":" in value[6:]:
            return value
        msg = f"unknown scheduler {value!r}: use {SCHEDULER_HINT}"
        raise ValueError(msg)


class TablesSpec(_Strict):
    """Override the data tables (paths to CSVs shaped like those in ``layers/tables``)."""

    osm_tags: str | None = None
    building_types: str | None = None
    landuse_context: str | None = None
    hazard_kinds: str | None = None
    safety_distances: str | None = None
    standards: str | None = None
    speeds: str | None = None


class WeightsSpec(_Strict):
    """Weights of the indicators inside each risk dimension (each group of three sums to 1)."""

    hazard_sources: Annotated[float, Field(ge=0, le=1)] = 0.5
    crowding: Annotated[float, Field(ge=0, le=1)] = 0.25
    residents: Annotated[float, Field(ge=0, le=1)] = 0.25
    urban_village: Annotated[float, Field(ge=0, le=1)] = 0.35
    building_density: Annotated[float, Field(ge=0, le=1)] = 0.35
    vulnerable_sites: Annotated[float, Field(ge=0, le=1)] = 0.3

    @model_validator(mode="after")
    def _sum_to_one(self) -> WeightsSpec:
        groups = {
            "hazard_sources + crowding + residents": (self.hazard_sources, self.crowding, self.residents),
            "urban_village + building_density + vulnerable_sites": (
                self.urban_village,
                self.building_density,
                self.vulnerable_sites,
            ),
        }
        for label, values in groups.items():
            if abs(sum(values) - 1.0) > 1e-6:
                msg = f"weights {label} must sum to 1 (got {sum(values):g})"
                raise ValueError(msg)
        return self


class GradingSpecModel(_Strict):
    """How cell risk becomes grades I-IV (I 重大 red, II 较大 orange, III 一般 yellow, IV 低 blue)."""

    method: Literal["thresholds", "quantiles", "natural_breaks"] = "thresholds"
    thresholds: list[float] = Field(default_factory=lambda: [6.0, 4.5, 3.0])
    weights: WeightsSpec = WeightsSpec()

    @field_validator("thresholds")
    @classmethod
    def _three_decreasing(cls, value: list[float]) -> list[float]:
        if len(value) != 3 or not value[0] >= value[1] >= value[2] or not all(0 <= v <= 10 for v in value):
            msg = (
                f"thresholds are three risk scores on 0-10, decreasing: [I, II, III] "
                f"(e.g. [6.0, 4.5, 3.0]); got {value}"
            )
            raise ValueError(msg)
        return value


class KeyDistrictsSpec(_Strict):
    """Thresholds of the key-district screen."""

    crowd_min_per_km2: Annotated[float, Field(gt=0)] = 100.0
    people_min_per_km2: Annotated[float, Field(gt=0)] = 10_000.0
    min_cells: Annotated[int, Field(ge=1)] = 2
    min_crowd_places: Annotated[int, Field(ge=0)] = 3


class UrbanVillagesSpec(_Strict):
    """Thresholds of the urban-village screen."""

    min_score: Annotated[float, Field(gt=0, le=1)] = 0.5
    min_cells: Annotated[int, Field(ge=1)] = 2


class StandardOverride(_Strict):
    """Change one standard of the preset."""

    limit: Annotated[float | None, Field(gt=0)] = None
    unit: Literal["min", "s", "m"] | None = None
    mode: Literal["drive", "walk"] | None = None
    turnout_s: Annotated[float | None, Field(ge=0)] = None


class CoverageSpec(_Strict):
    """Emergency-resource coverage: which standards, how far to look for resources, how many sites."""

    standards: str = "cn"
    overrides: dict[str, StandardOverride] = Field(default_factory=dict)
    search_buffer_m: Annotated[float, Field(ge=0, le=50_000)] = 2000.0
    max_snap_m: Annotated[float, Field(gt=0, le=10_000)] = 500.0
    sites: Annotated[int, Field(ge=0, le=100)] = 3

    def override_dict(self) -> dict[str, dict]:
        """Overrides as plain dicts without unset values."""
        return {name: o.model_dump(exclude_none=True) for name, o in self.overrides.items()}


class ScreensSpec(_Strict):
    """Options of the screens."""

    key_districts: KeyDistrictsSpec = KeyDistrictsSpec()
    urban_villages: UrbanVillagesSpec = UrbanVillagesSpec()


class Recipe(_Strict):
    """A validated recipe. Paths are absolute (resolved against the recipe's folder)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
    title: str | None = None
    area: AreaSpec
    grid: GridSpec
    layers: dict[str, Layer]
    outputs: OutputsSpec
    compute: ComputeSpec = ComputeSpec()
    tables: TablesSpec = TablesSpec()
    grading: GradingSpecModel = GradingSpecModel()
    screens: ScreensSpec = ScreensSpec()
    coverage: CoverageSpec = CoverageSpec()
    source_path: str | None = Field(default=None, exclude=True)

    def layers_of_type(self, kind: str) -> dict[str, Any]:
        """The recipe's layers of one ``type``, by name, in recipe order."""
        return {name: spec for name, spec in self.layers.items() if spec.type == kind}


# --------------------------------------------------------------------------------------------
# YAML lines: map each key path of the document to the line it stands on


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map every key path in a YAML document to its 1-based line number."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
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


def _locate(loc: tuple[Any, ...], raw: Any) -> tuple[Any, ...]:
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
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and part != loc[-1]:
            continue  # a union tag
        else:
            path.append(part)
            break
    return tuple(path)


def _allowed_keys(loc_path: tuple[Any, ...], raw: Any) -> list[str]:
    """The valid keys of the mapping that holds ``loc_path`` (for 'did you mean' hints)."""
    parent = loc_path[:-1]
    models: dict[tuple[str, ...], type[BaseModel]] = {
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
    }
    if parent in models:
        return list(models[parent].model_fields)
    if len(parent) == 2 and parent[0] == "layers":
        layer = raw.get("layers", {}).get(parent[1], {}) if isinstance(raw, dict) else {}
        by_type = {
            "osm": OsmLayer,
            "points": PointsLayer,
            "raster": RasterLayer,
            "polygons": PolygonsLayer,
            "population_from_buildings": PopulationFromBuildingsLayer,
        }
        model = by_type.get(layer.get("type")) if isinstance(layer, dict) else None
        if model is not None:
            return list(model.model_fields)
    return []


def _suggest(word: str, choices: list[str]) -> str:
    choices = [c for c in choices if c != "source_path"]
    close = [c for c in choices if len(word) >= 4 and c.startswith(word[:4])]
    close = close or difflib.get_close_matches(str(word), choices, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid keys: " + ", ".join(choices)


def _describe(err: dict[str, Any], path: tuple[Any, ...], raw: Any) -> str:
    """A message for one pydantic error that says what is wrong and how to fix it."""
    kind = err["type"]
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        return f"unknown key '{key}': {_suggest(str(key), _allowed_keys(path, raw))}"
    if kind == "missing":
        return f"missing key '{key}': add it (see recipes/beijing-wudaokou.yaml for an example)"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = err.get("input", {}).get("type") if isinstance(err.get("input"), dict) else None
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
    text = err["msg"]
    text = text.removeprefix("Value error, ")
    return f"{text} (got {err.get('input')!r})" if kind not in ("value_error",) else text


def _format(source: str, line: int | None, path: tuple[Any, ...], message: str) -> str:
    where = ".".join(str(p) for p in path) or "(top level)"
    return f"{source}:{line if line is not None else '?'}: {where}: {message}"


def _file_problems(raw: dict[str, Any], base_dir: Path) -> list[tuple[tuple[Any, ...], str]]:
    """Missing files and dangling layer references, checked on the raw document."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    layers = raw.get("layers") if isinstance(raw.get("layers"), dict) else {}

    def check_file(path_key: tuple[Any, ...], value: Any) -> None:
        if not isinstance(value, str):
            return
        if "://" in value:
            return  # fsspec URLs are checked when read
        full = (base_dir / value).resolve()
        if not full.exists():
            problems.append(
                (
                    path_key,
                    f"file not found: {full} — fix the path; relative paths resolve against "
                    f"the recipe's folder ({base_dir})",
                )
            )

    for name, spec in layers.items():
        if not isinstance(spec, dict):
            continue
        if "path" in spec:
            check_file(("layers", name, "path"), spec["path"])
        if spec.get("type") == "population_from_buildings" and "source" in spec:
            src = spec["source"]
            src_spec = layers.get(src)
            if not isinstance(src_spec, dict) or src_spec.get("type") != "osm":
                osm_names = [n for n, s in layers.items() if isinstance(s, dict) and s.get("type") == "osm"]
                hint = f"use one of: {', '.join(osm_names)}" if osm_names else "add an osm layer"
                problems.append(
                    (("layers", name, "source"), f"source '{src}' is not an osm layer of this recipe: {hint}")
                )
    area = raw.get("area")
    if isinstance(area, dict):
        if isinstance(area.get("layer"), str) and area["layer"] not in layers:
            problems.append(
                (
                    ("area", "layer"),
                    f"area names layer '{area['layer']}', which the recipe does not "
                    f"define: {_suggest(area['layer'], list(layers))}",
                )
            )
        if "path" in area:
            check_file(("area", "path"), area["path"])
    tables = raw.get("tables")
    if isinstance(tables, dict):
        for key, value in tables.items():
            check_file(("tables", key), value)
    populations = [
        n
        for n, s in layers.items()
        if isinstance(s, dict) and s.get("type") in ("raster", "population_from_buildings")
    ]
    if len(populations) > 1:
        problems.append(
            (
                ("layers", populations[1]),
                f"two population layers ({', '.join(populations)}): keep one "
                "(a raster or population_from_buildings)",
            )
        )
    return problems


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
        Listing every problem, one line each: ``file:line: key: what is wrong — how to fix``.
    """
    try:
        raw = yaml.safe_load(text)
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        msg = f"{source}:{line or '?'}: not valid YAML: {problem} — check indentation and quoting"
        raise RecipeError(msg, [msg]) from exc
    if not isinstance(raw, dict):
        msg = f"{source}:1: a recipe is a YAML mapping (name:, area:, grid:, layers:, outputs:)"
        raise RecipeError(msg, [msg])

    found: list[tuple[int | None, str]] = []
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            path = _locate(tuple(err["loc"]), raw)
            message = _describe(err, path, raw)
            line = lines.get(path) or lines.get(path[:-1])
            found.append((line, _format(source, line, path, message)))
    for path, message in _file_problems(raw, base_dir):
        line = lines.get(path) or lines.get(path[:-1])
        found.append((line, _format(source, line, path, message)))
    # a typo of a required key shows as "unknown key" + "missing key": keep only the first
    suggested = {
        text.rsplit("did you mean '", 1)[1].split("'")[0] for _, text in found if "did you mean '" in text
    }
    found = [
        (line, text) for line, text in found if not any(f"missing key '{key}'" in text for key in suggested)
    ]
    if found:
        found.sort(key=lambda item: item[0] or 0)
        problems = list(dict.fromkeys(text for _, text in found))
        head = f"{source}: {len(problems)} problem{'s' if len(problems) > 1 else ''} in the recipe"
        raise RecipeError(head + "\n" + "\n".join(f"  {p}" for p in problems), problems)
    assert recipe is not None
    return _resolve_paths(recipe, base_dir, source)


def _resolve_paths(recipe: Recipe, base_dir: Path, source: str) -> Recipe:
    def absolute(value: str | None) -> str | None:
        if value is None or "://" in value:
            return value
        return str((base_dir / value).resolve())

    layers = {
        name: spec.model_copy(update={"path": absolute(spec.path)}) if hasattr(spec, "path") else spec
        for name, spec in recipe.layers.items()
    }
    tables = recipe.tables.model_copy(update={k: absolute(v) for k, v in recipe.tables.model_dump().items()})
    return recipe.model_copy(
        update={
            "layers": layers,
            "area": recipe.area.model_copy(update={"path": absolute(recipe.area.path)}),
            "outputs": recipe.outputs.model_copy(update={"dir": absolute(recipe.outputs.dir)}),
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
    if not path.is_file():
        msg = f"recipe not found: {path} — give the path of a .yaml recipe (see recipes/)"
        raise RecipeError(msg, [msg])
    text = path.read_text(encoding="utf-8")
    return recipe_from_text(text, base_dir=path.resolve().parent, source=str(path))


def estimate_cells(area_km2: float, resolution: int) -> int:
    """How many H3 cells of ``resolution`` cover ``area_km2`` (a close estimate).

    Examples
    --------
    >>> estimate_cells(5.0, 10)
    333
    """
    import h3

    return max(1, math.ceil(area_km2 / h3.average_hexagon_area(resolution, unit="km^2")))
