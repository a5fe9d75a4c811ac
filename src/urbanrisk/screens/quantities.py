"""A hazard registry's quantity (最大存量 / 储量, the q of GB 18218) as an office writes it, read the way a
safety engineer reads it, and said beside every R that uses it.

- a plain amount, with its unit and magnitude: ``30``, ``30吨``, ``30 t``, ``500千克``, ``3万吨`` -> exact;
- an approximate amount: ``约30吨``, ``30吨左右``, ``≈30 t``, ``~30t`` -> the number, noted approximate;
- a range or a ceiling: ``20-30吨``, ``20~30 t``, ``20至30吨``, ``<=30t``, ``30吨以下`` -> its upper bound
  (GB 18218 counts the most that may be present), noted; ``30余吨`` / ``30多吨`` (more than 30, under
  40 as Chinese counts) -> 40, noted;
- a floor only: ``>30t``, ``≥30吨``, ``30吨以上``, ``不少于30吨`` -> the number as a lower bound: R is
  one too, and its grade holds only where no larger amount could change it (一级);
- unknown words (``不详``, ``未知``, ``待查``, ``-``...) -> unknown: no R, never 0; a volume (``30立方``,
  ``500 gallons``, ``12 bbl``) has no mass without its density; any other text is not a quantity.

A US office's units: pounds (``lbs``, ``lb``, ``pounds``: 0.45359237 kg each, exact by definition) and
tons said which (``short tons`` / ``US tons``: 2,000 lb = 0.90718474 t; ``long tons``: 2,240 lb =
1.0160469088 t; ``metric tons``: 1 t) are exact. A bare ``tons`` is ambiguous: a US registry means
short tons, a Chinese one writing English means 吨, a British one may mean long tons. It is read as
metric tonnes and noted approximate (R approximate, said beside R and in the grade, with the fix: write
``short tons`` or ``t``), not refused, because

- the three meanings lie within 0.907-1.016 t: R read as metric is at most 10 % above the short-ton R
  and at most 1.6 % below the long-ton one (a unit no store registry uses any more), while every grade
  step is a factor 2 or more (R 10, 50, 100): a 10 % error moves a grade only where R is already at
  its edge, and then towards the more severe side for the US reading;
- a refusal would leave every R of a registry written in tons unknown (no grade at all) where a value
  good to 10 % is at hand, and the words say which was assumed, so no one reads it as exact.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

#: the largest store a registry may list (t): past the largest tank farms and depots by far
MAX_TONNES = 1e7
#: a US pound (lb), exactly, in tonnes (the international yard and pound agreement of 1959)
POUND_T = 0.45359237e-3
#: a US short ton (2,000 lb) and a long ton (2,240 lb) in tonnes, exactly
SHORT_TON_T, LONG_TON_T = 0.90718474, 1.0160469088
#: units a registry writes after a quantity -> tonnes per unit (spaces and dots in the unit folded to one
#: space: ``short  tons``, ``lbs.``); a bare ``tons`` is read as metric (:data:`BARE_TONS_WORDS`)
UNITS_T = {
    "tonnes": 1.0,
    "tonne": 1.0,
    "metric tons": 1.0,
    "metric ton": 1.0,
    "tons": 1.0,
    "ton": 1.0,
    "short tons": SHORT_TON_T,
    "short ton": SHORT_TON_T,
    "us tons": SHORT_TON_T,
    "us ton": SHORT_TON_T,
    "long tons": LONG_TON_T,
    "long ton": LONG_TON_T,
    "lbs": POUND_T,
    "lb": POUND_T,
    "pounds": POUND_T,
    "pound": POUND_T,
    "公斤": 1e-3,
    "千克": 1e-3,
    "kg": 1e-3,
    "吨": 1.0,
    "t": 1.0,
}
#: magnitudes written before the unit (3万吨: 30,000 t)
MAGNITUDES = {"万": 1e4, "千": 1e3}
#: words that say the amount is not known (compared lower-case, whole)
UNKNOWN_WORDS = frozenset(
    (
        "不详",
        "未知",
        "不明",
        "不清楚",
        "待查",
        "待定",
        "暂无",
        "无数据",
        "-",
        "--",
        "—",
        "/",
        "?",
        "n/a",
        "unknown",
    )
)
#: a quantity written as a volume (立方, 方, m³, 升, L, US gallons, barrels, cubic feet): no mass without
#: the substance's density
VOLUME = re.compile(
    r"(立方米?|方|m3|m³|升|l|gal(?:lon)?s?\.?|bbls?|barrels?|ft3|ft³|cu\.? ?ft|cubic f(?:ee|oo)t)\s*$",
    re.IGNORECASE,
)
#: a volume in US gallons (its message adds the litres of a gallon)
GALLONS = re.compile(r"gal(?:lon)?s?\.?\s*$", re.IGNORECASE)
#: a bare ``ton(s)``, not said short, long, US or metric (read as metric tonnes, noted approximate)
BARE_TONS = frozenset(("ton", "tons"))
#: what a quantity in bare tons adds to its words
BARE_TONS_WORDS = "tons taken as metric tonnes (a US short ton is 0.907 t: write short tons or t)"

_APPROX = re.compile(
    r"^(?:约为?|大约|大概|≈|~|about|approx\.?|approximately|ca\.?)\s*(.+?)$|^(.+?)\s*(?:左右|上下)$"
)
_AT_MOST = re.compile(r"^(?:<=?|≤|不超过|不大于|最多|至多|max\.?)\s*(.+?)$|^(.+?)\s*(?:及以下|以下|以内)$")
_AT_LEAST = re.compile(r"^(?:>=?|≥|不少于|不低于|至少|超过|大于|min\.?)\s*(.+?)$|^(.+?)\s*(?:及以上|以上)$")
_RANGE = re.compile(r"^(.+?)\s*(?:-|~|–|—|至|到)\s*(.+)$")
_AMOUNT = re.compile(
    r"^(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(余|多)?\s*(万|千(?!克))?\s*(余|多)?\s*"
    r"([a-z吨公斤千克][a-z吨公斤千克. ]*)?$"  # the unit: "short tons", "lbs."
)


class Quantity(NamedTuple):
    """A registry's quantity read: ``tonnes`` the amount R uses (None: none), ``reading`` how it was
    read (exact, approximate, upper bound, lower bound, unknown, volume, unreadable) and ``words``: how,
    said beside R ("" for an exact amount)."""

    tonnes: float | None
    reading: str
    words: str


def _amount(text: str) -> tuple[float, float | None, str] | None:
    """(tonnes, the upper bound 余 / 多 give or None, the unit seen) of ``30``, ``3万吨``, ``30余吨``."""
    match = _AMOUNT.match(text.strip().lower())
    if match is None:
        return None
    number, more, magnitude, more_after, unit = match.groups()
    unit = " ".join((unit or "").replace("u.s.", "us").replace(".", " ").split())  # "short  tons", "u.s. ton"
    if unit and unit not in UNITS_T:
        return None
    value = float(number.replace(",", ""))
    scale = MAGNITUDES.get(magnitude or "", 1.0) * UNITS_T.get(unit or "t", 1.0)
    upper = None
    if more or more_after:  # 30余: more than 30, under the next step of its last digit (40); 3万余: 40,000
        whole, _, fraction = number.replace(",", "").partition(".")
        step = 10.0 ** (len(whole) - len(whole.rstrip("0"))) if not fraction else 10.0 ** -len(fraction)
        upper = (value + (1.0 if more_after else step)) * scale  # 3万余: the step is of the 万s
    return value * scale, upper, unit or ""


def _fine(tonnes: float | None) -> bool:
    return tonnes is not None and math.isfinite(tonnes) and 0 <= tonnes <= MAX_TONNES


def read_quantity(text: object) -> Quantity:
    """A quantity in tonnes from a registry's text, with how it was read.

    Examples
    --------
    >>> read_quantity("30吨"), read_quantity("500千克").tonnes, read_quantity("3万吨").tonnes
    (Quantity(tonnes=30.0, reading='exact', words=''), 0.5, 30000.0)
    >>> read_quantity("约30吨")
    Quantity(tonnes=30.0, reading='approximate', words="'约30吨' read as 30 t (approximate)")
    >>> read_quantity("20-30吨")
    Quantity(tonnes=30.0, reading='upper bound', words="'20-30吨' read as 30 t (the upper bound)")
    >>> read_quantity("30余吨").tonnes, read_quantity("<=30t").reading, read_quantity(">30 t").reading
    (40.0, 'upper bound', 'lower bound')
    >>> [read_quantity(x).reading for x in ("不详", "30立方", "三十", "-3", "inf", "1e308")]
    ['unknown', 'volume', 'unreadable', 'unreadable', 'unreadable', 'unreadable']
    >>> round(read_quantity("2,000 lbs").tonnes, 12), read_quantity("30 short tons").tonnes
    (0.90718474, 27.2155422)
    >>> read_quantity("500 gallons").reading, read_quantity("30 tons")[:2]
    ('volume', (30.0, 'approximate'))
    """
    raw = "" if text is None else str(text).strip()
    plain = unicodedata.normalize("NFKC", raw).replace("～", "~").strip()
    if not plain or plain.lower() in UNKNOWN_WORDS:
        return Quantity(None, "unknown", f"'{raw}' is unknown")
    for pattern, reading, said in (
        (_APPROX, "approximate", "approximate"),
        (_AT_MOST, "upper bound", "the upper bound"),
        (_AT_LEAST, "lower bound", "at least: a lower bound"),
    ):
        match = pattern.match(plain)
        if match:
            inner = _plain_or_range(next(g for g in match.groups() if g))
            if inner is None or not _fine(inner[0]):
                break
            if inner[1] == "upper bound" and reading == "approximate":
                reading, said = "upper bound", "the upper bound"  # 约20-30吨: its upper bound
            return _said(Quantity(inner[0], reading, f"'{raw}' read as {inner[0]:g} t ({said})"), inner[2])
    else:
        inner = _plain_or_range(plain)
        if inner is not None and _fine(inner[0]):
            reading = inner[1]
            words = "" if reading == "exact" else f"'{raw}' read as {inner[0]:g} t (the upper bound)"
            return _said(Quantity(inner[0], reading, words), inner[2], raw)
    if VOLUME.search(plain):
        return Quantity(None, "volume", f"'{raw}' is a volume, not a mass")
    return Quantity(None, "unreadable", f"'{raw}' is not a number of tonnes")


def _said(read: Quantity, unit: str, raw: str = "") -> Quantity:
    """``read`` with the assumption a bare ``tons`` makes said (an exact amount: approximate)."""
    if unit not in BARE_TONS or read.tonnes is None:
        return read
    if read.reading == "exact":
        read = Quantity(read.tonnes, "approximate", f"'{raw}' read as {read.tonnes:g} t (approximate)")
    return read._replace(words=f"{read.words}, {BARE_TONS_WORDS}")


def _plain_or_range(text: str) -> tuple[float, str, str] | None:
    """(tonnes, exact | upper bound, the unit) of an amount (``30余吨``: its upper bound) or a range (its
    upper)."""
    amount = _amount(text)
    if amount is not None:
        value, upper, unit = amount
        return (upper, "upper bound", unit) if upper is not None else (value, "exact", unit)
    match = _RANGE.match(text)
    if match is None:
        return None
    low, high = _amount(match.group(1)), _amount(match.group(2))
    if low is None or high is None:
        return None
    if not low[2] and high[2]:  # 20-30吨: the unit written once, at the end
        low = _amount(match.group(1) + high[2])
    top = high[1] if high[1] is not None else high[0]
    if low is None or low[0] > top:
        return None  # 30-20吨: not a range
    return top, "upper bound", high[2]
