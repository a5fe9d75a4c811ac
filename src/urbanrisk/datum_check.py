"""Registries whose lon/lat look like another datum than declared (GCJ-02, BD-09 read as WGS84).

A registry exported with a Chinese map service's coordinate picker holds GCJ-02 (Amap, Tencent) or
BD-09 (Baidu) lon/lat, 300–1,500 m from OSM's WGS84 in Chinese cities; declared (or left) as WGS84, every
hazard and resource lands on the wrong block without a word. This check compares each registry's points
with the OSM features of the same kind (registry fuel stations with OSM ``amenity=fuel``, hospitals with
``amenity=hospital``, ...): the median distance from each point to its nearest such feature, under the
declared datum and under the others (:mod:`urbanrisk.layers.coords`). When another datum brings the
points onto the features and the declared one leaves them hundreds of metres off, a note says so and
how to fix the recipe. Nothing is converted here: the run uses the coordinates as declared.

Pure numpy (no geopandas in the numbers): the registry and OSM points are passed as arrays.

Examples
--------
>>> import numpy as np
>>> from urbanrisk.layers.coords import wgs84_to_gcj02
>>> osm = np.array([116.310, 116.320, 116.330]), np.array([39.990, 40.000, 40.010])
>>> kinds = np.array(["fuel"] * 3)
>>> raw = wgs84_to_gcj02(*osm)
>>> found = datum_evidence(*raw, kinds, *osm, kinds, declared="wgs84")
>>> found.likely, round(found.median_m["wgs84"]), round(found.median_m["gcj02"])
('gcj02', 542, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .layers.coords import gcj02_to_bd09, in_china, to_wgs84, wgs84_to_gcj02
from .result import Layers

DATUMS = ("wgs84", "gcj02", "bd09")
DATUM_NAMES = {"wgs84": "WGS84", "gcj02": "GCJ-02", "bd09": "BD-09"}
#: a registry point is compared when an OSM feature of its kind lies this near under some datum
NEAR_M = 2500.0
MIN_POINTS = 3  # fewer matched points cannot tell a systematic shift from chance
#: the likely datum's median residual at most this, the declared one's at least LIFT times it and
#: GAP_M more, and at least SHARE of the points closer under it
MATCH_M = 100.0
LIFT = 3.0
GAP_M = 50.0
SHARE = 2 / 3
MAX_POINTS = 2000  # per kind: a larger registry is sampled evenly (medians need no more)


@dataclass(frozen=True)
class DatumEvidence:
    """The median nearest-feature distance under each datum, over the ``points`` compared."""

    declared: str
    points: int
    median_m: dict[str, float]
    closer_share: dict[str, float]  # share of the points nearer a feature than under the declared datum

    @property
    def likely(self) -> str:
        """The datum the points look like (the declared one unless another is clearly better)."""
        best = min(DATUMS, key=lambda d: self.median_m[d])
        declared = self.median_m[self.declared]
        clear = (
            self.points >= MIN_POINTS
            and self.median_m[best] <= MATCH_M
            and declared >= LIFT * self.median_m[best]
            and declared - self.median_m[best] >= GAP_M
            and self.closer_share[best] >= SHARE
        )
        return best if clear else self.declared


def as_declared(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points back in ``datum`` (the registry's lon/lat as written, before the run converted them)."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    glon, glat = wgs84_to_gcj02(lon, lat)
    return (glon, glat) if datum == "gcj02" else gcj02_to_bd09(glon, glat)


def _nearest_m(lon: np.ndarray, lat: np.ndarray, olon: np.ndarray, olat: np.ndarray) -> np.ndarray:
    """Metres from each point to the nearest of the others (local equirectangular; chunked)."""
    out = np.empty(len(lon))
    kx = 111_320.0 * np.cos(np.radians(lat))
    step = max(1, 2_000_000 // max(len(olon), 1))
    for start in range(0, len(lon), step):
        part = slice(start, start + step)
        dx = (olon[None, :] - lon[part, None]) * kx[part, None]
        dy = (olat[None, :] - lat[part, None]) * 110_574.0
        out[part] = np.sqrt(dx * dx + dy * dy).min(axis=1)
    return out


def datum_evidence(
    lon: np.ndarray,
    lat: np.ndarray,
    kinds: np.ndarray,
    osm_lon: np.ndarray,
    osm_lat: np.ndarray,
    osm_kinds: np.ndarray,
    *,
    declared: str,
) -> DatumEvidence:
    """How near a registry's points (lon/lat as written, in the ``declared`` datum) come to the OSM
    features of their kind when read in each datum.

    Parameters
    ----------
    lon, lat, kinds
        The registry's points as written in its file, and each one's kind.
    osm_lon, osm_lat, osm_kinds
        OSM features (WGS84) and their kinds.
    declared
        ``wgs84``, ``gcj02`` or ``bd09``: what the recipe says the registry holds.

    Returns
    -------
    DatumEvidence
        Over the points with an OSM feature of their kind within :data:`NEAR_M` under some datum.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    kinds, osm_kinds = np.asarray(kinds, dtype=str), np.asarray(osm_kinds, dtype=str)
    osm_lon, osm_lat = np.asarray(osm_lon, dtype=float), np.asarray(osm_lat, dtype=float)
    rows: list[np.ndarray] = []  # per compared point: its distance under each datum
    for kind in np.intersect1d(kinds, osm_kinds):
        mine = np.flatnonzero(kinds == kind)
        mine = mine[np.linspace(0, len(mine) - 1, min(len(mine), MAX_POINTS)).astype(int)]
        theirs = osm_kinds == kind
        near = [
            _nearest_m(*to_wgs84(lon[mine], lat[mine], d), osm_lon[theirs], osm_lat[theirs]) for d in DATUMS
        ]
        rows.append(np.column_stack(near))
    table = np.concatenate(rows) if rows else np.empty((0, len(DATUMS)))
    table = table[table.min(axis=1) <= NEAR_M] if len(table) else table
    own = DATUMS.index(declared)
    median = {d: float(np.median(table[:, i])) if len(table) else float("nan") for i, d in enumerate(DATUMS)}
    closer = {
        d: float((table[:, i] < table[:, own]).mean()) if len(table) else 0.0 for i, d in enumerate(DATUMS)
    }
    return DatumEvidence(declared=declared, points=len(table), median_m=median, closer_share=closer)


