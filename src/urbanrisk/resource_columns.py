"""The columns urbanrisk writes beside a registry's kept columns (``keep_columns``: 值班电话,
负责人...), in every table that carries them: a kept column under one of these names would be
overwritten, dropped or doubled (``_x``/``_y``) without a word, so the recipe refuses it.

- the registry read: ``id, kind, name, capacity, source, geometry``;
- coverage's resources: ``inside_area`` (and ``severity``, a hazard registry's, which it leaves out);
- ``urbanrisk incident``: the resources' ``lon, lat, x, y, projected``, the nearest resources'
  ``rank, mode, travel_s, turnout_s, eta_s, network_m``, the shelters' ``assigned, mean_walk_m,
  status`` and the sheet's ``details``;
- a hazard registry's (:data:`HAZARD_OWN_COLUMNS`): ``hazard_sources.parquet``'s columns and the
  responsibility list's (责任清单: item, units per level, department, response level).
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


#: the unit levels whose ``<level>_id``, ``<level>_name``, ``<level>_also_ids``, ``<level>_also_names`` the
#: responsibility list writes
_LEVELS = ("district", "street", "community", "grid")
#: Every column urbanrisk writes beside a hazard registry's kept ones: the hazard sources' table and the
#: responsibility list's (casefolded names).
HAZARD_OWN_COLUMNS = (
    *READ_COLUMNS,
    *("severity", "osm_ref", "substance", "quantity_t", "label", "label_zh", "impact_radius_m"),
    *("defaults_assumed", "residents_exposed", "residents_unknown_share", "vulnerable_sites"),
    *("vulnerable_names", "breaches", "n_breaches", "consequence", "matrix_score", "grade", "factors"),
    *("item_type", "item_type_zh", "item_id", "residents", "grade_label", "department_zh"),
    *("department_en", "department_basis", "response_level_zh", "response_level_en", "lon", "lat"),
    *("inside_area", "outline", "_rank", "_people", "_type"),
    "ids",  # a register's hazard_ids: a kept column goes there as hazard_<name> (screens.registers)
    *(f"{level}_{part}" for level in _LEVELS for part in ("id", "name", "also_ids", "also_names")),
)


def reserved_kept_columns(keep: list[str], role: str = "resource") -> list[str]:
    """The kept columns named as one of urbanrisk's own for a registry of ``role`` (ignoring case and
    spaces around the name).

    >>> reserved_kept_columns(["值班电话", "Inside_Area", " severity", "负责人"])
    ['Inside_Area', ' severity']
    >>> reserved_kept_columns(["负责人", "Grade", "street_name", "联系电话", "gb18218_R"], "hazard")
    ['Grade', 'street_name', 'gb18218_R']
    """
    if role != "hazard":
        return [c for c in keep if str(c).strip().casefold() in RESOURCE_OWN_COLUMNS]
    folded = [(c, str(c).strip().casefold()) for c in keep]  # GB 18218's columns: gb18218_R...
    return [c for c, name in folded if name in HAZARD_OWN_COLUMNS or name.startswith("gb18218_")]


def hazard_kept(columns: list[str]) -> list[str]:
    """A hazard table's kept columns (a registry's ``keep_columns``), in order: those not urbanrisk's own.

    >>> hazard_kept(["id", "name", "负责人", "联系电话", "grade", "gb18218_R", "geometry"])
    ['负责人', '联系电话']
    """
    return [str(c) for c in columns if not reserved_kept_columns([str(c)], "hazard") and c != "geometry"]


def own_columns(role: str = "resource") -> tuple[str, ...]:
    """urbanrisk's own columns beside a registry of ``role``'s kept ones (for messages)."""
    return HAZARD_OWN_COLUMNS if role == "hazard" else RESOURCE_OWN_COLUMNS
