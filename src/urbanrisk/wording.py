"""Counts in the English status lines: "1 resource", "0 resources", "12 resources" (the zh
patterns of :mod:`urbanrisk.outputs.i18n` read both forms), and shares as percentages."""

from __future__ import annotations


def counted(count: int, noun: str, *, thousands: bool = False) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one.

    Examples
    --------
    >>> counted(1, "resource"), counted(0, "source"), counted(12_000, "unit", thousands=True)
    ('1 resource', '0 sources', '12,000 units')
    """
    number = f"{count:,}" if thousands else f"{count}"
    return f"{number} {noun}" + ("" if count == 1 else "s")


def percent(share: float) -> str:
    """A share (0-1) as a percentage; above 0 it never reads 0%, below 1 never 100%.

    Examples
    --------
    >>> percent(0.25), percent(0.001), percent(0.9999), percent(1.0), percent(0.0)
    ('25%', '<1%', '>99%', '100%', '0%')
    """
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"
