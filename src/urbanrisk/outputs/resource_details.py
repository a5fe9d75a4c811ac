"""The office's own columns of each resource (a registry's ``keep_columns``: 值班电话, 负责人, 地址...)
as lines of the map's tooltip, escaped: a registry's text is untrusted."""

from __future__ import annotations

import pandas as pd

from .html import escape_text
from .i18n_deliverables import colon

#: A resource's columns of urbanrisk's own (every other column is a registry's kept column).
OWN_COLUMNS = ("id", "kind", "name", "capacity", "source", "geometry")


def detail_lines(resources: pd.DataFrame, language: str = "en") -> list[str]:
    """For each resource row, its kept columns as ``<br/>column: value`` (a missing value left out).

    Examples
    --------
    >>> rows = pd.DataFrame({"id": ["F1", "F2"], "值班电话": ["<b>119</b>", None], "负责人": ["张三", None]})
    >>> detail_lines(rows, "zh")
    ['<br/>值班电话：&lt;b&gt;119&lt;/b&gt;<br/>负责人：张三', '']
    """
    kept = [c for c in resources.columns if c not in OWN_COLUMNS]
    lines = []
    for values in resources[kept].itertuples(index=False, name=None) if kept else [()] * len(resources):
        lines.append(
            "".join(
                f"<br/>{escape_text(str(column))}{colon(language)}{escape_text(str(value))}"
                for column, value in zip(kept, values, strict=True)
                if isinstance(value, str) and value  # None / NaN: not known, not shown
            )
        )
    return lines
