"""Major hazard sources (重大危险源) graded per GB 18218-2018 (危险化学品重大危险源辨识).

For a registry source that lists its substances and quantities (``substance`` and ``quantity_t``,
several separated by ``;``)::

    R = α (β1 q1/Q1 + β2 q2/Q2 + ... + βn qn/Qn)

with Q the critical quantity and β the correction factor of each substance
(``layers/tables/gb18218.csv``, a subset of the standard's Tables 1, 3 and 4), and α the exposure
factor from the people within 500 m (GB 18218-2018 Table 5, :data:`ALPHA`). The standard counts the
people living within 500 m of the plant's boundary; urbanrisk counts the residents of the grid within
500 m of the source's point (cells shared by area), a screening estimate that a site survey replaces.
Only a major hazard source is graded: one whose S = q1/Q1 + q2/Q2 + ... + qn/Qn ≥ 1 (Section 4.2,
formula (1); ``gb18218_S``); below, R is given for reference and the grade is empty, the basis saying why
(a quantity read as a lower bound that leaves S below 1 cannot tell: ``no data``). A quantity written
without a unit anywhere (``800``) is taken as tonnes, GB 18218's unit, and the basis says so.
Grade (Section 4.2.3): 一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10.
A source whose substances are all unlisted, or whose quantities are missing, gets no R (never 0).
Where the 500 m hold cells with residents unknown, the people, α and R are lower bounds
(``gb18218_unknown_share`` above 0) and the grade is ``no data`` unless the highest α (2) gives the
same grade (:mod:`urbanrisk.screens.unknown_exposure`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import settings
from ..layers.hazard_amounts import unit_written
from ..layers.table_numbers import check_numbers
from ..layers.tables import _read_table
from ..result import NO_DATA
from .hazard_sources import residents_in_circles
from .quantities import GALLONS, read_quantity
from .unknown_exposure import bounded_grade, exposure_and_shares, share_words

#: GB 18218-2018 Table 5: people within 500 m (at least) -> exposure factor α.
ALPHA = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))
#: GB 18218-2018 4.2.3: R (at least) -> grade of the major hazard source.
R_GRADES = ((100.0, "一级"), (50.0, "二级"), (10.0, "三级"), (0.0, "四级"))
RADIUS_M = 500.0
COLUMNS = [
    "gb18218_residents_500m",
    "gb18218_unknown_share",  # of the 500 m circle's area: above 0, people, α and R are lower bounds
    "gb18218_alpha",
    "gb18218_S",  # Σ q/Q: a major hazard source at 1 or more (4.2, formula (1)), else no grade
    "gb18218_sum",
    "gb18218_R",
    "gb18218_grade",
    "gb18218_basis",  # the substances named in Chinese (label_zh), for the Chinese report and tables
    "gb18218_quantity",  # "" (every quantity exact), or how R stands to the true one (R_WORDS' keys)
    "gb18218_basis_en",  # the basis with the substances named in English (the table's ``substance``)
]


def gb18218_table(path: str | Path | None = None) -> pd.DataFrame:
    """Substances with Q (t) and β, indexed by every name a registry may use (lower case)."""
    path = Path(path) if path else settings.tables_dir / "gb18218.csv"
    table = _read_table(path, ["substance", "label_zh", "q_t", "beta", "names"])
    check_numbers(table, "gb18218", path)
    table["q_t"] = table["q_t"].astype(float)
    table["beta"] = table["beta"].astype(float)
    rows = [
        (name.strip().lower(), row.substance, row.label_zh, row.q_t, row.beta)
        for row in table.itertuples()
        for name in [row.substance, *row.names.split("|")]
        if name.strip()
    ]
    out = pd.DataFrame(rows, columns=["name", "substance", "label_zh", "q_t", "beta"])
    return out.drop_duplicates("name").set_index("name")


def alpha_for(people: float) -> float:
    """The exposure factor α for the number of people within 500 m (GB 18218-2018 Table 5).

    Examples
    --------
    >>> [alpha_for(p) for p in (0, 0.4, 1, 29, 30, 49, 50, 99, 100, 5000)]
    [0.5, 0.5, 1.0, 1.0, 1.2, 1.2, 1.5, 1.5, 2.0, 2.0]
    """
    count = math.floor(people + 1e-9)  # people are counted whole: 0.4 estimated residents is nobody
    return next(alpha for least, alpha in ALPHA if count >= least)


def r_grade(r: float) -> str:
    """The grade of a major hazard source from its R value.

    Examples
    --------
    >>> r_grade(120.0), r_grade(100.0), r_grade(50.0), r_grade(49.9), r_grade(10.0), r_grade(3.0)
    ('一级', '一级', '二级', '三级', '三级', '四级')
    """
    return next(grade for least, grade in R_GRADES if r >= least)


def _split(value: object) -> list[str]:
    text = _text(value)
    return [part.strip() for part in text.replace("；", ";").replace("、", ";").split(";") if part.strip()]


#: The basis of a source with a substance of no quantity (left blank): its store is unknown, not 0.
NO_QUANTITY = "no quantity for {names}: unknown, no R (not 0); give the most that may be present, in tonnes"
#: ... and of one whose quantities cannot be matched to its substances (counts differ, no blank slot).
QUANTITIES_UNMATCHED = (
    "{names} substances but {amounts} quantities: which is whose is unknown, no R (not 0); "
    "give one quantity per substance, separated by ;"
)


def _quantity_slots(substances: object, quantities: object) -> list[str]:
    """A source's quantities, one per substance where the lists line up slot by slot ("2.5;" and ";20"
    for two substances: one blank, its quantity unknown; nothing at all: every one blank), else the
    quantities written (:func:`_split`).

    >>> _quantity_slots("液氯;液氨", ";20"), _quantity_slots("液氯;液氨", None)
    (['', '20'], ['', ''])
    >>> _quantity_slots("液氯", "2;3")
    ['2', '3']
    """
    names, amounts = _split(substances), _split(quantities)
    if not amounts:
        return [""] * len(names)
    slots = _slots(quantities)
    if len(amounts) < len(names) == len(slots) == len(_slots(substances)):
        return slots
    return amounts


def _slots(value: object) -> list[str]:
    return [part.strip() for part in _text(value).replace("；", ";").replace("、", ";").split(";")]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def tonnes(amount: str) -> float | None:
    """A quantity in tonnes from a registry's text ("30", "30吨", "30 t", "500kg", "约30吨", "20-30吨": the
    amount R uses, :func:`urbanrisk.screens.quantities.read_quantity`); None when it gives none (unknown,
    a volume, text, a negative, infinite or 1e308 t store).

    Examples
    --------
    >>> [tonnes(x) for x in ("30", "30吨", "2.5 t", "500kg", "三十", "-3", "inf", "1e308", "不详")]
    [30.0, 30.0, 2.5, 0.5, None, None, None, None, None]
    """
    return read_quantity(amount).tonnes


#: how far an R is from the true one, by its quantities' readings (the weakest wins; bounds of both
#: kinds: R is neither bound)
READING_ORDER = ("exact", "approximate", "upper bound", "lower bound")
#: the words said before an R that a quantity read loosely gives (and the column ``gb18218_quantity``)
R_WORDS = {
    "approximate": "R approximate (a quantity approximate)",
    "upper bound": "R at most (a quantity's upper bound)",
    "lower bound": "R at least (a quantity's lower bound)",
    "both ways": "R neither bound (upper and lower bounds of quantities)",
}


def _weakest(readings: list[str]) -> str:
    if "lower bound" in readings and "upper bound" in readings:
        return "both ways"
    return max(readings, key=READING_ORDER.index) if readings else "exact"


#: What a basis adds when its quantities write no unit (none in the cell, a 单位 column or the header).
NO_UNIT = "no unit written ({amounts}): taken as tonnes"
#: The basis of a source below its critical quantities (GB 18218-2018 4.2, formula (1): S = Σ q/Q < 1).
NOT_MAJOR = "not a major hazard source (Σq/Q = {s:.3g} < 1, GB 18218-2018 4.2 formula (1)): no grade"
#: ... and of one whose S is only a floor below 1 (a quantity written "> 3 t"): it cannot be told.
MAYBE_MAJOR = "Σq/Q ≥ {s:.3g}, a floor below 1: a major hazard source or not, the registry cannot tell"


def substance_sum(substances: object, quantities: object, table: pd.DataFrame) -> tuple[float | None, str]:
    """Σ β q / Q over a source's listed substances, and how it was computed (None when not computable);
    a quantity read loosely (约30吨, 20-30吨) is said beside its term.

    Examples
    --------
    >>> t = pd.DataFrame({"substance": ["chlorine"], "label_zh": ["氯"], "q_t": [5.0], "beta": [4.0]},
    ...                  index=pd.Index(["氯"], name="name"))
    >>> substance_sum("氯", "2.5", t)
    (2.0, '氯 4×2.5/5')
    >>> substance_sum("氯", "2-2.5吨", t)
    (2.0, "氯 4×2.5/5 ['2-2.5吨' read as 2.5 t (the upper bound)]")
    """
    total, basis, _ = substance_reading(substances, quantities, table)
    return total, basis


class SubstanceReading(NamedTuple):
    """A source's substance list read once (:func:`substance_readings`)."""

    total: float | None  # Σ β q/Q (None: not computable)
    ratio: float | None  # S = Σ q/Q
    basis: str  # how it was computed, the substances named in Chinese (label_zh), or why not
    basis_en: str  # the same, the substances named in English (the table's ``substance``)
    reading: str  # the weakest reading of its quantities (READING_ORDER, or "both ways")


