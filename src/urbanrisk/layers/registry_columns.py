"""A registry's ids and the office's own columns it keeps (值班电话, 负责人, 地址...).

A declared ``id_column`` the file lacks is refused (it fell back to ids made up from the rows'
positions, silently); without one, ids are made up (``<layer>-1``, ``<layer>-2``...). Kept columns are
text as the office wrote it; an empty cell stays missing (None), never ''.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._errors import LayerError
from ..resource_columns import RESOURCE_OWN_COLUMNS, reserved_kept_columns
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
    ids = frame[column].astype(str).str.strip()
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        msg = f"layer '{layer}': id '{dup}' appears more than once in {path}; ids must be unique"
        raise LayerError(msg)
    return ids


def kept_columns(frame: pd.DataFrame, keep: list[str], layer: str, path: Path) -> dict[str, pd.Series]:
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
    clash = reserved_kept_columns(keep)
    if clash:
        msg = (
            f"layer '{layer}': keep_columns {clash} cannot be kept under its name (urbanrisk's own: "
            f"{', '.join(RESOURCE_OWN_COLUMNS)}): rename that column in {path.name}, or remove it from "
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
