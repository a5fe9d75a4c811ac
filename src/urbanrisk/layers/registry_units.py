"""A registry's own 街道 / 社区 columns against the unit its point lies in.

An office's 台账 names the 街道 and 社区 of each site beside its coordinates. Where the recipe holds the
units of that level (a ``polygons`` layer with ``level: street`` / ``level: community``), a row whose
社区 says one unit while its point lies in another is a typo in one of them: the name, or the coordinates
(a digit of 经度 off puts the site in the next 社区). Said in the run's notes and by ``urbanrisk validate``
with the rows; nothing is re-assigned (each point counts where it lies, the office decides which is
wrong). Names are compared as a clerk would (:func:`urbanrisk.layers.census.unit_key`) and without
their level words: 花园路 = 花园路街道 = 花园路街道办事处, 学院路 = 学院路社区 = 学院路社区居委会. A
point in no unit, or a row with the column empty, is not compared.

Examples
--------
>>> same_unit("花园路", "花园路街道办事处"), same_unit("学院路社区居委会", "学院路社区")
(True, True)
>>> same_unit("蓟门里", "北太平庄")
False
>>> written_unit_columns(["名称", "所属街道", "社区", "经度"])
{'street': '所属街道', 'community': '社区'}
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

#: a registry's column naming a site's unit, by level (compared without spaces, lower-case)
UNIT_COLUMNS = {
    "street": (
        "街道",
        "所属街道",
        "街道名称",
        "街道办事处",
        "所属街道办事处",
        "街乡镇",
        "乡镇街道",
        "street",
    ),
    "community": (
        "社区",
        "所属社区",
        "社区名称",
        "社区居委会",
        "所属社区居委会",
        "居委会",
        "村居",
        "community",
    ),
}
#: level words at the end of a unit's name (the longest first)
_LEVEL_WORDS = re.compile(r"(?:街道办事处|地区办事处|办事处|街道|社区居委会|居委会|村委会|社区|村|乡|镇)$")
_SPACE = re.compile(r"\s+")
#: the level each level word tells
_END_LEVEL = {
    **dict.fromkeys(("街道办事处", "地区办事处", "办事处", "街道", "乡", "镇"), "street"),
    **dict.fromkeys(("社区居委会", "居委会", "村委会", "社区", "村"), "community"),
}
#: the rows a note lists
SHOWN = 5


def written_unit_columns(columns: list[str]) -> dict[str, str]:
    """level -> the registry's column naming each row's unit of that level (the first so named)."""
    folded = {_SPACE.sub("", unicodedata.normalize("NFKC", str(c))).lower(): str(c) for c in columns}
    found = {}
    for level, names in UNIT_COLUMNS.items():
        column = next((folded[n] for n in names if n in folded), None)
        if column is not None:
            found[level] = column
    return found


def _bare(name: object) -> str:
    key = _SPACE.sub("", unicodedata.normalize("NFKC", str(name))).casefold()
    bare = _LEVEL_WORDS.sub("", key)
    return bare or key


def same_unit(written: object, actual: object) -> bool:
    """Whether a registry's unit name and the unit's own name are one unit (level words aside)."""
    return _bare(written) == _bare(actual)


def written_units(frame: Any, where: Any, *, layer: str, file: str) -> dict[str, Any] | None:
    """What :func:`unit_name_note` needs of a registry (its points, rows and unit columns), kept on the
    standard points' ``attrs`` (their other columns are dropped); None without such a column."""
    columns = written_unit_columns([str(c) for c in frame.columns if c != "geometry"])
    if not columns:
        return None
    return {
        "layer": layer,
        "file": file,
        "rows": [where(i) for i in range(len(frame))],
        "lon": frame.geometry.x.tolist(),  # lists: attrs compared by pandas (an array's == is no bool)
        "lat": frame.geometry.y.tolist(),
        "columns": columns,
        "texts": {
            level: frame[c].fillna("").astype(str).str.strip().tolist() for level, c in columns.items()
        },
    }