def gb18218_rows(table: pd.DataFrame) -> dict[str, tuple[float, float, str, str]]:
    """A :func:`gb18218_table` as plain values, name -> (β, Q in t, 氯, chlorine): read once per screen.

    >>> gb18218_rows(gb18218_table())["液氯"]
    (4.0, 5.0, '氯', 'chlorine')
    """
    return {
        str(name): (float(beta), float(q_t), str(zh), str(en))
        for name, beta, q_t, zh, en in zip(
            table.index, table["beta"], table["q_t"], table["label_zh"], table["substance"], strict=True
        )
    }


def substance_readings(
    substances: object, quantities: object, rows: dict[str, tuple[float, float, str, str]]
) -> SubstanceReading:
    """Σ β q/Q, Σ q/Q, the basis in both languages and the weakest reading of a source's substance list
    (``rows``: :func:`gb18218_rows`), in one pass over it.

    >>> substance_readings("液氯;液氨", "2.5;20", gb18218_rows(gb18218_table()))
    SubstanceReading(total=6.0, ratio=2.5, basis='氯 4×2.5/5 + 氨 2×20/10', basis_en='chlorine 4×2.5/5 + \
ammonia 2×20/10', reading='exact')
    """
    names, amounts = _split(substances), _quantity_slots(substances, quantities)
    if not names:
        return SubstanceReading(None, None, "", "", "exact")
    if len(names) != len(amounts):  # which quantity is whose cannot be told: unknown, never 0
        why = QUANTITIES_UNMATCHED.format(names=len(names), amounts=len(amounts))
        return SubstanceReading(None, None, why, why, "exact")
    if missing := [name for name, amount in zip(names, amounts, strict=True) if not amount]:
        why = NO_QUANTITY.format(names=", ".join(missing))
        return SubstanceReading(None, None, why, why, "exact")
    total, ratio, parts, parts_en, unknown, readings = 0.0, 0.0, [], [], [], []
    for name, amount in zip(names, amounts, strict=True):
        read = read_quantity(amount)
        why = ""
        if read.reading == "volume":  # 约30立方, 500 gallons: a tank's volume, its mass needs the density
            litres = "; a US gallon is 3.785 L" if GALLONS.search(amount) else ""
            why = f"quantity {amount!r} is a volume, not a mass: give tonnes (volume × density{litres})"
        elif read.reading == "unknown":  # 不详: no R, never 0
            why = (
                f"quantity {amount!r} is unknown: no R (not 0); give the most that may be present, in tonnes"
            )
        elif read.tonnes is None:
            why = f"quantity {amount!r} is not a number of tonnes"
        if why:
            return SubstanceReading(None, None, why, why, "exact")
        if name.lower() not in rows:
            unknown.append(name)
            continue
        q, (beta, q_t, label, label_en) = read.tonnes, rows[name.lower()]
        total += beta * q / q_t
        ratio += q / q_t
        said = f" [{read.words}]" if read.words else ""
        parts.append(f"{label} {beta:g}×{q:g}/{q_t:g}{said}")
        parts_en.append(f"{label_en} {beta:g}×{q:g}/{q_t:g}{said}")
        readings.append(read.reading)
    if unknown:  # the listed ones alone would understate R (missing is not zero): no R, no grade
        whys = []
        for said in (parts, parts_en):
            known = f"; the others give Σβq/Q = {' + '.join(said)} = {total:g}, a lower bound" if said else ""
            whys.append(f"not in the GB 18218 table: {', '.join(unknown)} (add to your copy){known}")
        return SubstanceReading(None, None, whys[0], whys[1], "exact")
    return SubstanceReading(total, ratio, " + ".join(parts), " + ".join(parts_en), _weakest(readings))


