"""Answer an incident from the latest run of a recipe, without recomputing the city.

``urbanrisk incident RECIPE --at LON,LAT --kind gas_leak [--radius 200]`` (or :func:`incident`)
reads what the run folder keeps — the grid's people, the vulnerable sites, the community units and
areas, the resources and the street graphs as solved (``network_nodes`` / ``network_edges``) — and
answers:

- residents and people present per distance ring (``tables/incident_kinds.csv``: each kind's rings
  and evacuation radius, with their source), cells shared by area (:mod:`urbanrisk.evacuation`);
- vulnerable sites (schools, kindergartens, hospitals, elderly homes) with names and distances, and
  every unit to notify (community units of each source the run has, key districts, urban villages);
- the nearest resources of each kind, ranked by network travel time *to* the incident (one Dijkstra
  on the reversed graph per mode), with turnout added where the recipe's standard sets one;
- shelters for the evacuated residents within capacity, walking (:func:`assign_shelters`), and
  who is left without a place.

Distances to sites and units are straight-line metres in the run's UTM zone; travel is on the network.
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from . import settings
from ._errors import InputError
from .coverage import standards_for
from .evacuation import disc_shares, ring_table, studied_shares
from .grid import cells_to_polygons
from .grid_dataset import GRID_DIR, has_grid
from .incident_reads import (
    grid_cells,
    kept_columns,
    listed_kept_columns,
    people_of,
    run_graphs,
    run_resources,
    sites_near,
    units_near,
    with_kept_columns,
)
from .layers.coords import to_wgs84, utm_crs
from .layers.table_numbers import check_numbers
from .layers.tables import _read_table
from .lifecycle import latest_run, read_manifest, utc_stamp
from .outputs.credits import source_credits
from .outputs.i18n import translator
from .outputs.incident import write_incident
from .recipe import Recipe, load_recipe
from .response import absent_kinds, nearest_resources, shelter_assignment
from .result import IncidentResult

#: Files of a run folder an incident answer reads (older runs lack the last four: rerun them).
RUN_FILES = ("manifest.json", "communities.parquet", "resources.parquet", "vulnerable_sites.parquet")
RUN_FILES += ("network_nodes.parquet", "network_edges.parquet")
#: a ring whose disc the run's cells cover less than this share of reaches past the study area
STUDIED_SHARE = 0.995


def incident_kind_table(path: str | Path | None = None) -> pd.DataFrame:
    """kind -> rings (metres, ascending), evacuate_m, source.

    Examples
    --------
    >>> float(incident_kind_table().loc["gas_leak", "evacuate_m"])
    100.0
    """
    path = Path(path) if path else settings.tables_dir / "incident_kinds.csv"
    table = _read_table(path, ["kind", "rings_m", "evacuate_m", "source"])
    check_numbers(table, "incident_kinds", path)
    table = table.set_index("kind")
    if "names" not in table.columns:  # a copy made before the column existed
        table["names"] = ""
    table["rings"] = table["rings_m"].map(lambda t: sorted(float(r) for r in t.split("|") if r.strip()))
    table["evacuate_m"] = table["evacuate_m"].astype(float)
    return table


def kind_named(kind: str, kinds: pd.DataFrame, path: str | Path) -> str:
    """The table's kind for what ``--kind`` said: a kind, or one of its ``names`` (燃气泄漏 -> gas_leak).

    Examples
    --------
    >>> kind_named("燃气泄漏", incident_kind_table(), "incident_kinds.csv")
    'gas_leak'
    """
    wanted = kind.strip().lower()
    for name, names in kinds["names"].items():
        if wanted == str(name).lower() or wanted in {n.strip().lower() for n in str(names).split("|")}:
            return str(name)
    known = [f"{k} ({n.split('|')[0]})" if n else str(k) for k, n in kinds["names"].items()]
    msg = (
        f"incident kind {kind!r} has no distance table entry: use one of {', '.join(known)}, or add a row "
        f"to your copy of {Path(path).name} named in the recipe (tables: {{incident_kinds: FILE}})"
    )
    raise InputError(msg)


def parse_point(text: str) -> tuple[float, float]:
    """``"LON,LAT"`` -> (lon, lat), with a message that says how to write it.

    Examples
    --------
    >>> parse_point("116.3267, 39.9925"), parse_point("１１６.３２６７，39.9925")  # a Chinese input method's
    ((116.3267, 39.9925), (116.3267, 39.9925))
    """
    try:
        lon, lat = (float(v) for v in unicodedata.normalize("NFKC", text).split(","))
    except ValueError as exc:
        msg = f"--at {text!r}: give the point as LON,LAT in degrees, e.g. --at 116.3267,39.9925"
        raise InputError(msg) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        msg = f"--at {text!r}: LON must lie in -180..180 and LAT in -90..90 (did you swap them?)"
        raise InputError(msg)
    return lon, lat


def run_folder_for(recipe: Recipe, out: str | Path | None = None) -> Path:
    """The latest complete run of the recipe, checked to hold every file an incident needs."""
    out_dir = Path(out) if out is not None else Path(recipe.outputs.dir)
    run_dir = latest_run(out_dir)
    source = recipe.source_path or recipe.name
    if run_dir is None:
        msg = f"no run of recipe {recipe.name!r} yet in {out_dir}: run `urbanrisk run {source}` first"
        raise InputError(msg)
    missing = [name for name in RUN_FILES if not (run_dir / name).is_file()]
    if not has_grid(run_dir):
        missing.insert(1, f"{GRID_DIR}/")
    if missing:
        version = "unknown"
        if (run_dir / "manifest.json").is_file():
            version = read_manifest(run_dir).get("versions", {}).get("urbanrisk", "unknown")
        msg = (
            f"run folder {run_dir} (urbanrisk {version}) lacks {', '.join(missing)}: it was written before "
            f"incident answers existed; run `urbanrisk run {source}` again to write them"
        )
        raise InputError(msg)
    return run_dir


def _kind_modes(recipe: Recipe) -> dict[str, tuple[str, float]]:
    """Resource kind -> (mode, turnout s) from the recipe's standards; others drive, shelters walk."""
    spec = recipe.coverage
    modes: dict[str, tuple[str, float]] = {"shelter": ("walk", 0.0)}
    for standard in reversed(standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)):
        modes[standard.resource_kind] = (standard.mode, standard.turnout_s if standard.by_time else 0.0)
    return modes


