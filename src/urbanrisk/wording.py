"""Counts in the English status lines: "1 resource", "0 resources", "12 resources" (the zh
patterns of :mod:`urbanrisk.outputs.i18n` read both forms)."""

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
