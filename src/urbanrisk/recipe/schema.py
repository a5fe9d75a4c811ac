"""The recipe schema: what a recipe may say, as pydantic models (every default in one place).

A value a recipe leaves out is ``None`` where a package setting (:mod:`urbanrisk.settings`) holds the
default; the stage that uses it reads the setting at call time. The layer types are a registry,
:data:`LAYER_MODELS`: a new layer type is one model here and one loader in :mod:`urbanrisk.inputs`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, field_validator, model_validator

from .datum import Coords
from .points_spec import SEVERITY_HINT, SEVERITY_ORDERS, PointsLayer, SeveritySpec
from .strict import Strict as _Strict
from .unit_filter import UNIT_LEVELS, LevelFilter

SCHEDULER_HINT = "synchronous, threads, processes or tcp://host:port"
__all__ = ["SEVERITY_HINT", "SEVERITY_ORDERS", "UNIT_LEVELS", "PointsLayer", "SeveritySpec"]  # moved


def _check_bbox(value: list[float]) -> list[float]:
    """Check a [minlon, minlat, maxlon, maxlat] box; say when the axes look swapped (``minlon > 0 >
    maxlon`` is a box crossing the antimeridian, 180°, as in GeoJSON)."""
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
    crosses = minlon > 0 > maxlon  # e.g. [179.5, ..., -179.5]: east from minlon across 180° to maxlon
    if not ((minlon < maxlon or crosses) and minlat < maxlat):
        msg = (
            f"empty box {value}: need minlon < maxlon and minlat < maxlat (a box crossing 180° has "
            "minlon > 0 > maxlon, e.g. [179.5, -17, -179.5, -16])"
        )
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

    @model_validator(mode="after")
    def _parent_not_finer(self) -> GridSpec:
        parent, resolution = self.partition_resolution, self.resolution
        if parent is not None and parent > resolution:
            msg = f"partition_resolution ({parent}) is finer than resolution ({resolution}): a partition"
            raise ValueError(msg + f" is a coarser parent cell; use at most {resolution} or leave it out")
        return self


class OsmLayer(_Strict):
    """A local OpenStreetMap extract (.osm, .osm.bz2, .osm.pbf)."""

    type: Literal["osm"]
    path: str


class RasterLayer(_Strict):
    """A GeoTIFF of people per pixel (e.g. WorldPop)."""

    type: Literal["raster"]
    path: str
    band: Annotated[int, Field(ge=1)] = 1
    #: nodata pixels: not measured (default: residents unknown) or measured and empty (WorldPop's water)
    nodata: Literal["unknown", "empty"] = "unknown"
    #: whom the report and map credit for it (its source and licence), e.g. "U.S. Census Bureau";
    #: without it, WorldPop for a WorldPop file, else the file's name
    attribution: str | None = None


UnitLevel = Literal["district", "street", "community", "grid"]


class PolygonsLayer(LevelFilter):
    """Community units (区 / 街道 / 社区 / 网格) with an id and a name."""

    type: Literal["polygons"]
    path: str
    file_layer: str | None = None  # a GeoPackage (any file) holding several layers: the one to read
    id_column: str = "id"
    name_column: str = "name"
    crs: str | None = None
    coords: Coords = "wgs84"  # gcj02 / bd09: lon/lat from a Chinese map service, converted to WGS84
    encoding: str | None = None  # Shapefile DBF without .cpg: default detected (UTF-8, GBK/GB18030...)
    #: the unit level (区 district / 街道 street / 社区 community / 网格 grid): one risk register per level
    level: UnitLevel | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _canonical_level(cls, value: Any) -> Any:
        return UNIT_LEVELS.get(str(value).strip().lower(), value) if value is not None else None


class PopulationFromBuildingsLayer(_Strict):
    """Residents estimated from residential floor area of an OSM layer's buildings."""

    type: Literal["population_from_buildings"]
    source: str
    #: None: :data:`urbanrisk.settings.floor_area_per_person_m2`
    floor_area_per_person_m2: Annotated[float | None, Field(ge=1, le=1000)] = None  # m² a resident


class UnitsFile(LevelFilter):
    """A census table's own unit polygons (when the recipe has no polygons layer of them)."""

    path: str
    file_layer: str | None = None
    id_column: str = "id"
    name_column: str = "name"
    crs: str | None = None
    coords: Coords = "wgs84"
    encoding: str | None = None


class PopulationTableLayer(_Strict):
    """Residents from an office's census table (人口统计表: one row per 街道 / 社区 with 常住人口),
    joined to the units of a polygons layer by id or by name and spread over the cells inside each unit
    in proportion to mapped residential floor area (:mod:`urbanrisk.population_table`)."""

    type: Literal["population_table"]
    path: str  # .xlsx / .xls / .csv (UTF-8 or GBK)
    units: str | UnitsFile  # the recipe's polygons layer whose units the rows name, or a file of them
    join: Literal["id", "name"] = "name"  # the column holds the units' ids, or their names
    key_column: str  # the table's column naming the unit (街道名称, 社区代码...)
    count_column: str  # the table's column of residents (常住人口; 3.2万 reads as 32,000)
    sheet: str | int | None = None
    encoding: str | None = None


