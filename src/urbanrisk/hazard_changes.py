"""What changed among the hazard sources of two runs: sources added, removed, graded otherwise, and
their GB 18218-2018 status (a source becoming a major hazard source, or its grade changing).

A source is the same source in both runs when its id, kind and name are the same. A registry without
ids gets them from its rows (``hazards-4``), so a row deleted shifts the ids of the rows after it: a
source whose id now names another source (another kind or name) is matched by its kind, name and place
(within ~1 m) instead, else the old one is removed and the new one added. Before, a nightly rescan said
of an office's registry with one row removed and one appended that the removed substation (IV) had
escalated to I, under the new LPG station's name: neither the addition nor the removal was said.

A source's GB 18218 status (``gb18218_grade``: 一级 most severe … 四级, empty when it is no major hazard
source or could not be computed) is compared too (``major_hazard_source`` rows): a quantity raised past
the critical quantity makes a major hazard source, which an office must register, while its risk-matrix
grade may not move at all.

A source's stored quantity (``quantity_t``, as the registry gives it) is compared too
(``hazard_quantity`` rows, :func:`quantity_change`): an office that raised a tank's quantity from 20 t to
45 t sees "20 t -> 45 t" and the GB 18218 ratio Σq/Q (and R) before and after, "raised" or "lowered"
(by Σq/Q where both runs computed it, else by the quantities when both are plain numbers; "changed"
otherwise), even when no grade moves: before, such a rescan listed no change at all. So is its
severity (``hazard_severity`` rows, :func:`severity_change`): a source graded "no data" (its residents
unknown) keeps that grade whatever its severity, and a rescan that raised it 3 -> 4 said nothing.

A grade gained from "no data" is "newly graded", one lost to it "no longer graded"
(:func:`direction_of`): the data changed, not the risk; neither is an escalation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .result import GRADE_RANK, NO_DATA

#: GB 18218-2018 grades, most severe first; "" (no major hazard source) ranks after them
GB18218_RANK = {"一级": 0, "二级": 1, "三级": 2, "四级": 3}
#: the same place: points within 1e-5° (~1 m) of each other
PLACE_DECIMALS = 5


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Per source (by position): its id, kind, name and rounded place."""
    points = frame.geometry.representative_point() if "geometry" in frame.columns else None
    return pd.DataFrame(
        {
            "id": _text(frame, "id").to_numpy(),
            "kind": _text(frame, "kind").to_numpy(),
            "name": _text(frame, "name").to_numpy(),
            "x": np.round(points.x.to_numpy(), PLACE_DECIMALS) if points is not None else np.nan,
            "y": np.round(points.y.to_numpy(), PLACE_DECIMALS) if points is not None else np.nan,
        }
    )


