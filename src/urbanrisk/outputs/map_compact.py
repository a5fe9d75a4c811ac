"""Keep the map's page small whatever the size of the run: outlines within a vertex budget,
coordinates rounded to about 1 m, and each repeated piece of a tooltip written once.

Outlines (units, coverage gaps, key districts, urban villages) are unions of H3 cells: their zigzag
edges hold most of their vertices. Above :data:`MAX_OUTLINE_VERTICES` they are simplified (the same
tolerance for all, at most :data:`TOLERANCES_M`'s last), and the least important layers that still
do not fit are left out, with a note saying so and where they are (``risk.gpkg``).

Tooltips (:func:`compact_tips`): a piece that recurs (a cell's unknown indicators, its grade) is
written once in a table and marked in the tip by its number between private-use characters
(:data:`PART`, :data:`END`), a line break by :data:`BREAK` and a cell's id by :data:`CELL` (its row's
``hex``): ``<br/>`` costs 15 bytes in the page, whose JSON escapes every ``<`` and ``>``. The page's
script puts them back on hover (:func:`urbanrisk.outputs.map.legend_html`); the tips are stripped of
these characters first, so that only this module writes them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pydeck as pdk
import shapely

from .map_context import DECIMALS, coordinate_lists
from .planner_layers import LEVEL_HALOS

#: Most outline vertices the map draws (about 20 bytes each in the page).
MAX_OUTLINE_VERTICES = 60_000
#: Simplification tolerances tried in turn, metres (0: only rounded to 1e-5°).
TOLERANCES_M = (0, 10, 30, 60)
#: Outline layers kept first when they do not all fit (the rest: the finest units last).
PRIORITY = ("units:district", "units:street", "key_districts", "urban_villages", "gaps:", "units:community")
#: Where a tooltip is cut into pieces (kept in the tip: the page puts the pieces back between them).
SEPARATORS = re.compile("(<br/>|; )")
#: Private-use characters of the compact tips: a part's number between PART and END, a line break, a cell id.
PART, END, BREAK, CELL = "\ue000", "\ue001", "\ue002", "\ue003"
_UNMARKED = str.maketrans("", "", PART + END + BREAK + CELL)
#: Any of them: ``str.translate`` looks each character up (0.3 s for a 16-tile map's 15k tips), a
#: search that finds none (the usual case) does not.
_MARKS = re.compile(f"[{PART}{END}{BREAK}{CELL}]")


def _is_outline(layer: pdk.Layer) -> bool:
    return layer.type == "PolygonLayer" and (
        layer.id.startswith(("units:", "gaps:")) or layer.id in ("key_districts", "urban_villages")
    )


def _priority(layer_id: str) -> int:
    return next((i for i, p in enumerate(PRIORITY) if layer_id.startswith(p)), len(PRIORITY))


def _label(layer_id: str) -> str:
    """A layer's name in the map's notes.

    Examples
    --------
    >>> _label("units:community"), _label("gaps:fire"), _label("key_districts")
    ('community', 'fire coverage gap', 'key district')
    """
    group, _, part = layer_id.partition(":")
    if group == "gaps":
        return f"{part} coverage gap"
    return (part or group.removesuffix("s")).replace("_", " ")


def _polygons(rows: list[dict[str, Any]]) -> np.ndarray:
    """One polygon per row (its ``polygon``: one exterior ring, or a shapely polygon of one)."""
    if isinstance(rows[0]["polygon"], shapely.Geometry):
        return np.array([row["polygon"] for row in rows], dtype=object)
    rings = [np.asarray(row["polygon"][0], dtype=float) for row in rows]
    coords = np.concatenate(rings)
    index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    return shapely.polygons(shapely.linearrings(coords, indices=index))


def _simplified(polygons: np.ndarray, metres: float) -> np.ndarray:
    """Exterior rings, simplified to ``metres`` (as degrees of latitude) without breaking a polygon."""
    shapes = shapely.simplify(polygons, metres / 111_320, preserve_topology=True) if metres else polygons
    return shapely.get_exterior_ring(shapes)


def _copies(layer_id: str) -> int:
    """How many times the page holds a layer's rings: twice for a cased unit level (its casing,
    :func:`.planner_layers.unit_halos`, repeats them; it was not counted in the budget).

    >>> _copies("units:community"), _copies("units:street"), _copies("gaps:fire")
    (2, 1, 1)
    """
    group, _, level = layer_id.partition(":")
    return 2 if group == "units" and level in LEVEL_HALOS else 1


def _fit(polygons: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """The least simplification at which the most important layers fit the budget (a cased layer's
    rings counted twice), and their rings."""
    ids = sorted(polygons, key=_priority)
    done: dict[tuple[str, float], np.ndarray] = {}
    while ids:
        for metres in TOLERANCES_M:
            for layer_id in ids:
                if (layer_id, metres) not in done:
                    done[layer_id, metres] = _simplified(polygons[layer_id], metres)
            if (
                sum(_copies(i) * int(shapely.get_num_coordinates(done[i, metres]).sum()) for i in ids)
                <= MAX_OUTLINE_VERTICES
            ):
                return metres, {i: done[i, metres] for i in ids}
        ids = ids[:-1]  # the least important layer left out
    return 0, {}


def fit_outlines(
    layers: list[pdk.Layer], gpkg_layer: dict[str, str] | None = None
) -> tuple[list[pdk.Layer], list[str]]:
    """``layers`` with their outlines rounded, simplified and left out to fit
    :data:`MAX_OUTLINE_VERTICES`, and the notes saying what was (``gpkg_layer``: layer id -> the
    ``risk.gpkg`` layer that holds it)."""
    outlines = {layer.id: layer for layer in layers if _is_outline(layer) and len(layer.data)}
    if not outlines:
        return layers, []
    polygons = {layer_id: _polygons(layer.data) for layer_id, layer in outlines.items()}
    metres, rings = _fit(polygons)
    notes = (
        [f"outlines simplified to about {metres} m for a smooth map (exact in risk.gpkg)"] if metres else []
    )
    for layer_id in sorted(set(outlines) - set(rings), key=_priority):
        where = (gpkg_layer or {}).get(layer_id, layer_id.partition(":")[0])
        notes.append(
            f"{len(polygons[layer_id]):,} {_label(layer_id)} outlines are too many for a smooth map: "
            f"not drawn (in risk.gpkg, layer {where})"
        )
    for layer_id, layer_rings in rings.items():
        layer = outlines[layer_id]
        layer.data = [
            {**row, "polygon": [ring]}
            for row, ring in zip(layer.data, coordinate_lists(layer_rings), strict=True)
        ]
    return [layer for layer in layers if layer.id not in outlines or layer.id in rings], notes


def round_positions(layers: list[pdk.Layer]) -> None:
    """Round points' ``position`` to 1e-5° (about 1 m) and ``radius`` to 0.1 m, in place."""
    for layer in layers:
        data = layer.data
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            continue
        if "position" in data[0]:
            for row in data:
                row["position"] = [round(float(v), DECIMALS) for v in row["position"]]
        if "radius" in data[0]:
            for row in data:
                row["radius"] = round(float(row["radius"]), 1)


