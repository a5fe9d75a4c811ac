"""A registry's kind column read as the kind tables' kinds (labels, aliases and keys alike), and the
message naming every unknown value with the known kinds (:func:`urbanrisk.layers.points.points_from_file`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import LayerError
from .tables import hazard_kind_table, kind_alias_table, kind_names, kind_of, resource_kind_table

Where = Callable[[int], str]  # data row i (0-based) -> "row 5" as the user sees it in the file


def default_kind_names(role: str) -> dict[str, str]:
    """Every name of the package's own hazard or resource kinds (labels and aliases) -> kind."""
    table = hazard_kind_table() if role == "hazard" else resource_kind_table()
    return kind_names(table, kind_alias_table())


def _unknown_kinds(values: list[str], rows: list[int], names: Mapping[str, str], role: str) -> str:
    """'fule' (did you mean 'fuel'?) in row 2, ... for the first five unknown values."""
    hints, seen = [], set()
    for value, row in zip(values, rows, strict=True):
        if value in seen or len(hints) == 5:
            continue
        seen.add(value)
        close = difflib.get_close_matches(value.casefold(), list(names), n=1)
        hints.append(f"'{value}'" + (f" (did you mean '{close[0]}'?)" if close else "") + f" in {row}")
    known = ", ".join(sorted(set(names.values())))
    return (
        f"unknown {role} kind(s) {', '.join(hints)}; known kinds: {known} (or their labels in "
        f"{role}_kinds.csv / kind_aliases.csv). For a kind of your own (e.g. 地质灾害隐患点), add a row "
        f"to your copy of the table and name it in the recipe: tables: {{{role}_kinds: my_{role}_kinds.csv}}"
    )


def kind_values_of(
    frame: pd.DataFrame,
    column: str,
    fixed: str | None,
    role: str,
    layer: str,
    path: Path,
    names: Mapping[str, str],
    where: Where,
) -> pd.Series:
    """The rows' kinds: ``fixed`` for every row, else the ``column``'s values looked up in ``names``.

    Raises
    ------
    LayerError
        No such column, or values that name no kind (the first five, with the known kinds).
    """
    if fixed is not None:
        values = pd.Series(fixed, index=frame.index, dtype="str")
    elif column in frame.columns:
        values = frame[column].fillna("").astype(str).str.strip()
    else:
        msg = (
            f"layer '{layer}': {path} has no '{column}' column (its columns: {list(frame.columns)}); "
            f"name the column with `kind_column:` or give every row one kind with `kind:`"
        )
        raise LayerError(msg)
    known = {v: kind_of(v, names) for v in values.unique().tolist()}  # each distinct value looked up once
    kinds = values.map(known)
    unknown = np.flatnonzero(kinds.isna().to_numpy())
    if len(unknown):
        text = _unknown_kinds(
            [str(values.iloc[i]) for i in unknown], [where(int(i)) for i in unknown], names, role
        )
        msg = f"layer '{layer}': {path}: {text}"
        raise LayerError(msg)
    return kinds.astype("str")
