"""A registry row repeated word for word (pasted twice into the office's 台账): kept once, with a note.

Without ids of its own (no ``id_column``) every row gets one made up from its position, so two copies
of the same row would be two hazard sources (each graded, each in the 责任清单, its residents counted
twice in the registers) or two resources (covering their residents twice over). Rows are repeats when
everything read from them is the same: kind, name, severity, capacity, substances, tonnes and place
(to ~1 m). A registry that gives ids keeps its rows: ids of its own are its word that they differ.
A registry's name column is found here too (a 台账's 名称 under the default ``name_column``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from .osm import clean_text


def drop_repeated_rows(
    out: gpd.GeoDataFrame, layer: str, path: Path, ids_given: bool
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """``out`` less the rows repeating an earlier one word for word, and the note saying which.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> rows = gpd.GeoDataFrame({"id": ["h-1", "h-2", "h-3"], "kind": "gas",
    ...     "name": ["加气站"] * 3, "severity": [3, 3, 3]},
    ...     geometry=[Point(116.354, 39.9575)] * 2 + [Point(116.36, 39.95)], crs=4326)
    >>> kept, notes = drop_repeated_rows(rows, "hazards", Path("台账.xlsx"), ids_given=False)
    >>> kept["id"].tolist()
    ['h-1', 'h-3']
    >>> notes[0][:64]
    'hazards: 台账.xlsx repeats 1 row word for word (加气站): counted once'
    """
    if ids_given or len(out) < 2:
        return out, []
    same = [c for c in out.columns if c not in ("id", "geometry", "source")]
    key = pd.Series("", index=out.index)
    for column in same:  # repr: NaN, None, numbers and text alike (astype(str) kept NaN in some dtypes)
        key = key + "|" + out[column].map(repr)
    key = key + "@" + out.geometry.x.round(5).astype(str) + "," + out.geometry.y.round(5).astype(str)
    again = key.duplicated(keep="first").to_numpy()
    if not again.any():
        return out, []
    names = [str(n) for n in out.loc[again, "name"].drop_duplicates().head(5)] if "name" in out else []
    shown = f" ({'、'.join(n for n in names if n)})" if any(names) else ""
    note = (
        f"{layer}: {path.name} repeats {int(again.sum())} row{'s' if again.sum() > 1 else ''} word for word"
        f"{shown}: counted once; delete the copies, or give each row its own id (id_column)"
    )
    return out[~again].reset_index(drop=True), [note]


def name_text(value: object) -> str:
    """A registry's name cell as text: trimmed of the spaces Excel keeps at its ends, empty for an
    empty cell (pandas' NaN was written 'nan').

    >>> name_text(" 学院路加油站  "), name_text(float("nan")), name_text(None), name_text(12)
    ('学院路加油站', '', '', '12')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return clean_text(str(value).strip())


#: Name columns found when the recipe keeps the default ``name_column: name`` (compared lower-case).
NAME_NAMES = ("name", "名称", "单位名称", "企业名称", "场所名称", "设施名称", "站点名称", "资源名称")


def name_column_in(columns: list[str], declared: str) -> str:
    """The registry's name column: ``declared``, or with the default ``name`` absent, the first of
    :data:`NAME_NAMES` the registry has (a 台账's 名称 gave every source an empty name).

    >>> name_column_in(["序号", "名称"], "name"), name_column_in(["名称"], "单位"), name_column_in([], "name")
    ('名称', '单位', 'name')
    """
    if declared != "name" or declared in columns:
        return declared
    lowered = {str(c).lower(): c for c in columns}
    return next((lowered[n] for n in NAME_NAMES if n in lowered), declared)