def matched_sources(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Pairs of positions (``old``, ``new``) of the same source: by id, kind and name, then (among the
    rest) by kind, name and place; each source in one pair at most.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> def run(rows):
    ...     ids, kinds, names, xy = zip(*rows)
    ...     return gpd.GeoDataFrame({"id": ids, "kind": kinds, "name": names},
    ...                             geometry=[Point(p) for p in xy], crs=4326)
    >>> old = run([("h-1", "gas", "A", (1, 1)), ("h-2", "power", "B", (2, 2)), ("h-3", "fuel", "C", (3, 3))])
    >>> new = run([("h-1", "gas", "A", (1, 1)), ("h-2", "fuel", "C", (3, 3)), ("h-3", "gas", "D", (4, 4))])
    >>> matched_sources(old, new).values.tolist()  # B removed, D added; C's made-up id shifted
    [[0, 0], [2, 1]]
    """
    a, b = _keys(old).reset_index(names="old"), _keys(new).reset_index(names="new")
    by_id = a.merge(b, on=["id", "kind", "name"]).drop_duplicates("old").drop_duplicates("new")
    rest_a, rest_b = a[~a["old"].isin(by_id["old"])], b[~b["new"].isin(by_id["new"])]
    by_place = (
        rest_a.merge(rest_b, on=["kind", "name", "x", "y"]).drop_duplicates("old").drop_duplicates("new")
    )
    pairs = pd.concat([by_id[["old", "new"]], by_place[["old", "new"]]], ignore_index=True)
    return pairs.sort_values("old", kind="stable").reset_index(drop=True)


def _row(source: Any, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "hazard_source",
        "id": str(source.id),
        "name": str(source.name),
        "residents": float(source.residents_exposed),
        "residents_unknown_share": float(getattr(source, "residents_unknown_share", np.nan)),
        "geometry": source.geometry,
        **fields,
    }


def _gb18218(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""


def direction_of(old: str, new: str, rank: dict[str, int] = GRADE_RANK) -> str:
    """Escalation when ``new`` ranks more severe, else de-escalation (another unranked value ranks
    last: never more severe); a grade gained from or lost to "no data" is neither: the data moved,
    not the risk ("newly graded", "no longer graded").

    Examples
    --------
    >>> direction_of("IV", "II"), direction_of("II", "IV"), direction_of("no data", "IV")
    ('escalation', 'de-escalation', 'newly graded')
    >>> direction_of("I", "no data"), direction_of("", "四级", GB18218_RANK)
    ('no longer graded', 'escalation')
    """
    if old == NO_DATA and new in rank:
        return "newly graded"
    if new == NO_DATA and old in rank:
        return "no longer graded"
    return "escalation" if rank.get(new, len(rank)) < rank.get(old, len(rank)) else "de-escalation"


def severity_change(before: pd.Series, after: pd.Series) -> dict[str, Any] | None:
    """The ``hazard_severity`` change of one source between two runs (None when its severity is the
    same or unknown on a side): "raised" or "lowered", said even when its grade does not move (a
    source graded "no data" for want of residents keeps that grade whatever its severity).

    Examples
    --------
    >>> severity_change(pd.Series({"severity": 3, "grade": "no data"}),
    ...                 pd.Series({"severity": 4, "grade": "no data"}))["explanation"]
    'severity 3 -> 4 (grade no data -> no data)'
    >>> severity_change(pd.Series({"severity": 3}), pd.Series({"severity": 3.0})) is None
    True
    """
    old, new = _number(before.get("severity")), _number(after.get("severity"))
    if np.isnan(old) or np.isnan(new) or old == new:
        return None
    words = [f"{x:g}" for x in (old, new)]
    grades = f" (grade {before.get('grade', '')} -> {after.get('grade', '')})"
    direction = "raised" if new > old else "lowered"
    change = {"kind": "hazard_severity", "old": words[0], "new": words[1], "direction": direction}
    return change | {"explanation": f"severity {words[0]} -> {words[1]}{grades}"}


def _number(value: Any) -> float:
    """A finite number, else NaN (text, empty, None)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number if np.isfinite(number) else float("nan")


def quantity_text(quantity: Any, substance: Any = "") -> str:
    """A source's quantity as an office reads it: tonnes where a plain number, each substance's own where
    the registry lists several ("氯;液氨" with "0.5;2"), else as written.

    Examples
    --------
    >>> quantity_text("20"), quantity_text("0.5;2", "氯;液氨"), quantity_text("约30吨"), quantity_text(None)
    ('20 t', '氯 0.5 t; 液氨 2 t', '约30吨', '')
    """
    text = str(quantity).strip() if isinstance(quantity, str | int | float) and quantity == quantity else ""
    parts, names = [q.strip() for q in text.split(";")], [n.strip() for n in str(substance or "").split(";")]
    shown = [f"{q} t" if np.isfinite(_number(q)) else q for q in parts]
    if len(parts) > 1 and len(names) == len(parts):
        shown = [f"{n} {q}" if n else q for n, q in zip(names, shown, strict=True)]
    return "; ".join(shown) if text else ""


def _ratio(before: pd.Series, after: pd.Series, column: str, label: str) -> str:
    """ "; GB 18218 Σq/Q 0.4 -> 0.9" ("" where neither run computed it; "not computed" on one side)."""
    a, b = _number(before.get(column)), _number(after.get(column))
    if np.isnan(a) and np.isnan(b):
        return ""
    words = [f"{x:,.2f}".rstrip("0").rstrip(".") if not np.isnan(x) else "not computed" for x in (a, b)]
    return f"; {label} {words[0]} -> {words[1]}"


def quantity_change(before: pd.Series, after: pd.Series) -> dict[str, Any] | None:
    """The ``hazard_quantity`` change of one source between two runs (None when its quantity and
    substances are the same): old and new quantity, "raised" / "lowered" / "changed", and the
    explanation with GB 18218's Σq/Q and R before and after."""
    o_text = quantity_text(before.get("quantity_t"), before.get("substance"))
    n_text = quantity_text(after.get("quantity_t"), after.get("substance"))
    if o_text == n_text:
        return None
    o_sum, n_sum = _number(before.get("gb18218_S")), _number(after.get("gb18218_S"))
    if np.isnan(o_sum) or np.isnan(n_sum):  # not computed on a side: the quantities, when plain numbers
        o_sum, n_sum = _number(before.get("quantity_t")), _number(after.get("quantity_t"))
    direction = "changed" if np.isnan(o_sum) or np.isnan(n_sum) or o_sum == n_sum else "raised"
    direction = "lowered" if direction == "raised" and n_sum < o_sum else direction
    explanation = f"quantity {o_text or 'not given'} -> {n_text or 'not given'}"
    explanation += _ratio(before, after, "gb18218_S", "GB 18218 Σq/Q")
    explanation += _ratio(before, after, "gb18218_R", "R")
    change = {"kind": "hazard_quantity", "old": o_text, "new": n_text, "direction": direction}
    return change | {"explanation": explanation}


def hazard_changes(old: pd.DataFrame, new: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``changes.parquet`` for the hazard sources of two runs (see the module docstring)."""
    pairs = matched_sources(old, new)
    rows: list[dict[str, Any]] = []
    for source in new.iloc[np.setdiff1d(np.arange(len(new)), pairs["new"])].itertuples():
        breaches = f"; breaches: {source.breaches}" if getattr(source, "breaches", "") else ""
        explanation = f"new {source.label}: {source.factors}{breaches}"
        rows.append(_row(source, old="", new=source.grade, direction="added", explanation=explanation))
    for source in old.iloc[np.setdiff1d(np.arange(len(old)), pairs["old"])].itertuples():
        explanation = f"{source.label} no longer in the data"
        rows.append(_row(source, old=source.grade, new="", direction="removed", explanation=explanation))
    for o, n in zip(pairs["old"], pairs["new"], strict=True):
        before, after = old.iloc[o], new.iloc[n]
        source = next(new.iloc[[n]].itertuples())
        if str(before["grade"]) != str(after["grade"]):
            o_grade, n_grade = str(before["grade"]), str(after["grade"])
            direction = direction_of(o_grade, n_grade)
            rows.append(
                _row(source, old=o_grade, new=n_grade, direction=direction, explanation=after["factors"])
            )
        o_major, n_major = _gb18218(before.get("gb18218_grade")), _gb18218(after.get("gb18218_grade"))
        if o_major != n_major:
            direction = direction_of(o_major, n_major, GB18218_RANK)
            explanation = f"GB 18218-2018: {after.get('gb18218_basis') or 'not computed'}"
            major = {"kind": "major_hazard_source", "old": o_major, "new": n_major, "direction": direction}
            rows.append(_row(source, **major, explanation=explanation))
        for change in (severity_change(before, after), quantity_change(before, after)):
            if change is not None:  # said even when no grade moves
                rows.append(_row(source, **change))
    return rows


__all__ = [
    "GB18218_RANK",
    "hazard_changes",
    "matched_sources",
    "quantity_change",
    "quantity_text",
    "severity_change",
]
