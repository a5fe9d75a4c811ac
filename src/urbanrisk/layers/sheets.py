"""Which sheet of a workbook a registry layer reads (:mod:`urbanrisk.layers.tabular` reads it).

``sheet:`` names it (a name, or a number from 1). Without it the first sheet Excel shows is read (a hidden
first sheet, an old copy kept out of sight, is passed over), unless another visible sheet holds data rows
under a header alike (two or more of the same column names: a second district's 危险源, the 应急资源 beside
the 危险源): then the layer would read one of them without a word, and the workbook is refused with the
sheets' names and the key to set. A sheet of notes (说明: one column of text, or a table of fields and
their meanings) is not data.

Examples
--------
>>> first = [["某区危险源台账"], ["名称", "类型", "经度", "纬度"], ["中国石化", "加油站", "116.31", "39.99"]]
>>> other = [["名称", "类型", "经度", "纬度"], ["中国石油", "加油站", "116.32", "39.98"]]
>>> notes = [["说明"], ["经纬度为 WGS84"], ["字段", "含义"], ["名称", "单位名称"]]
>>> sheets_alike(first, {"朝阳": other, "说明": notes})
['朝阳']
"""

from __future__ import annotations

from pathlib import Path

from .._errors import LayerError

#: how many rows of each other sheet are read to find its header and a data row under it
ROWS_LOOKED_AT = 50


def pick_sheet(
    names: list[str], sheet: str | int | None, path: Path, layer: str, *, hidden: frozenset[str] = frozenset()
) -> str:
    """The sheet ``sheet:`` names, else the first one Excel shows (a hidden first sheet, an old copy of the
    registry kept out of sight, was read instead of the one on screen)."""
    if sheet is None:
        return next((n for n in names if n not in hidden), names[0])
    if str(sheet) in names:
        return str(sheet)
    if isinstance(sheet, int) and 1 <= sheet <= len(names):
        return names[sheet - 1]
    msg = f"layer '{layer}': {path} has no sheet {sheet!r}; its sheets are {names}: set `sheet:` to one"
    raise LayerError(msg)


def sheet_hint(name: str, names: list[str]) -> str:
    """What to add to a message about sheet ``name`` when the workbook has others."""
    others = ", ".join(f"'{n}'" for n in names if n != name)  # was a Python list: (['台账'])
    return (
        f" in sheet '{name}'; if the registry is on another sheet ({others}), set `sheet:`" if others else ""
    )


def _header(raw: list[list[str]]) -> tuple[int, set[str]] | None:
    """The index and the names of a sheet's header (its first row naming two or more columns), or None."""
    for i, row in enumerate(raw):
        names = {c.strip() for c in row if c.strip()}
        if len(names) >= 2:
            return i, names
    return None


def sheets_alike(chosen: list[list[str]], others: dict[str, list[list[str]]]) -> list[str]:
    """The sheets of ``others`` (each its first rows as text) holding a data row under a header that names
    two or more of the columns ``chosen``'s header names."""
    mine = _header(chosen)
    if mine is None:
        return []
    alike = []
    for name, raw in others.items():
        found = _header(raw)
        if found is None or len(found[1] & mine[1]) < 2:
            continue
        if any(sum(bool(c.strip()) for c in row) >= 2 for row in raw[found[0] + 1 :]):
            alike.append(name)
    return alike


def several_sheets(path: Path, layer: str, chosen: str, alike: list[str]) -> LayerError:
    """The refusal of a workbook whose visible sheets ``chosen`` and ``alike`` all hold data."""
    sheets = ", ".join(f"'{n}'" for n in [chosen, *alike])
    msg = (
        f"layer '{layer}': {path} holds data rows on several sheets under headers alike ({sheets}); "
        f"without `sheet:` only '{chosen}' would be read: set `sheet:` to the sheet this layer reads (e.g. "
        f"sheet: {chosen}), give each other sheet a layer of its own (sheet: {alike[0]}), or delete the "
        "sheets that hold no registry"
    )
    return LayerError(msg)
