"""The data tables that map raw source tags to urbanrisk's standard vocabulary.

Tables are CSV files (``#`` lines are comments) in ``layers/tables``; a recipe may name its own copies.

Examples
--------
>>> tags = osm_tag_table()
>>> tags.loc[("amenity", "fuel"), "kind"]
'fuel'
>>> tags.loc[("amenity", "hospital"), "roles"]
('resource', 'vulnerable', 'crowd')
>>> names = kind_names(hazard_kind_table(), kind_alias_table())
>>> names["加油站"], names["fuel station"], names["民爆"], names["危化品"]
('fuel', 'fuel', 'explosives', 'chemical')
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .. import settings
from .._errors import LayerError
from .table_numbers import check_numbers

HAZARD_KINDS = ("fuel", "gas", "chemical", "explosives", "power", "industrial", "storage_tank")
RESOURCE_KINDS = ("fire_station", "hospital", "clinic", "police", "shelter")
ROLES = ("hazard", "resource", "crowd", "vulnerable")


def check_side_file(path: str | Path, what: str) -> None:
    """Refuse a side file (table, area) that is no regular file or too big to read (a device, a folder)."""
    path = Path(path)
    if not path.is_file():
        msg = f"{what}: {path} is not a regular file (a folder or a device?): give the path of a file"
        raise LayerError(msg)
    size = path.stat().st_size
    if size > settings.max_side_file_bytes:
        msg = (
            f"{what}: {path} holds {size / 1e6:,.0f} MB, more than the "
            f"{settings.max_side_file_bytes / 1e6:,.0f} MB a table or area file may hold: is it the right "
            "file? simplify or split it"
        )
        raise LayerError(msg)


#: Tables parsed in this process, by their bytes: a run reads the same dozen tables ~30 times
#: (~0.1 s of parsing at any size); an edited table has other bytes and is parsed again.
_PARSED: dict[bytes, pd.DataFrame] = {}
_PARSED_LOCK = threading.Lock()  # partitions on threads read tables too


def _read_table(path: Path, required: list[str]) -> pd.DataFrame:
    check_side_file(path, "tables")
    try:
        data = path.read_bytes()
        key = hashlib.blake2b(data, digest_size=16).digest()
        with _PARSED_LOCK:
            if key not in _PARSED:
                if len(_PARSED) >= 64:  # a process reading many tables keeps only the latest ones
                    _PARSED.pop(next(iter(_PARSED)))
                _PARSED[key] = pd.read_csv(io.BytesIO(data), comment="#", dtype=str, keep_default_na=False)
            table = _PARSED[key].copy()  # callers may change their frame
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"cannot read table {path}: {exc}"
        raise LayerError(msg) from exc
    missing = [c for c in required if c not in table.columns]
    if missing:
        msg = f"table {path} lacks columns {missing}: copy the header of {settings.tables_dir / path.name}"
        raise LayerError(msg)
    return table


def osm_tag_table(path: str | Path | None = None) -> pd.DataFrame:
    """OSM (key, value) -> kind, roles (tuple) and group, indexed by (key, value)."""
    path = Path(path) if path else settings.tables_dir / "osm_tags.csv"
    table = _read_table(path, ["key", "value", "kind", "roles", "group"])
    table["roles"] = table["roles"].map(lambda text: tuple(r for r in text.split("|") if r))
    bad = sorted({r for roles in table["roles"] for r in roles} - set(ROLES))
    if bad:
        msg = f"table {path}: unknown roles {bad}; roles are {', '.join(ROLES)}"
        raise LayerError(msg)
    return table.set_index(["key", "value"]).sort_index()


def building_type_table(path: str | Path | None = None) -> pd.DataFrame:
    """building tag value -> use, default_levels, residential_share, indexed by the value."""
    path = Path(path) if path else settings.tables_dir / "building_types.csv"
    table = _read_table(path, ["building", "use", "default_levels", "residential_share"])
    check_numbers(table, "building_types", path)
    table["default_levels"] = table["default_levels"].astype(float)
    table["residential_share"] = table["residential_share"].astype(float)
    if "yes" not in set(table["building"]):
        msg = f"table {path} needs a row for building=yes (the default for untyped buildings)"
        raise LayerError(msg)
    return table.set_index("building")


def landuse_context_table(path: str | Path | None = None) -> pd.DataFrame:
    """(key, value) of an area -> use, default_levels, residential_share for untyped buildings in it.

    Row order is priority order (first match wins); a ``priority`` column records it.
    """
    path = Path(path) if path else settings.tables_dir / "landuse_context.csv"
    table = _read_table(path, ["key", "value", "use", "default_levels", "residential_share"])
    check_numbers(table, "landuse_context", path)
    table["default_levels"] = table["default_levels"].astype(float)
    table["residential_share"] = table["residential_share"].astype(float)
    table["priority"] = range(len(table))
    return table


def hazard_kind_table(path: str | Path | None = None) -> pd.DataFrame:
    """Hazard kind -> label, impact radius, default severity (indexed by kind)."""
    path = Path(path) if path else settings.tables_dir / "hazard_kinds.csv"
    table = _read_table(path, ["kind", "label_en", "label_zh", "impact_radius_m", "default_severity"])
    check_numbers(table, "hazard_kinds", path)
    table["impact_radius_m"] = table["impact_radius_m"].astype(float)
    table["default_severity"] = table["default_severity"].astype(int)
    return table.set_index("kind")


def resource_kind_table(path: str | Path | None = None) -> pd.DataFrame:
    """Resource kind -> English and Chinese label (indexed by kind)."""
    path = Path(path) if path else settings.tables_dir / "resource_kinds.csv"
    return _read_table(path, ["kind", "label_en", "label_zh"]).set_index("kind")


def kind_alias_table(path: str | Path | None = None) -> pd.DataFrame:
    """Other names of kinds in registries (alias -> kind)."""
    path = Path(path) if path else settings.tables_dir / "kind_aliases.csv"
    return _read_table(path, ["alias", "kind"])


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def kind_names(kinds: pd.DataFrame, aliases: pd.DataFrame | None = None) -> dict[str, str]:
    """Every name a registry may give a kind of ``kinds`` (casefolded) -> the kind.

    The kind itself, its ``label_en``, each part of its ``label_zh`` (``烟花爆竹/民爆``) and the aliases
    that point to one of these kinds.
    """
    names: dict[str, str] = {}
    for kind, row in kinds.iterrows():
        labels = [kind, row.get("label_en", ""), *str(row.get("label_zh", "")).split("/")]
        for label in labels:
            if str(label).strip():
                names.setdefault(_key(label), str(kind))
    if aliases is not None:
        for alias, kind in zip(aliases["alias"], aliases["kind"], strict=True):
            if kind in kinds.index and str(alias).strip():
                names.setdefault(_key(alias), str(kind))
    return names


def kind_of(value: str, names: Mapping[str, str]) -> str | None:
    """The kind a registry value names, or None."""
    return names.get(_key(value))


def registry_kind_names(
    hazard_kinds: str | Path | None = None,
    resource_kinds: str | Path | None = None,
    kind_aliases: str | Path | None = None,
) -> dict[str, dict[str, str]]:
    """The accepted kind names of registries by role (``hazard``, ``resource``), from these tables."""
    aliases = kind_alias_table(kind_aliases)
    return {
        "hazard": kind_names(hazard_kind_table(hazard_kinds), aliases),
        "resource": kind_names(resource_kind_table(resource_kinds), aliases),
    }
