"""A hazard registry's GB 18218 inputs: its substances and their quantities, with the unit the office wrote
beside them.

An office's 台账 often writes the amount in one column and its unit in the next (最大存量 ``800`` beside
单位 ``公斤``), or the unit in the header (``最大存量（公斤）``). Read alone, ``800`` is 800 tonnes: a
0.8 t store of 液氨 was graded a 一级 major hazard source (R 320 instead of 0.32). So a plain number
takes the unit its row's unit column gives (``800`` + ``公斤`` -> ``800公斤``), else the unit in the
quantity column's header; an amount that writes its own unit keeps it, and one that contradicts its unit
column (``30吨`` beside ``公斤``) is refused with its row. A column named 单位 that holds no units (a
单位 of the organisation kind: 中国石化...) is not a unit column. Volumes (立方米, 升) stay volumes: no
mass without a density, said beside the source's R.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"物质": ["液氨", "汽油"], "最大存量": ["800", "30吨"], "单位": ["公斤", "吨"]})
>>> read = hazard_amounts(rows, None, None, layer="h", path="台账.xlsx", where=lambda i: f"row {i + 3}")
>>> read["substance"].tolist(), read["quantity_t"].tolist()
(['液氨', '汽油'], ['800公斤', '30吨'])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .._errors import LayerError
from .tabular import guess_column

#: Column names of a hazard registry's substances and their quantities in tonnes (GB 18218).
SUBSTANCE_NAMES = ("substance", "substances", "物质", "危险物质", "危险化学品", "物质名称")
QUANTITY_NAMES = ("quantity_t", "quantity", "存量", "存量_t", "存量(t)", "存量（t）", "数量_t", "最大存量")
#: Column names of the unit written beside the quantity (compared lower-case)
UNIT_NAMES = ("单位", "计量单位", "存量单位", "数量单位", "unit", "units", "quantity_unit")
#: units of mass or volume a registry writes (the quantity reader's, :mod:`urbanrisk.screens.quantities`)
UNIT_WORD = re.compile(
    r"(?:吨|t|公斤|千克|kg|(?:metric |short |long |us )?tons?|tonnes?|lbs?|pounds?"
    r"|立方米?|方|m3|m³|升|l|gal(?:lon)?s?|bbls?|barrels?)",
    re.IGNORECASE,
)
#: words of an amount that are no unit (约, 以下, 余, 万...; about, max): what is left says a unit or none
_NOT_UNIT = re.compile(
    r"about|approx(?:imately)?|ca\b|max|min|[约大概左右上下以内及至到不超过少于低最多余万千≈~<>≤≥=+,.\-\s\d]"
)
_PLAIN = re.compile(r"^[+-]?(?:\d[\d,]*)?\.?\d+(?:[eE][+-]?\d+)?$")
_HEADER_UNIT = re.compile(r"^(.+?)\s*[(（]\s*([^()（）]+?)\s*[)）]$")


def unit_written(text: str) -> bool:
    """Whether an amount writes a unit (``30吨``, ``约30 t``, ``500 gallons``), or is a bare number that
    GB 18218 reads as tonnes (``30``, ``约30``, ``20-30``, ``3万``); empty: True (nothing to say).

    >>> [unit_written(x) for x in ("30吨", "约 30 t", "500kg", "30", "约30", "20-30", "3万", "about 30", "")]
    [True, True, True, False, False, False, False, False, True]
    """
    folded = _folded(text).lower()
    return not folded or bool(_NOT_UNIT.sub("", folded))


def unitless_note(
    quantities: pd.Series, *, layer: str, path: str | Path, where: Callable[[int], str]
) -> list[str]:
    """The run's note on a registry's quantities written without a unit (taken as tonnes), once.

    >>> cells = pd.Series(["800", "30吨", "", "2.5"])
    >>> unitless_note(cells, layer="h", path="台账.xlsx", where=lambda i: f"row {i + 2}")[0][:72]
    'h: 2 quantities of 台账.xlsx have no unit (row 2, row 5) and were taken as'
    """
    rows = [i for i, text in enumerate(quantities.tolist()) if not unit_written(str(text))]
    if not rows:
        return []
    listed = ", ".join(where(i) for i in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    many = "quantities" if len(rows) > 1 else "quantity"
    have, were = ("have", "were") if len(rows) > 1 else ("has", "was")
    return [
        f"{layer}: {len(rows)} {many} of {Path(path).name} {have} no unit ({listed}) and {were} taken as "
        "tonnes (GB 18218's unit): write the unit in the cell (800 kg), in a unit column or in the "
        "column's header (quantity (t))"
    ]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _is_unit(text: str) -> bool:
    return bool(UNIT_WORD.fullmatch(_folded(text)))


def unit_column(columns: list[str], cells: Callable[[str], list[str]]) -> str | None:
    """The registry's unit column: one named as :data:`UNIT_NAMES` whose filled cells are all units."""
    lowered = {c.lower(): c for c in columns}
    for name in UNIT_NAMES:
        column = lowered.get(name)
        filled = [c for c in cells(column) if c.strip()] if column else []
        if filled and all(_is_unit(c) for c in filled):
            return column
    return None


