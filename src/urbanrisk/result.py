"""Result types: plain containers of what a run produced, and the grade vocabulary.

This module imports nothing else of urbanrisk, so that every stage and every output can depend on
it without a cycle: stages fill these containers, outputs (tables, GeoPackage, map, report,
manifest) read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only types: importing the result types loads no geopandas (``validate`` stays light)
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

#: The four risk grades, most severe first (China's safety-risk grading: red, orange, yellow, blue).
GRADES = ("I", "II", "III", "IV")
GRADE_NAMES = {"I": "重大 major", "II": "较大 considerable", "III": "一般 moderate", "IV": "低 low"}
GRADE_COLOURS = {"I": (215, 25, 28), "II": (253, 141, 60), "III": (254, 217, 54), "IV": (44, 123, 182)}
GRADE_RANK = {g: i for i, g in enumerate(GRADES)}  # 0 = most severe
#: A hazard source's risk-matrix score (severity x consequence) -> its grade: the first it reaches.
MATRIX_GRADES = ((12, "I"), (8, "II"), (4, "III"), (0, "IV"))
#: The class of a cell whose risk could not be measured (no grade: grey on the map, its own row).
NO_DATA = "no data"
GRADE_CLASSES = (*GRADES, NO_DATA)
NO_DATA_NAME = "无数据 no data"
NO_DATA_COLOUR = (160, 160, 160)
CLASS_NAMES = {**GRADE_NAMES, NO_DATA: NO_DATA_NAME}
CLASS_COLOURS = {**GRADE_COLOURS, NO_DATA: NO_DATA_COLOUR}

#: Seconds (or metres) per unit of a coverage standard's limit.
UNITS = {"min": 60.0, "s": 1.0, "m": 1.0}


def _empty_frame(columns: list[str]) -> pd.DataFrame:
    import pandas as pd  # at call time: see the TYPE_CHECKING note above

    return pd.DataFrame(columns=columns)


#: A unit register's count of uncovered cells whose residents are unknown, per standard (a prefix).
UNKNOWN_UNCOVERED_PREFIX = "unknown_uncovered_"
#: A unit register's count of cells outside the street data (coverage unknown), per standard.
COVERAGE_UNKNOWN_PREFIX = "coverage_unknown_"


@dataclass(frozen=True)
class RasterInfo:
    """What the pipeline needs to know of a population raster, small enough to send to every task."""

    path: str
    band: int
    bounds: tuple[float, float, float, float]
    pixel_size: tuple[float, float]
    nodata: float | None
    nodata_empty: bool = False  # the recipe says nodata pixels are measured and empty (a water mask)
    measured_band: int | None = None  # a band of each pixel's measured share (a warped copy's second)


@dataclass
class Layers:
    """A recipe's layers in the standard schema (EPSG:4326)."""

    buildings: gpd.GeoDataFrame | None
    pois: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    hazards: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame | None
    raster: RasterInfo | None
    floor_area_per_person_m2: float | None
    population_source: str
    street_nodes: pd.DataFrame = field(default_factory=lambda: _empty_frame(["lon", "lat"]))
    osm_bounds: dict[str, tuple[float, float, float, float] | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    #: resource kinds a registry declares complete (``complete_for``) -> that registry's layer name
    complete_kinds: dict[str, str] = field(default_factory=dict)
    #: ``compute.ingest: partitioned``: the OSM layers' stores (:class:`urbanrisk.stored_osm.StoredOsm`);
    #: ``buildings`` is None then (never held whole): read them by box with ``store.read(layer, bounds)``
    store: Any = None
    #: stored layers read on worker processes or a cluster: ``streets`` holds only each street's
    #: ``highway`` class (no geometry) and ``street_nodes`` nothing; the street graph's streets and nodes
    #: are read from ``store`` where the graph is built (the coverage task on a worker, or
    #: :func:`urbanrisk.stage_coverage.with_routing_streets`), the map's and GeoPackage's lines there too
    streets_in_store: bool = False
    #: ``population_table``: its units with the table's ``count`` (NaN: unknown), spread on the grid
    population_table: Any = None
    #: the recipe's coverage standards, resolved once (:func:`urbanrisk.pipeline.prepare_run`); None:
    #: coverage resolves them itself (a caller that loaded the layers alone)
    standards: list[Standard] | None = None
    #: the POIs' vulnerable sites, one row per site (:func:`urbanrisk.same_sites.vulnerable_sites`), as
    #: the grid stage counted them; None: not counted yet (the outputs count them then)
    vulnerable_sites: Any = None
    #: the OSM extracts' footprints (:func:`urbanrisk.osm_footprint.footprints`), made at the first of
    #: the run's three asks; None: not made yet
    osm_footprints: list[Any] | None = None


@dataclass
class Screens:
    """The four screens' tables and what each did (``ok: ...`` or ``skipped: no <layer>``)."""

    hazard_sources: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    key_districts: gpd.GeoDataFrame
    urban_villages: gpd.GeoDataFrame
    status: dict[str, str]
    unknown: list[str] = field(default_factory=list)  # indicators unmeasured in at least one cell
    #: how complete the data look and what was unknown where (urbanrisk.completeness)
    completeness: dict[str, Any] = field(default_factory=dict)
    #: risk registers (风险清单) by unit level, coarsest first (urbanrisk.screens.registers)
    registers: dict[str, Any] = field(default_factory=dict)
    #: the responsibility list (责任清单): every risk item with its units and department
    responsibility: Any = None


@dataclass(frozen=True)
class Standard:
    """One coverage standard: a resource kind reached by a mode within a limit."""

    name: str
    resource_kind: str
    mode: str
    limit: float
    unit: str
    turnout_s: float
    source: str
    #: where the recipe declares this kind's resources complete (none of them: nobody reached), e.g.
    #: "a registry declared complete (layer 'stations', complete_for)"; "" when not declared
    declared_complete: str = ""

    @property
    def by_time(self) -> bool:
        """True for a travel-time limit, False for a network-distance limit."""
        return self.unit in ("min", "s")

    @property
    def limit_value(self) -> float:
        """The limit in seconds (time) or metres (distance)."""
        return self.limit * UNITS[self.unit]

    @property
    def travel_budget(self) -> float:
        """What the network part may take: the limit less turnout (time limits only)."""
        return self.limit_value - (self.turnout_s if self.by_time else 0.0)

    def describe(self) -> str:
        """The standard in words, e.g. 'fire_station by drive within 5 min (incl. 60 s turnout)'."""
        turnout = f" (incl. {self.turnout_s:.0f} s turnout)" if self.by_time and self.turnout_s else ""
        return f"{self.resource_kind} by {self.mode} within {self.limit:g} {self.unit}{turnout}"


@dataclass
class CoverageResult:
    """Everything the coverage stage produced."""

    coverage: pd.DataFrame  # long: one row per cell and standard
    gaps: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    coping: pd.Series | None
    status: dict[str, str]
    standards: list[Standard]
    #: N-1: per resource of each standard, the residents who would fall outside it if it closed
    resilience: pd.DataFrame | None = None
    #: the street graphs the stage solved, as tables (``urbanrisk.graph_tables.graph_to_tables``), per mode
    network_nodes: pd.DataFrame | None = None
    network_edges: pd.DataFrame | None = None
    #: the network tables a coverage task on a worker process wrote itself, by name -> their Parquet file
    #: (then ``network_nodes`` / ``network_edges`` are None: the driver never held them); after the
    #: run's folder is written, its files there
    network_files: dict[str, str] = field(default_factory=dict)
    #: standards left unknown for want of their resource (none in the data, not declared complete):
    #: name -> why, in words (each cell's ``unknown`` names them)
    unknown: dict[str, str] = field(default_factory=dict)
    #: 2SFCA per resource of each standard: places per 1,000 counted residents, "upper bound" where its
    #: catchment holds cells of unknown residents, "unknown" where it counted nobody (urbanrisk.supply)
    supply: pd.DataFrame | None = None


@dataclass
class RunResult:
    """What a run produced: the graded grid, the four screens and everything needed to explain them.

    ``recipe`` is the validated :class:`urbanrisk.recipe.Recipe` (typed loosely here: result types
    import nothing else of urbanrisk). ``renderer`` draws the map: :func:`urbanrisk.run.run_recipe`
    sets it to the outputs' map builder, so that :meth:`map` works in a notebook.
    """

    recipe: Any
    grid: gpd.GeoDataFrame
    layers: Layers
    area: BaseGeometry
    timings: dict[str, float]
    notes: list[str]
    screens: Screens | None = None
    coverage: CoverageResult | None = None
    run_dir: Path | None = None
    published: str | None = None  # where outputs.publish copied the run
    renderer: Callable[[RunResult], Any] | None = field(default=None, repr=False, compare=False)
    #: During a run on worker processes: where the grid stage left the grid's columns no stage reads
    #: (:class:`urbanrisk.grid_spool.GridSpool`); the write puts them back into the grid's parts.
    #: None: ``grid`` has every column.
    grid_spool: Any = field(default=None, repr=False, compare=False)
    #: After such a run's write: what puts those columns back into ``grid`` (read from the run folder's
    #: parts) the first time ``grid`` is read, so that the driver holds the whole grid only if asked.
    grid_completion: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)
    #: Then also the run's summary (:class:`urbanrisk.outputs.summary.RunSummary`) made from the grid
    #: the driver held, for what prints it after the run (``urbanrisk run``: the grid is not made whole).
    summary: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        """What a notebook shows for ``res``: the run in a few lines and where its tables are (the
        dataclass's own repr printed the recipe and every table: ~27,000 characters). A processes run's
        grid is not made whole for it (:attr:`summary` gives the counts)."""
        screens, summary = self.screens, self.summary
        if self.__dict__.get("grid_completion") is not None and summary is not None:
            # a processes run's grid not yet made whole: its summary's counts, read without the parts
            cells, residents = summary.cells, float(summary.residents)
            grades = {grade: counts.get("cells", 0) for grade, counts in summary.grades.items()}
        else:
            grid = self.grid
            cells = len(grid)
            grades = grid["grade"].astype(str).value_counts() if "grade" in grid.columns else {}
            residents = float(grid["residents"].sum()) if "residents" in grid.columns else float("nan")
        resolution = getattr(getattr(self.recipe, "grid", None), "resolution", "?")
        names = ("hazard_sources", "communities", "key_districts", "urban_villages")
        tables = [f"{name} {len(getattr(screens, name)):,}" for name in names] if screens else []
        standards = [s.name for s in self.coverage.standards] if self.coverage is not None else []
        lines = [
            f"RunResult {getattr(self.recipe, 'name', '?')!r}: {cells:,} cells (H3 r{resolution}), "
            f"{residents:,.0f} residents counted",
            "  grades: " + " · ".join(f"{g} {int(grades.get(g, 0)):,}" for g in GRADE_CLASSES),
            "  screens: " + (" · ".join(tables) or "not run"),
            "  coverage: " + (", ".join(standards) or "not run"),
            f"  run folder: {self.run_dir or 'not written (write=False)'}",
            "  .grid · .screens.<screen> · .coverage.<coverage|gaps|sites|supply> · .layers · .map()",
        ]
        return "\n".join(lines)

    def map(self) -> Any:
        """The run's map as a pydeck Deck; in a notebook it shows inline, offline, with its legend."""
        if self.renderer is None:
            msg = "this result has no map renderer: get results from urbanrisk.run_recipe()"
            raise RuntimeError(msg)
        return self.renderer(self)