def compact_tips(layers: list[pdk.Layer]) -> list[str]:
    """Write each piece of a tooltip (between ``<br/>`` and ``; ``) that recurs once, when that makes
    the page smaller, and mark it, line breaks and a cell's own id in the tips, in place (see the
    module's docstring); returns the pieces, n-th first.

    Examples
    --------
    >>> rows = [{"tip": "<b>a</b><br/>a line long enough to write once; x"}] * 3
    >>> layer = pdk.Layer("ScatterplotLayer", data=rows)
    >>> compact_tips([layer]), layer.data[0]["tip"] == f"<b>a</b>{BREAK}{PART}0{END}; x"
    (['a line long enough to write once'], True)
    >>> cells = pdk.Layer("H3HexagonLayer", data=[{"hex": "8a31aa", "tip": "<b>cell 8a31aa</b>"}])
    >>> compact_tips([cells]), cells.data[0]["tip"] == f"<b>cell {CELL}</b>"
    ([], True)
    """
    listed = [layer for layer in layers if isinstance(layer.data, list)]
    for layer in listed:
        layer.data = [_cell_marked(row) for row in layer.data]
    # each tip cut once: pieces at even places, separators at odd ones (None: a row without a tip)
    cut = [
        [SEPARATORS.split(row["tip"]) if _has_tip(row) else None for row in layer.data] for layer in listed
    ]
    counts = Counter(piece for rows in cut for pieces in rows if pieces is not None for piece in pieces[::2])
    # the page saves (n - 1) copies of a piece and pays n markers (~5 bytes) and the piece's quotes
    gain = {piece: (n - 1) * len(piece.encode()) - n * 5 - 3 for piece, n in counts.items() if n > 1}
    kept = sorted((piece for piece in gain if gain[piece] > 0), key=gain.__getitem__, reverse=True)
    parts = {piece: i for i, piece in enumerate(kept)}
    for layer, rows in zip(listed, cut, strict=True):
        layer.data = [
            row if pieces is None else _compact_row(row, pieces, parts)
            for row, pieces in zip(layer.data, rows, strict=True)
        ]
    return kept


def expand_tip(tip: str, parts: list[str], cell: str = "") -> str:
    """A compact tip as the page's script shows it (its Python mirror: for tests and readers).

    Examples
    --------
    >>> expand_tip(f"<b>cell {CELL}</b>{BREAK}{PART}0{END}; x", ["grade II"], "8a31aa")
    '<b>cell 8a31aa</b><br/>grade II; x'
    """
    tip = re.sub(f"{PART}(\\d+){END}", lambda m: parts[int(m.group(1))], tip)
    return tip.replace(BREAK, "<br/>").replace(CELL, re.sub("[^0-9a-f]", "", cell))


def _has_tip(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("tip"), str)


def _cell_marked(row: Any) -> Any:
    """A row's tip without the private-use characters, and a cell's id in it as :data:`CELL`."""
    if not _has_tip(row):
        return row
    tip = row["tip"]
    if _MARKS.search(tip):
        tip = tip.translate(_UNMARKED)
    if isinstance(row.get("hex"), str) and row["hex"]:
        tip = tip.replace(row["hex"], CELL)
    return {**row, "tip": tip}


def _compact_row(row: dict[str, Any], pieces: list[str], parts: dict[str, int]) -> dict[str, Any]:
    """``row`` with its tip, cut into ``pieces`` (even places; separators at odd ones), compacted."""
    pieces[::2] = [f"{PART}{parts[x]}{END}" if x in parts else x for x in pieces[::2]]
    pieces[1::2] = [BREAK if x == "<br/>" else x for x in pieces[1::2]]
    return {**row, "tip": "".join(pieces)}
