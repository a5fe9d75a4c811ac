"""A registry's ids and the office's own columns it keeps (值班电话, 负责人, 地址...).

A declared ``id_column`` the file lacks is refused (it fell back to ids made up from the rows'
positions, silently); without one, ids are made up (``<layer>-1``, ``<layer>-2``...). Kept columns are
text as the office wrote it; an empty cell stays missing (None), never ''.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import LayerError
from ..resource_columns import own_columns, reserved_kept_columns
from .repeated_rows import name_text
from .tabular import shown_columns


def registry_ids(frame: pd.DataFrame, id_column: str | None, layer: str, path: Path) -> pd.Series:
    """Each row's id: the declared ``id_column`` (else ``id`` where the file has it), or made up.

    Raises
    ------
    LayerError
        A declared id column the file lacks (naming the file's columns), or an id given twice.
    """
    columns = [str(c) for c in frame.columns if c != "geometry"]
    if id_column is not None and id_column not in frame.columns:
        msg = (
            f"layer '{layer}': {path.name} has no column '{id_column}' (its columns: "
            f"{shown_columns(columns)}); set `id_column:` to one of them"
        )
        raise LayerError(msg)
    column = id_column or "id"
    if column not in frame.columns:
        return pd.Series([f"{layer}-{i + 1}" for i in range(len(frame))], index=frame.index)
    ids = _id_text(frame[column], layer, path, column)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        msg = f"layer '{layer}': id '{dup}' appears more than once in {path}; ids must be unique"
        raise LayerError(msg)
    return ids


#: the largest integer a float64 holds exactly: ids beyond it, read as numbers, are no longer the file's
EXACT_IDS = 2**53


def _id_text(values: pd.Series, layer: str, path: Path, column: str) -> pd.Series:
    """The ids as text: whole numbers as written (a GeoPackage's or GeoJSON's integer ids with one empty,
    which pandas holds as floats, were ``1.0``, ``3.0`` and ``nan``); refused where a row has none, or
    where a number beyond 2^53 cannot be the one written (``1.1805916207174113e+21``).

    >>> _id_text(pd.Series([1.0, 3.0]), "r", Path("r.gpkg"), "id").tolist()
    ['1', '3']
    """
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float)
        known = numbers[np.isfinite(numbers)]
        if (np.abs(known) >= EXACT_IDS).any():
            msg = (
                f"layer '{layer}': {path.name}: ids of column '{column}' were read as numbers beyond 2^53 "
                f"(e.g. {known[np.abs(known) >= EXACT_IDS][0]:.17g}), which are not the ids written: write "
                "them as text (in quotes in a GeoJSON, a text field in a GeoPackage)"
            )
            raise LayerError(msg)
        if (known == np.round(known)).all():
            text = [f"{v:.0f}" if np.isfinite(v) else "" for v in numbers]
            values = pd.Series(text, index=values.index)
    ids = values.astype(str).str.strip().where(values.notna(), "")
    missing = np.flatnonzero((ids == "").to_numpy())
    if len(missing):
        tabular = path.suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx", ".xls")
        where = "data row(s)" if tabular else "feature(s)"  # data rows counted from the header's next
        listed = ", ".join(str(i + 1) for i in missing[:5]) + (" ..." if len(missing) > 5 else "")
        msg = (
            f"layer '{layer}': {path.name}: {where} {listed} have no id (column '{column}'): give every "
            "row its id, or remove the column (ids are then made up from the rows' order)"
        )
        raise LayerError(msg)
    return ids


def kept_columns(
    frame: pd.DataFrame, keep: list[str], layer: str, path: Path, role: str = "resource"
) -> dict[str, pd.Series]:
    """The registry's ``keep_columns`` as text (trimmed; an empty cell None: not known).

    >>> rows = pd.DataFrame({"值班电话": [" 110 ", None, ""]})
    >>> kept = kept_columns(rows, ["值班电话"], "st", Path("a.csv"))
    >>> kept["值班电话"].tolist()
    ['110', None, None]

    Raises
    ------
    LayerError
        A listed column the file lacks, naming the file's columns; a column named as one of urbanrisk's
        own (``inside_area``, ``severity``...: it would be overwritten).
    """
    clash = reserved_kept_columns(keep, role)
    if clash:
        msg = (
            f"layer '{layer}': keep_columns {clash} cannot be kept under its name (urbanrisk's own: "
            f"{', '.join(own_columns(role))}): rename that column in {path.name}, or remove it from "
            "keep_columns"
        )
        raise LayerError(msg)
    columns = [str(c) for c in frame.columns if c != "geometry"]
    missing = [c for c in keep if c not in frame.columns]
    if missing:
        msg = (
            f"layer '{layer}': {path.name} has no column '{missing[0]}' (its columns: "
            f"{shown_columns(columns)}); keep_columns lists only columns the file has"
        )
        raise LayerError(msg)
    return {
        c: pd.Series([name_text(v) or None for v in frame[c]], index=frame.index, dtype=object) for c in keep
    }