def datum_note(layer: str, evidence: DatumEvidence) -> str | None:
    """The run's note when a registry looks like another datum than declared, else None.

    >>> e = DatumEvidence("wgs84", 5, {"wgs84": 480.0, "gcj02": 12.0, "bd09": 900.0},
    ...                   {"wgs84": 0.0, "gcj02": 1.0, "bd09": 0.0})
    >>> datum_note("hazards", e)  # doctest: +NORMALIZE_WHITESPACE
    "hazards: these coordinates look like GCJ-02 (median offset 480 m to 5 matching OSM features,
    12 m after conversion): set coords: gcj02 on layer 'hazards' (read as WGS84; nothing is converted
    without coords:)"
    """
    likely = evidence.likely
    if likely == evidence.declared:
        return None
    fix = (
        f"remove coords: {evidence.declared} from layer '{layer}'"
        if likely == "wgs84"
        else f"set coords: {likely} on layer '{layer}'"
    )
    return (
        f"{layer}: these coordinates look like {DATUM_NAMES[likely]} (median offset "
        f"{evidence.median_m[evidence.declared]:.0f} m to {evidence.points} matching OSM features, "
        f"{evidence.median_m[likely]:.0f} m after conversion): {fix} "
        f"(read as {DATUM_NAMES[evidence.declared]}; nothing is converted without coords:)"
    )


def registry_datum_notes(layers: Layers, specs: dict[str, Any]) -> list[str]:
    """A note per registry layer in China whose points look like another datum than its ``coords:``.

    Parameters
    ----------
    layers
        The loaded layers: the registries' points (``hazards``, ``resources``: WGS84, with ``kind`` and
        ``source`` = ``layer:file``) and the OSM places (``pois``, with ``kind``).
    specs
        The recipe's layers by name (their ``coords``).
    """
    pois = layers.pois
    if pois is None or not len(pois):
        return []
    osm = pois.geometry.representative_point()
    osm_lon, osm_lat, osm_kinds = osm.x.to_numpy(), osm.y.to_numpy(), pois["kind"].to_numpy()
    notes = []
    for frame in (layers.hazards, layers.resources):
        if frame is None or not len(frame):
            continue
        lon, lat = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
        layer_of = frame["source"].astype(str).str.split(":", n=1).str[0].to_numpy()
        for layer in dict.fromkeys(layer_of):
            mine = (layer_of == layer) & in_china(lon, lat)
            if mine.sum() < MIN_POINTS:
                continue
            declared = getattr(specs.get(layer), "coords", "wgs84")
            found = datum_evidence(  # the numbers as written in the file: the run converted them already
                *as_declared(lon[mine], lat[mine], declared),
                frame["kind"].to_numpy()[mine],
                osm_lon,
                osm_lat,
                osm_kinds,
                declared=declared,
            )
            note = datum_note(layer, found)
            notes += [note] if note else []
    return notes