def substance_reading(
    substances: object, quantities: object, table: pd.DataFrame, *, name_column: str = "label_zh"
) -> tuple[float | None, str, str]:
    """:func:`substance_sum` and how its quantities were read, the weakest (exact, approximate, upper
    bound, lower bound; both ways: bounds of both kinds); the basis names each substance by the table's
    ``name_column`` (``label_zh`` 氯, or ``substance``: chlorine) (:func:`substance_readings`)."""
    read = substance_readings(substances, quantities, gb18218_rows(table))
    return read.total, read.basis_en if name_column == "substance" else read.basis, read.reading


def people_words(people: float, share: float) -> str:
    """The people within 500 m of a source whose reach holds cells of residents unknown (``share`` > 0):
    a lower bound with its unknown share, or, when nothing in reach was measured, unknown, with what was
    counted as its floor (:data:`urbanrisk.outputs.i18n_exposure.WHOLLY_UNKNOWN`'s words; "≥ 60 ...
    (all the area in reach has residents unknown)" read as a measured count).

    >>> people_words(60.0, 0.25), people_words(60.0, 1.0), people_words(0.2, 1.0)
    ('≥ 60 people within 500 m (25% of the area in reach has residents unknown)', \
'people within 500 m unknown (at least 60)', 'people within 500 m unknown (no population data in reach)')
    """
    if share < 1.0:
        return f"≥ {people:,.0f} people within 500 m ({share_words(share)})"
    if round(people) <= 0:
        return "people within 500 m unknown (no population data in reach)"
    return f"people within 500 m unknown (at least {people:,.0f})"