#: Every layer ``type`` a recipe may use, with its options' model (the one list of layer types).
LAYER_MODELS: dict[str, type[BaseModel]] = {
    "osm": OsmLayer,
    "points": PointsLayer,
    "raster": RasterLayer,
    "polygons": PolygonsLayer,
    "population_from_buildings": PopulationFromBuildingsLayer,
    "population_table": PopulationTableLayer,
}
LAYER_TYPES = tuple(LAYER_MODELS)
#: Layer types that give residents (a recipe has at most one).
POPULATION_TYPES = ("raster", "population_from_buildings", "population_table")

Layer = Annotated[Union[tuple(LAYER_MODELS.values())], Field(discriminator="type")]  # noqa: UP007


class OutputsSpec(_Strict):
    """Where runs go: ``<dir>/runs/<UTC timestamp>/`` and ``<dir>/latest``."""

    dir: str
    keep: Annotated[int, Field(ge=1)] = 30
    alert_grade: Literal["I", "II", "III", "IV"] = "II"
    publish: str | None = None  # an fsspec URL (s3://bucket/prefix) that receives each complete run


class ReportSpec(_Strict):
    """The report: its language (``zh``: every heading and explanation in Chinese)."""

    language: Literal["en", "zh"] = "en"


class ComputeSpec(_Strict):
    """Where the per-partition tasks run."""

    scheduler: str | None = None
    #: where worker processes read the layers from (a folder or fsspec URL all workers can reach);
    #: default: a temporary folder on this machine, which suits local processes and LocalCluster
    store: str | None = None
    #: coverage per H3-parent partition on the street subgraph within each standard's reach
    #: (exact; see urbanrisk.coverage_dask); default: one Dijkstra on the whole graph, faster here
    partitioned_coverage: bool = False
    #: hazard intensity, residents exposed and the clusters (key districts, urban villages, coverage
    #: gaps) per partition (the same tables; see urbanrisk.screens_dask); None: settings.partitioned_screens
    partitioned_screens: bool | None = None
    #: where the grid stage's tasks read the OSM layers: the driver's frames (``memory``), or a store
    #: each OSM extract is streamed into, partitioned by H3 parent (``partitioned``, urbanrisk.ingest)
    ingest: Literal["memory", "partitioned"] = "memory"

    @field_validator("scheduler")
    @classmethod
    def _known_scheduler(cls, value: str | None) -> str | None:
        if value is None or value in ("synchronous", "threads", "processes"):
            return value
        port = value[6:].rpartition(":")[2] if value.startswith("tcp://") else ""
        if ":" in value[6:] and port.isascii() and port.isdigit() and 0 < int(port) < 65536:
            return value  # a port past 65535 (or "port") waited 30 s for a scheduler no address could hold
        msg = f"unknown scheduler {value!r}: use {SCHEDULER_HINT}"
        raise ValueError(msg)


class TablesSpec(_Strict):
    """Override the data tables (paths to CSVs shaped like those in ``layers/tables``)."""

    osm_tags: str | None = None
    building_types: str | None = None
    landuse_context: str | None = None
    hazard_kinds: str | None = None
    resource_kinds: str | None = None
    kind_aliases: str | None = None
    safety_distances: str | None = None
    standards: str | None = None
    speeds: str | None = None
    gb18218: str | None = None
    departments: str | None = None
    response_levels: str | None = None
    incident_kinds: str | None = None


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
    """Thresholds of the key-district screen (None: :mod:`urbanrisk.settings`' ``key_district_*``)."""

    crowd_min_per_km2: Annotated[float | None, Field(gt=0)] = None
    people_min_per_km2: Annotated[float | None, Field(gt=0)] = None
    min_cells: Annotated[int | None, Field(ge=1)] = None
    min_crowd_places: Annotated[int | None, Field(ge=0)] = None


class UrbanVillagesSpec(_Strict):
    """Thresholds of the urban-village screen (None: :mod:`urbanrisk.settings`' ``urban_village_*``)."""

    min_score: Annotated[float | None, Field(gt=0, le=1)] = None
    min_cells: Annotated[int | None, Field(ge=1)] = None


class StandardOverride(_Strict):
    """Change one standard of the preset."""

    limit: Annotated[float | None, Field(gt=0)] = None
    unit: Literal["min", "s", "m"] | None = None
    #: drive: osmnx's drive network; drive_service: also service roads (campus, estate roads); walk
    mode: Literal["drive", "drive_service", "walk"] | None = None
    turnout_s: Annotated[float | None, Field(ge=0)] = None
    #: true: the resources of this standard's kind in the data (OSM and registries, within
    #: search_buffer_m) are all there are: none of them means nobody is reached, not unknown
    resources_complete: bool | None = None


class CoverageSpec(_Strict):
    """Emergency-resource coverage: which standards, how far to look for resources, how many sites.

    Numbers left out (None) take their package setting: ``search_buffer_m``, ``max_snap_m``,
    ``suggested_sites`` in :mod:`urbanrisk.settings`.
    """

    standards: str = "cn"
    overrides: dict[str, StandardOverride] = Field(default_factory=dict)
    search_buffer_m: Annotated[float | None, Field(ge=0, le=50_000)] = None
    #: cells and resources farther than this from a street are reported, not snapped
    max_snap_m: Annotated[float | None, Field(gt=0, le=10_000)] = None
    sites: Annotated[int | None, Field(ge=0, le=100)] = None

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
    report: ReportSpec = ReportSpec()
    source_path: str | None = Field(default=None, exclude=True)