def _grid_of(result: RunResult) -> gpd.GeoDataFrame:
    """``result.grid``: the spooled columns put back first, when a run left them in its parts."""
    values = result.__dict__
    completion = values.get("grid_completion")
    if completion is not None:
        values["_grid"] = completion(values["_grid"])
        values["grid_completion"] = None
    return values["_grid"]


def _set_grid(result: RunResult, grid: gpd.GeoDataFrame) -> None:
    result.__dict__["_grid"] = grid


#: The dataclass's ``grid`` field read through :func:`_grid_of` (its ``__init__`` sets it as before).
RunResult.grid = property(_grid_of, _set_grid)  # type: ignore[assignment,method-assign]


def screen_tables(result: RunResult) -> dict[str, Any]:
    """The screens' and coverage tables by output name (a skipped screen still has its empty table)."""
    tables: dict[str, Any] = {}
    screens = result.screens
    if screens is not None:
        tables.update(
            hazard_sources=screens.hazard_sources,
            communities=screens.communities,
            key_districts=screens.key_districts,
            urban_villages=screens.urban_villages,
        )
        tables.update({f"register_{level}": table for level, table in screens.registers.items()})
        if screens.responsibility is not None:
            tables["responsibility"] = screens.responsibility
    coverage = result.coverage
    if coverage is not None:
        tables.update(coverage=coverage.coverage, gaps=coverage.gaps, suggested_sites=coverage.sites)
        if coverage.resilience is not None:
            tables["resilience"] = coverage.resilience
        if coverage.supply is not None:
            tables["supply"] = coverage.supply
    return tables


