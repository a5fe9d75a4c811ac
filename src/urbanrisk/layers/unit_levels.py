"""A unit file holding several levels at once (区, 街道 and 社区 in one GeoJSON, told apart by a column
such as 层级). A polygons layer reads every feature of its file: pointed at such a file, each level's
layer held all three levels, a 社区 register listed 海淀区 as a community, and the run only noted
"overlapping units". A layer now says which features it takes (``level_column: 层级``, ``level_value:
街道``); without them such a file is refused, the keys named as the first fix. Light (the attributes
read without GDAL): validate reads it, and the run filters with the same :func:`level_text`.

Examples
--------
>>> level_counts(["区", "街道", "街道", "社区", "社区", "社区"])
{'区': 1, '街道': 2, '社区': 3}
>>> level_counts(["北邮社区", "蓟门里社区"]), level_counts(["社区", "村"])  # names; one level
({}, {})
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .attributes import Rows, attribute_rows, id_name_rows

#: Columns that may tell a unit's level (compared lower-case).
LEVEL_COLUMNS = ("层级", "级别", "行政级别", "区划级别", "区划层级", "level", "类型", "type")
#: A level word -> its level (区县 district; 街道 乡镇 street; 社区 村 居委会 community; 网格 grid).
LEVEL_WORDS = {
    **dict.fromkeys(("区", "县", "区县", "district", "county"), "district"),
    **dict.fromkeys(("街道", "镇", "乡", "乡镇", "街乡镇", "street", "town", "subdistrict"), "street"),
    **dict.fromkeys(("社区", "村", "居委会", "村委会", "社区居委会", "community", "village"), "community"),
    **dict.fromkeys(("网格", "grid"), "grid"),
}


def level_counts(values: list[str]) -> dict[str, int]:
    """How many units each level word counts, when every value is a level word of at least two
    levels; else {} (a column of names, of one level, or of other words)."""
    words = [str(v).strip().lower() for v in values]
    if not words or any(w not in LEVEL_WORDS for w in words):
        return {}
    if len({LEVEL_WORDS[w] for w in words}) < 2:
        return {}
    return dict(Counter(str(v).strip() for v in values))


def several_levels(
    path: Path, columns: list[str], id_column: str, *, layer: str, level: str | None, **read: object
) -> str | None:
    """The message for a unit file whose features are of several levels (by a column of level words),
    else None; ``level`` the layer's own (for the example's value), ``read``: encoding, file_layer."""
    for column in [c for c in columns if c.lower() in LEVEL_COLUMNS and c != id_column]:
        rows = id_name_rows(path, id_column, column, layer=layer, **read)  # type: ignore[arg-type]
        counts = level_counts([value for _, value in rows or []])
        if not counts:
            continue
        listed = ", ".join(f"{word} {n}" for word, n in counts.items())
        value = next((w for w in counts if LEVEL_WORDS[w.lower()] == level), next(iter(counts)))
        example = f"{value}{path.suffix}"
        return (
            f"{path.name} holds units of several levels (column '{column}': {listed}) and layer '{layer}' "
            "reads them all, each cell going to whichever unit it falls in: say which units the layer takes "
            f"(level_column: {column}, level_value: {value}), or give each level its own file "
            f"(e.g. ogr2ogr -where \"{column}='{value}'\" {example} {path.name}), or a GeoPackage layer per "
            "level read with `file_layer:`"
        )
    return None


def level_text(value: object) -> str:
    """A level cell as text, the same whether read lightly or by the run (None / NaN: "", 2.0: "2").

    >>> level_text(" 街道 "), level_text(None), level_text(float("nan")), level_text(2.0), level_text(2)
    ('街道', '', '', '2', '2')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return re.sub(r"^(-?\d+)\.0+$", r"\1", text)


def level_value_problem(held: Iterable[str], wanted: list[str], column: str, file: str) -> str | None:
    """The message for a ``level_value`` the column does not hold (listing what it holds), else None.

    >>> level_value_problem(["区", "街道", "街道"], ["街道"], "层级", "a.geojson") is None
    True
    >>> level_value_problem(["区", "街道", "街道"], ["社区"], "层级", "a.geojson")
    "column '层级' of a.geojson holds no '社区' (it holds: 区 1, 街道 2): set level_value: to one of them"
    """
    counts = Counter(level_text(v) for v in held)
    absent = [w for w in wanted if level_text(w) not in counts]
    if not absent:
        return None
    listed = ", ".join(f"{word or '(empty)'} {n}" for word, n in counts.items()) or "nothing"
    missing = ", ".join(f"'{w}'" for w in absent)
    return (
        f"column '{column}' of {file} holds no {missing} (it holds: {listed}): set level_value: to one "
        "of them"
    )


def level_rows(path: Path, id_column: str, name_column: str, spec: Any, *, layer: str) -> Rows | None:
    """(id, name) of the features a polygons layer (or units file) ``spec`` takes: those whose
    ``level_column`` reads one of its ``level_value`` (every feature without them), as the run takes
    them; None as :func:`urbanrisk.layers.attributes.id_name_rows`."""
    read: dict[str, Any] = {"encoding": spec.encoding, "layer": layer, "file_layer": spec.file_layer}
    column = getattr(spec, "level_column", None)
    if column is None:
        return id_name_rows(path, id_column, name_column, **read)
    rows = attribute_rows(path, (id_column, name_column, column), **read)
    wanted = {level_text(v) for v in spec.level_values}
    return None if rows is None else [(a, b) for a, b, c in rows if level_text(c) in wanted]