def _resolve(at: str | tuple[float, float], coords: str) -> tuple[float, float, dict[str, Any]]:
    given_lon, given_lat = parse_point(at) if isinstance(at, str) else (float(at[0]), float(at[1]))
    try:
        lon, lat = to_wgs84(np.array([given_lon]), np.array([given_lat]), coords)
    except ValueError as exc:
        raise InputError(f"--coords {coords!r}: use wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu)") from exc
    return float(lon[0]), float(lat[0]), {"lon": given_lon, "lat": given_lat, "coords": coords}


def incident_from_run(
    recipe: Recipe,
    run_dir: Path,
    *,
    at: str | tuple[float, float],
    kind: str,
    coords: str = "wgs84",
    radius: float | None = None,
    kinds_path: str | Path | None = None,
) -> IncidentResult:
    """Answer an incident from a complete run folder (see the module docstring)."""
    start = time.perf_counter()
    kinds_path = kinds_path or recipe.tables.incident_kinds
    kinds = incident_kind_table(kinds_path)
    kind = kind_named(kind, kinds, kinds_path or settings.tables_dir / "incident_kinds.csv")
    entry = kinds.loc[kind]
    radius = float(entry["evacuate_m"]) if radius is None else float(radius)
    if not 0 < radius <= settings.max_table_distance_m:  # inf, 1e308, 5e7: h3's disk overflowed (a traceback)
        msg = (
            f"--radius {radius:g}: give the evacuation radius in metres (> 0, at most "
            f"{settings.max_table_distance_m:,.0f}, the farthest a distance table may say)"
        )
        raise InputError(msg)
    radii = sorted({*entry["rings"], radius})
    lon, lat, given = _resolve(at, coords)
    cells = grid_cells(run_dir, lon, lat, max(radii))
    graphs = run_graphs(run_dir)
    crs = next(iter(graphs.values())).utm_crs if graphs else utm_crs(lon, lat)
    to_xy = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xy = np.array(to_xy.transform(lon, lat))
    polygons = shapely.transform(
        cells_to_polygons(cells.index), lambda c: np.column_stack(to_xy.transform(c[:, 0], c[:, 1]))
    )
    shares = disc_shares(polygons, (xy[0], xy[1]), radii)
    residents, present = people_of(cells)
    studied = studied_shares(polygons, shares, (xy[0], xy[1]), radii, whole=STUDIED_SHARE)
    known = cells["known_residents"].to_numpy(dtype=bool) if "known_residents" in cells else None
    rings = ring_table(residents, present, shares, radii, known=known, studied=studied)
    point = shapely.Point(xy)
    sites, units = sites_near(run_dir, to_xy, point, radii), units_near(run_dir, to_xy, point, radii, radius)
    inside_share = shares[:, radii.index(radius)]
    latlng = np.array([h3.cell_to_latlng(c) for c in cells.index]).reshape(-1, 2)
    centre_x, centre_y = to_xy.transform(latlng[:, 1], latlng[:, 0])
    cell_table = pd.DataFrame(
        {
            "residents": residents,
            "people_present": present,
            "share_evacuated": inside_share,
            "evacuees": residents * inside_share,
            "x": np.asarray(centre_x),
            "y": np.asarray(centre_y),
        },
        index=cells.index,
    )
    recipe_modes = _kind_modes(recipe)
    manifest = read_manifest(run_dir)  # the registries' kept columns, the coverage standards
    resources = run_resources(run_dir, to_xy, listed_kept_columns(manifest))
    max_snap_m = settings.max_snap_m if recipe.coverage.max_snap_m is None else recipe.coverage.max_snap_m
    notes: list[str] = []
    point_xy = {mode: (np.array([xy[0]]), np.array([xy[1]])) for mode in graphs}
    nearest = nearest_resources(resources, graphs, recipe_modes, point_xy, max_snap_m=max_snap_m, notes=notes)
    nearest = with_kept_columns(nearest, resources)  # 值班电话, 负责人... (a registry's keep_columns)
    notes.extend(absent_kinds(manifest.get("coverage", {}).get("standards", {}), resources))
    groups = cell_table[cell_table["evacuees"] > 0].rename(columns={"evacuees": "people"})
    shelters, assignment, unplaced = shelter_assignment(
        resources, graphs.get("walk"), groups, xy, radius, max_snap_m=max_snap_m
    )
    shelters = with_kept_columns(shelters.assign(kind="shelter"), resources).drop(columns="kind")
    beyond = [r for r, share in zip(radii, studied, strict=True) if share < 1.0]
    if beyond:
        notes.append(
            f"the {', '.join(f'{r:,.0f} m' for r in beyond)} ring(s) reach past the run's study area: their "
            "residents and people present count only the part inside it (run a recipe covering more)"
        )
    if not (shelters["status"] == "usable").any():
        notes.append(
            "no usable shelter (a shelter with a known capacity outside the radius): "
            "every evacuee is without a place"
        )
    placed = assignment.groupby("h3_cell")["people"].sum() if len(assignment) else pd.Series(dtype=float)
    cell_table["without_place"] = (
        cell_table["evacuees"] - placed.reindex(cell_table.index).fillna(0.0)
    ).clip(lower=0.0)
    touched = cell_table[shares[:, -1] > 0].drop(columns=["x", "y"])
    return IncidentResult(
        recipe=recipe.name,
        run_dir=run_dir,
        kind=kind,
        kind_source=str(entry["source"]),
        lon=lon,
        lat=lat,
        given=given,
        radius_m=radius,
        rings=rings,
        sites=sites,
        units=units,
        resources=nearest,
        shelters=shelters,
        assignment=assignment,
        cells=touched.rename_axis("h3_cell").reset_index(),
        evacuees=float(groups["people"].sum()),
        unplaced=unplaced,
        notes=notes,
        timings={"answer_s": round(time.perf_counter() - start, 4)},
        language=recipe.report.language,
        kind_label=str(entry["names"]).split("|")[0] if recipe.report.language == "zh" else "",
        kept_columns=kept_columns(resources),
        credits=source_credits(recipe, translator(recipe.report.language)),
    )


