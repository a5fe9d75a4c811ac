"""Who comes and where people go: resources ranked by network travel time to a point, and the
capacity-constrained walking assignment of evacuees to shelters (:func:`assign_shelters`).

Both work on the street graphs a run keeps (:func:`urbanrisk.graph_tables.graph_from_tables`): travel
*to* the point is one Dijkstra on the reversed graph per mode (resources start anywhere); walking
distance from every evacuee group to every shelter is one Dijkstra per shelter on the reversed walk
graph. Resources and shelters snap to the graph as coverage does (``max_snap_m``); they come as a plain
table with ``lon``/``lat`` and ``x``/``y`` projected in the graphs' UTM zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from . import settings
from .evacuation import assign_shelters
from .network import StreetGraph
from .unsnapped import named

RESOURCE_COLUMNS = [
    "kind",
    "rank",
    "id",
    "name",
    "mode",
    "travel_s",
    "turnout_s",
    "eta_s",
    "network_m",
    "capacity",
    "lon",
    "lat",
]


def travel_to(graph: StreetGraph, node: int) -> tuple[np.ndarray, np.ndarray]:
    """Travel time and network distance from every node *to* ``node`` (reversed graph)."""
    time_s = dijkstra(graph.time_s.T.tocsr(), directed=True, indices=node)
    length = dijkstra(graph.length_m.T.tocsr(), directed=True, indices=node)
    return time_s, length


def absent_kinds(standards: dict[str, dict], resources: pd.DataFrame) -> list[str]:
    """A note per coverage standard (the manifest's) whose kind the run holds none of: none is sent,
    and whether that is known (a registry declared complete lists none) or unknown (none was mapped)."""
    kinds = set(resources["kind"]) if len(resources) else set()
    notes = []
    for name, spec in standards.items():
        kind = spec.get("resource_kind")
        if not kind or kind in kinds:
            continue
        if spec.get("declared_complete"):
            notes.append(
                f"no {kind} to send: {spec['declared_complete']} lists none ({name}: nobody reached)"
            )
        else:
            notes.append(
                f"no {kind} in the run's data, so none is listed here: unknown whether there is one nearby "
                f"({name} coverage was not evaluated; a registry that lists every {kind} says so with "
                f"complete_for: [{kind}])"
            )
    return notes


def nearest_resources(
    resources: pd.DataFrame,
    graphs: dict[str, StreetGraph],
    modes: dict[str, tuple[str, float]],
    incident_xy: dict[str, np.ndarray],
    *,
    max_snap_m: float,
    notes: list[str],
) -> pd.DataFrame:
    """The nearest resources of each kind by network travel time to the incident."""
    rows = []
    solved: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
    for kind, group in resources.groupby("kind", sort=True):
        mode, turnout = modes.get(str(kind), ("drive", 0.0))
        graph = graphs.get(mode)
        if graph is None:
            notes.append(f"{kind}: the run kept no {mode} street graph; travel times unknown")
            continue
        graph.public_snap_m = max_snap_m  # drive_service snaps where drive would (network.StreetGraph.snap)
        if mode not in solved:
            node, snap = graph.snap(*incident_xy[mode])
            solved[mode] = (*travel_to(graph, int(node[0])), float(snap[0]))
            if snap[0] > max_snap_m:
                notes.append(
                    f"the incident is {snap[0]:.0f} m from the nearest {mode} street: "
                    f"{mode} times start there"
                )
        time_s, length, _ = solved[mode]
        nodes, snap = graph.snap(group["x"].to_numpy(), group["y"].to_numpy())
        travel = np.where(snap <= max_snap_m, time_s[nodes], np.nan)
        far = snap > max_snap_m
        names = group["name"] if "name" in group.columns else group["id"]  # by name too (an office's)
        for far_id, far_name, far_m in zip(group["id"][far], names[far], snap[far], strict=True):
            notes.append(
                f"{kind} {named(far_id, far_name)}: no {mode} street within {max_snap_m:.0f} m "
                f"({far_m:.0f} m): not ranked"
            )
        table = pd.DataFrame(
            {
                "kind": kind,
                "id": group["id"].to_numpy(),
                "name": group["name"].to_numpy(),
                "mode": mode,
                "travel_s": travel,
                "turnout_s": turnout,
                "eta_s": travel + turnout,
                "network_m": np.where(snap <= max_snap_m, length[nodes], np.nan),
                "capacity": group["capacity"].to_numpy(dtype=float),
                "lon": group["lon"].to_numpy(),
                "lat": group["lat"].to_numpy(),
            }
        )
        table = (
            table[np.isfinite(table["eta_s"])]
            .sort_values(["eta_s", "id"])
            .head(settings.incident_resources_per_kind)
        )
        rows.append(table.assign(rank=np.arange(1, len(table) + 1))[RESOURCE_COLUMNS])
    if not rows:
        return pd.DataFrame(columns=RESOURCE_COLUMNS)
    return pd.concat(rows, ignore_index=True)


def shelter_assignment(
    resources: pd.DataFrame,
    graph: StreetGraph | None,
    groups: pd.DataFrame,
    incident_xy: np.ndarray,
    radius: float,
    *,
    max_snap_m: float,
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Shelters usable by the evacuees (outside the radius, capacity known, on the walk network),
    the capacity-constrained walking assignment, and the people left without a place."""
    shelters = resources[resources["kind"] == "shelter"].reset_index(drop=True)
    evacuees = float(groups["people"].sum())
    table = pd.DataFrame(
        {
            "id": shelters["id"].to_numpy(),
            "name": shelters["name"].to_numpy(),
            "capacity": shelters["capacity"].to_numpy(dtype=float),
            "lon": shelters["lon"].to_numpy(),
            "lat": shelters["lat"].to_numpy(),
            "assigned": 0.0,
            "mean_walk_m": np.nan,
            "status": "",
        }
    )
    empty = pd.DataFrame(columns=["h3_cell", "shelter_id", "people", "walk_m"])
    if graph is None or not len(shelters):
        table["status"] = "no walk street graph in the run" if len(shelters) else ""
        return table, empty, evacuees
    x, y = shelters["x"].to_numpy(), shelters["y"].to_numpy()
    node, snap = graph.snap(x, y)
    inside = np.hypot(x - incident_xy[0], y - incident_xy[1]) <= radius
    unknown = ~np.isfinite(table["capacity"].to_numpy())
    table["status"] = np.select(
        [inside, unknown, snap > max_snap_m],
        [
            "inside the evacuation radius",
            "capacity unknown (give capacity_column in a registry)",
            f"no walkable street within {max_snap_m:.0f} m",
        ],
        "usable",
    )
    usable = np.flatnonzero(table["status"].to_numpy() == "usable")
    if not len(usable) or not len(groups):
        return table, empty, evacuees
    cell_node, cell_snap = graph.snap(groups["x"].to_numpy(), groups["y"].to_numpy())
    dist = dijkstra(graph.length_m.T.tocsr(), directed=True, indices=node[usable])  # node -> shelter
    walk = dist[:, cell_node].T
    walk[cell_snap > max_snap_m, :] = np.inf
    flow, left = assign_shelters(
        groups["people"].to_numpy(),
        walk,
        table["capacity"].to_numpy()[usable],
        max_walk_m=settings.incident_max_walk_m,
    )
    gi, sj = np.nonzero(flow > 1e-9)
    assignment = pd.DataFrame(
        {
            "h3_cell": groups.index.to_numpy()[gi],
            "shelter_id": table["id"].to_numpy()[usable][sj],
            "people": flow[gi, sj],
            "walk_m": walk[gi, sj],
        }
    )
    assigned = flow.sum(axis=0)
    table.loc[usable, "assigned"] = assigned
    with np.errstate(invalid="ignore", divide="ignore"):
        table.loc[usable, "mean_walk_m"] = (flow * np.where(np.isfinite(walk), walk, 0)).sum(
            axis=0
        ) / assigned
    return table, assignment, left
