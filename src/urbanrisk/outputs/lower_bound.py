"""A count over cells some of whose residents are unknown, shown as what it is: a lower bound.

Missing is not zero: where cells' residents could not be measured, a sum over them is "≥ N", and
the number of such cells is named beside it (:mod:`urbanrisk.coverage_unknown`).
"""

from __future__ import annotations

from collections.abc import Callable

from .report_parts import n


def at_least(value: float, unknown_cells: int | None, t: Callable[..., str]) -> str:
    """``value`` with thousands separators, as "≥ value (k cells with residents unknown)" when
    ``unknown_cells`` is above 0.

    Examples
    --------
    >>> at_least(1234.4, 0, lambda s, **k: s.format(**k)), at_least(0.0, 3, lambda s, **k: s.format(**k))
    ('1,234', '≥ 0 (3 cells with residents unknown)')
    """
    shown = n(value)
    if not unknown_cells:
        return shown
    return t("≥ {n} ({cells} cells with residents unknown)", n=shown, cells=f"{unknown_cells:,}")