def answer_incident(
    recipe: Recipe | str | Path,
    *,
    at: str | tuple[float, float],
    kind: str,
    coords: str = "wgs84",
    radius: float | None = None,
    runs: str | Path | None = None,
    out: str | Path | None = None,
    write: bool = True,
    kinds_path: str | Path | None = None,
) -> IncidentResult:
    """Answer an incident from the latest run of ``recipe`` and (by default) write its files.

    Parameters
    ----------
    at
        The incident's point, ``(lon, lat)`` or ``"LON,LAT"``, in ``coords`` (wgs84, gcj02, bd09).
    kind
        A kind of ``tables/incident_kinds.csv`` (gas_leak, chemical_spill, explosion, fire) or one
        of its names (燃气泄漏, 危化品泄漏, 爆炸, 火灾); the recipe's ``tables: {incident_kinds: ...}``
        replaces the table.
    radius
        Metres evacuated (None: the kind's ``evacuate_m``); always one of the rings.
    runs
        The recipe's outputs folder (replaces ``outputs.dir``, as ``urbanrisk run --out``).
    out
        Where to write incident.html, incident.json and incident.geojson (None: a stamped folder
        ``<outputs.dir>/incidents/<UTC stamp>-<kind>``).

    Raises
    ------
    InputError
        No run yet, a run folder missing the files an incident needs, a point outside the run's area,
        a kind without a distance table entry.
    """
    if not isinstance(recipe, Recipe):
        recipe = load_recipe(recipe)
    run_dir = run_folder_for(recipe, runs)
    result = incident_from_run(
        recipe, run_dir, at=at, kind=kind, coords=coords, radius=radius, kinds_path=kinds_path
    )
    if write:
        start = time.perf_counter()
        base = Path(runs) if runs is not None else Path(recipe.outputs.dir)
        target = Path(out) if out is not None else base / "incidents" / f"{utc_stamp()}-{result.kind}"
        result.out_dir = write_incident(result, target)
        result.timings["write_s"] = round(time.perf_counter() - start, 4)
    return result