@dataclass
class IncidentResult:
    """An incident answered from a run folder: who is around it, who comes, where people go.

    Frames (plain pandas, lon/lat in WGS84): ``rings`` (per ring band and cumulative), ``sites``
    (vulnerable sites by distance), ``units`` (community units and areas to notify), ``resources``
    (nearest of each kind by network travel time), ``shelters`` and ``assignment`` (evacuees per
    cell and shelter), ``cells`` (cells touched, with the share inside the evacuation radius).
    """

    recipe: str
    run_dir: Path
    kind: str
    kind_source: str
    lon: float
    lat: float
    given: dict[str, Any]  # the point as given (coordinates and system)
    radius_m: float
    rings: pd.DataFrame
    sites: pd.DataFrame
    units: pd.DataFrame
    resources: pd.DataFrame
    shelters: pd.DataFrame
    assignment: pd.DataFrame
    cells: pd.DataFrame
    evacuees: float
    unplaced: float
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    out_dir: Path | None = None
    language: str = "en"  # the recipe's report language: incident.html's words
    kind_label: str = ""  # the kind in that language (the kind table's first name: 燃气泄漏)
    #: the office's own columns of ``resources`` (a registry's keep_columns: 值班电话, 负责人...)
    kept_columns: list[str] = field(default_factory=list)
    #: the sources the sheet's footer credits, in ``language`` (outputs/credits.py: OSM, each raster)
    credits: list[str] = field(default_factory=list)