def header_unit(column: str) -> str:
    """The unit a quantity column's header gives in brackets (``最大存量（公斤）`` -> ``公斤``), or ""."""
    found = _HEADER_UNIT.fullmatch(_folded(column).replace("(", "（").replace(")", "）"))
    return found.group(2) if found and _is_unit(found.group(2)) else ""


def _quantity_column(columns: list[str]) -> str | None:
    """The first column named as :data:`QUANTITY_NAMES`, or so named with its unit (``最大存量（公斤）``)."""
    named = guess_column(columns, QUANTITY_NAMES)
    if named is not None:
        return named
    lowered = {n.lower() for n in QUANTITY_NAMES}
    return next(
        (
            c
            for c in columns
            if header_unit(c) and _HEADER_UNIT.fullmatch(_folded(c)).group(1).lower() in lowered
        ),
        None,
    )


def _with_unit(cell: str, unit: str, where: str, unit_from: str, layer: str, path: str | Path) -> str:
    """``cell``'s amounts (several separated by ';') with ``unit`` after each plain number."""
    if not unit:
        return cell
    parts = re.split(r"([;；、])", cell)
    for i in range(0, len(parts), 2):
        amount = _folded(parts[i])
        if _PLAIN.fullmatch(amount):
            parts[i] = amount + unit
        elif (
            (own := re.search(r"[^\d.\s]+$", amount))
            and _is_unit(own.group())
            and _folded(own.group()).lower() != _folded(unit).lower()
        ):
            msg = (
                f"layer '{layer}': {path}: the quantity '{amount}' in {where} writes its own unit, and "
                f"{unit_from} says {unit}: write the amount in one unit (the number in the quantity "
                "column, its unit in the unit column)"
            )
            raise LayerError(msg)
    return "".join(parts)


def hazard_amounts(
    frame: pd.DataFrame,
    substance_column: str | None,
    quantity_column: str | None,
    *,
    layer: str,
    path: str | Path,
    where: Callable[[int], str],
) -> dict[str, pd.Series]:
    """A hazard registry's ``substance`` and ``quantity_t`` text (as found; a quantity with its unit).

    Raises
    ------
    LayerError
        A quantity whose own unit contradicts the unit its row's unit column gives.
    """
    columns = [str(c) for c in frame.columns]
    out = {}
    substance = substance_column if substance_column in columns else guess_column(columns, SUBSTANCE_NAMES)
    if substance is not None:
        out["substance"] = frame[substance].fillna("").astype(str).str.strip()
    quantity = quantity_column if quantity_column in columns else _quantity_column(columns)
    if quantity is None:
        return out
    out["quantity_t"] = frame[quantity].fillna("").astype(str).str.strip()
    beside = unit_column(columns, lambda c: frame[c].fillna("").astype(str).tolist())
    units = frame[beside].fillna("").astype(str).map(_folded).tolist() if beside else [""] * len(frame)
    fallback = header_unit(quantity)
    out["quantity_t"] = pd.Series(
        [
            _with_unit(
                cell,
                unit or fallback,
                where(i),
                f"the column '{beside}'" if unit else f"the header '{quantity}'",
                layer,
                path,
            )
            for i, (cell, unit) in enumerate(zip(out["quantity_t"].tolist(), units, strict=True))
        ],
        index=frame.index,
        dtype=object,
    )
    return out