def major_hazard_grades(
    sources: gpd.GeoDataFrame,
    grid: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    utm_crs: str,
    exposed_of: Callable[..., np.ndarray] | None = None,
    residents_known: np.ndarray | None = None,
    sources_utm: np.ndarray | None = None,
) -> pd.DataFrame:
    """The GB 18218 columns (:data:`COLUMNS`) of each source, same index; NaN / "" where not computable
    (``exposed_of`` replaces :func:`residents_in_circles`: its per-partition twin; ``residents_known``:
    per cell, whether its residents were measured; ``sources_utm``: the sources' points in ``utm_crs``,
    when projected already)."""
    substances = (
        sources["substance"] if "substance" in sources.columns else pd.Series("", index=sources.index)
    )
    quantities = (
        sources["quantity_t"] if "quantity_t" in sources.columns else pd.Series("", index=sources.index)
    )
    read: dict[tuple, SubstanceReading] = {}  # a registry repeats its lists: each distinct one read once
    rows = gb18218_rows(table)
    readings_of = []
    for subs, qty in zip(substances.tolist(), quantities.tolist(), strict=True):
        key = (str(subs), str(qty), type(subs), type(qty))
        if key not in read:
            read[key] = substance_readings(subs, qty, rows)
        readings_of.append(read[key])
    # the 500 m of the sources that list substances (no list: GB 18218 says nothing of them, not computed)
    listed = np.flatnonzero([bool(_split(s)) for s in substances.tolist()])
    people_500m, shares = np.full((2, len(sources)), np.nan)
    if len(listed):
        utm = sources.geometry.to_crs(utm_crs).to_numpy() if sources_utm is None else sources_utm
        xy = np.column_stack([shapely.get_x(utm[listed]), shapely.get_y(utm[listed])])
        people_500m[listed], shares[listed] = exposure_and_shares(
            grid,
            residents_known,
            xy,
            np.full(len(xy), RADIUS_M),
            utm_crs,
            exposed_of=exposed_of or residents_in_circles,
        )
    alphas, ratios, totals, rs = np.full((4, len(sources)), np.nan)
    grades, whys, readings = [""] * len(sources), [""] * len(sources), [""] * len(sources)
    named = [("", "")] * len(sources)  # each source's basis in Chinese and English names
    for i, reading_i in enumerate(readings_of):
        total, ratio, basis, english, reading = reading_i
        ratios[i] = np.nan if ratio is None else ratio
        named[i] = (basis, english)
        whys[i] = basis
        if total is None:  # no R (missing is not zero): the people within 500 m and the reason only
            continue
        people, share = float(people_500m[i]), shares[i]
        alpha = alpha_for(people)
        alphas[i], totals[i], rs[i] = alpha, total, alpha * total
        whys[i] = f"α {alpha:g} × ({basis})"
        if share > 0 and alpha < ALPHA[0][1]:  # more people may live there: α and R are lower bounds
            whys[i] = f"α ≥ {alpha:g}: {people_words(people, share)} × ({basis})"
        if ratios[i] < 1.0 - 1e-9 and reading in ("lower bound", "both ways"):  # S a floor below 1
            readings[i], grades[i] = reading, NO_DATA  # a larger store may make it a major hazard source
            whys[i] = f"{R_WORDS[reading]}: {MAYBE_MAJOR.format(s=ratios[i])}; R for reference: {whys[i]}"
            continue
        if ratios[i] < 1.0 - 1e-9:  # below its critical quantities: no major hazard source, no grade
            whys[i] = f"{NOT_MAJOR.format(s=ratios[i])}; R for reference: {whys[i]}"
            continue
        grades[i] = bounded_grade(r_grade(rs[i]), r_grade(ALPHA[0][1] * total), share)
        if reading != "exact":  # said before R; a floor (or bounds both ways) grades only what none can raise
            readings[i], whys[i] = reading, f"{R_WORDS[reading]}: {whys[i]}"
            top = r_grade(rs[i]) == R_GRADES[0][1]  # 一级: no larger amount raises it
            if reading == "both ways" or (reading == "lower bound" and not top):
                grades[i] = NO_DATA
    for i, qty in enumerate(quantities.tolist()):  # "800" alone: tonnes, said (an office may mean 公斤)
        if np.isfinite(totals[i]) and (bare := [a for a in _split(qty) if not unit_written(a)]):
            whys[i] += f"; {NO_UNIT.format(amounts=', '.join(repr(a) for a in bare))}"
    whys_en = [why.replace(zh, en, 1) if zh else why for why, (zh, en) in zip(whys, named, strict=True)]
    people = np.asarray(people_500m, dtype=float)
    columns = [people, shares, alphas, ratios, totals, rs, grades, whys, readings, whys_en]
    out = pd.DataFrame(dict(zip(COLUMNS, columns, strict=True)), index=sources.index)
    for column in COLUMNS:
        text = column in ("gb18218_grade", "gb18218_basis", "gb18218_quantity", "gb18218_basis_en")
        out[column] = out[column].fillna("").astype(str) if text else out[column].astype(float)
    return out