def registry_unit_notes(registries: list[dict[str, Any] | None], units: list[Any]) -> list[str]:
    """:func:`unit_name_notes` of each registry's :func:`written_units`."""
    return [note for written in registries for note in unit_name_notes(written, units)]


def unit_name_notes(written: dict[str, Any] | None, units: list[Any]) -> list[str]:
    """The notes on rows whose 街道 / 社区 column names another unit than the one their point lies in
    (``units``: the recipe's unit frames, ``name``, ``level`` and polygons in EPSG:4326)."""
    if not written or not units:
        return []
    import geopandas as gpd

    points = gpd.GeoSeries(gpd.points_from_xy(written["lon"], written["lat"]), crs="EPSG:4326")
    notes = []
    levels = [unit_level(u) for u in units]
    for level, column in written["columns"].items():
        frames = [u for u, of in zip(units, levels, strict=True) if len(u) and of == level]
        if not frames:
            notes += _skipped(
                written, level, column, [u for u, of in zip(units, levels, strict=True) if of is None]
            )
            continue
        texts = written["texts"][level]
        holding: dict[int, list[str]] = {}  # point -> the names of the units it lies in (all files)
        for frame in frames:
            names = frame["name"].astype(str).tolist()
            point_i, unit_i = frame.geometry.to_crs("EPSG:4326").sindex.query(points, predicate="intersects")
            for p, u in zip(point_i.tolist(), unit_i.tolist(), strict=True):
                holding.setdefault(p, []).append(names[u])
        bare = functools.cache(_bare)  # a registry repeats its 社区: each name folded once
        found = [
            (written["rows"][p], texts[p], holding[p][0])
            for p in sorted(holding)
            if texts[p] and bare(texts[p]) not in {bare(name) for name in holding[p]}
        ]
        if found:
            notes.append(_note(written["layer"], written["file"], column, found, len(found)))
    return notes


def inferred_level(names: list[str]) -> str | None:
    """``street`` or ``community`` when every unit's name ends in a word of that level (花园路街道,
    北太平庄街道办事处; 学院路社区, 蓟门里社区居委会, 大钟寺村), else None.

    >>> inferred_level(["花园路街道", "学院路街道办事处"]), inferred_level(["学院路社区", "北邮"])
    ('street', None)
    """
    found = {
        _END_LEVEL.get(m.group(0)) if (m := _LEVEL_WORDS.search(str(n).strip())) else None for n in names
    }
    return found.pop() if len(found) == 1 and None not in found else None


def unit_level(frame: Any) -> str | None:
    """A unit frame's ``level`` as declared (``level:``), else as its names make it clear, else None."""
    declared = frame["level"].iloc[0] if len(frame) and "level" in frame else None
    if isinstance(declared, str) and declared:
        return declared
    return inferred_level(frame["name"].astype(str).tolist()) if len(frame) else None


def _skipped(written: dict[str, Any], level: str, column: str, unknown: list[Any]) -> list[str]:
    """The note saying that a registry's 街道 / 社区 column was not compared: no unit layer of that level,
    while some unit layer has no ``level:`` and names that do not tell it."""
    if not unknown:
        return []
    word = {"street": "街道", "community": "社区"}[level]
    return [
        f"{written['layer']}: column '{column}' of {written['file']} was not compared with the units: "
        f"no unit layer has level {level}, and a layer without `level:` has names that do not all end in "
        f"{word}: set `level: {level}` on the layer of those units to have each row's {word} checked"
    ]


def _note(layer: str, file: str, column: str, found: list[tuple[str, str, str]], count: int) -> str:
    listed = "; ".join(f"{row}: '{said}', its point in '{actual}'" for row, said, actual in found[:SHOWN])
    more = f"; and {count - SHOWN} more" if count > SHOWN else ""
    rows = "row names" if count == 1 else "rows name"
    return (
        f"{layer}: {count} {rows} in column '{column}' of {file} another unit than the one the point lies in "
        f"({listed}{more}): a typo in the name or in the coordinates; check them (nothing is re-assigned: "
        "each point counts where it lies)"
    )
