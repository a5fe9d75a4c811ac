"""Registry rows piled up at one place: a geocoder's fallback (every address it could not resolve put
at the city centre), not sites. Light (numpy only): ``urbanrisk validate`` and the run ask it."""

from __future__ import annotations

import numpy as np

from .. import settings


def one_place_problem(lon: np.ndarray, lat: np.ndarray, name: str) -> str | None:
    """What to say of rows piled up at one place: ``refuse: ...``, a note, or None.

    >>> one_place_problem(np.full(1001, 116.352), np.full(1001, 39.96), "r.csv")[:62]
    'refuse: r.csv: 1,001 of 1,001 rows lie at one place (116.35200'
    >>> one_place_problem(np.array([116.1, 116.2]), np.array([39.9, 39.9]), "r.csv") is None
    True
    """
    if len(lon) < 10:
        return None
    places, counts = np.unique(
        np.column_stack([np.round(lon, 5), np.round(lat, 5)]), axis=0, return_counts=True
    )
    top = int(counts.argmax())
    many, (x, y) = int(counts[top]), places[top]
    said = f"{name}: {many:,} of {len(lon):,} rows lie at one place ({x:.5f}, {y:.5f})"
    if many > settings.max_rows_at_one_place:
        return (
            f"refuse: {said}: a geocoder's fallback (unresolved addresses put at the city centre)? give "
            "each row its own location, or one row per site"
        )
    if many * 2 >= len(lon) and many >= 10:
        return f"{said}: a geocoder's fallback? check their locations"
    return None
