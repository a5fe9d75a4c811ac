"""The columns urbanrisk writes beside a resource registry's kept columns (``keep_columns``: 值班电话,
负责人...), in every table that carries them: a kept column under one of these names would be
overwritten, dropped or doubled (``_x``/``_y``) without a word, so the recipe refuses it.

- the registry read: ``id, kind, name, capacity, source, geometry``;
- coverage's resources: ``inside_area`` (and ``severity``, a hazard registry's, which it leaves out);
- ``urbanrisk incident``: the resources' ``lon, lat, x, y, projected``, the nearest resources'
  ``rank, mode, travel_s, turnout_s, eta_s, network_m``, the shelters' ``assigned, mean_walk_m,
  status`` and the sheet's ``details``.
"""

from __future__ import annotations

#: A registry's own columns after reading.
READ_COLUMNS = ("id", "kind", "name", "capacity", "source", "geometry")
#: Every column urbanrisk adds beside the kept ones (casefolded names: a kept column may not take one).
RESOURCE_OWN_COLUMNS = (
    *READ_COLUMNS,
    "inside_area",
    "severity",
    "lon",
    "lat",
    "x",
    "y",
    "projected",
    "rank",
    "mode",
    "travel_s",
    "turnout_s",
    "eta_s",
    "network_m",
    "assigned",
    "mean_walk_m",
    "status",
    "details",
)


def reserved_kept_columns(keep: list[str]) -> list[str]:
    """The kept columns named as one of urbanrisk's own (ignoring case and spaces around the name).

    >>> reserved_kept_columns(["值班电话", "Inside_Area", " severity", "负责人"])
    ['Inside_Area', ' severity']
    """
    return [c for c in keep if str(c).strip().casefold() in RESOURCE_OWN_COLUMNS]
