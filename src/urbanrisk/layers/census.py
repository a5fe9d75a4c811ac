"""An office's census table (人口统计表): one row per unit (街道 / 社区) with its residents (常住人口),
read as text (CSV in UTF-8 or GBK, Excel) and keyed for the join to the units' polygons.

Keys are compared as a clerk would: full-width and half-width forms alike (NFKC), every space removed,
Latin letters in any case (``花园路街道`` = ``花园路 街道``, ``１１０１０８`` = ``110108``). Counts are read
as capacities are (:func:`urbanrisk.layers.capacity.capacity_number`: ``3.2万`` is 32,000); a count
that is empty, text (``不详``) or negative is unknown, never 0. A column named in 万 (``常住人口(万人)``)
holding plain numbers is refused with the fix, as for capacities. Rows of totals (合计, 总计, 小计: the
registries' test, :func:`urbanrisk.layers.table_rows.total_row`) are skipped. A key Excel wrote in
scientific notation (``1.10108E+11``: a 12-digit 社区代码 with its last digits lost, so that two units "had
two rows") is refused with the fix. Light (no pandas):
``urbanrisk validate`` reads tables with it.

Examples
--------
>>> unit_key(" 花园路　街道 "), unit_key("１１０１０８"), unit_key("ab-1") == unit_key("AB－1")
('花园路街道', '110108', True)
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import LayerError
from .capacity import capacity_number
from .table_rows import total_row
from .tabular import rows_from_file, shown_columns
from .text_controls import without_invisible

#: The most residents a table's row may count (a whole city: Chongqing holds 32 million).
MAX_UNIT_COUNT = 100_000_000
_SPACE = re.compile(r"\s+")


def unit_key(text: object) -> str:
    """A unit's id or name as compared in the join: NFKC, no spaces nor invisible characters (a
    zero-width space...), case-folded."""
    return _SPACE.sub("", without_invisible(unicodedata.normalize("NFKC", str(text)))).casefold()


@dataclass
class CensusTable:
    """The table's rows that name a unit: key (normalised), label (as written), count (None: unknown)."""

    keys: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    counts: list[float | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _missing_column(path: Path, column: str, columns: list[str], key: str) -> str:
    shown = shown_columns(columns)
    return f"{path} has no column '{column}' (its columns: {shown}): set `{key}:` to one of them"


def wan_count_problem(column: str, values: list[str], path: Path) -> str | None:
    """A count column named in 万 (常住人口(万人)) holding plain numbers (their unit unsure); None if fine.

    >>> "in 万" in wan_count_problem("常住人口(万人)", ["3.2", ""], Path("p.csv"))
    True
    >>> wan_count_problem("常住人口(万人)", ["3.2万"], Path("p.csv")) is None
    True
    """
    if "万" not in column:
        return None
    plain = next((v for v in values if v.strip() and "万" not in v), None)
    if plain is None:
        return None
    return (
        f"{path}, column '{column}': its name counts in 万 (10,000s) but '{plain}' is a plain number, read "
        "as that many people: write each count in people (3.2 万人 -> 32000) and rename the column, or "
        "write the unit in each cell (3.2万)"
    )


#: A unit code as Excel writes a long number in a CSV (1.10108E+11): its digits are gone.
SCIENTIFIC = re.compile(r"[0-9０-９](?:[.．][0-9０-９]+)?[eEｅＥ][+＋]?[0-9０-９]+")


def read_census(
    path: str | Path,
    *,
    key_column: str,
    count_column: str,
    layer: str,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> CensusTable:
    """The table's units and counts, with notes on unknown counts and skipped total rows.

    Raises
    ------
    LayerError
        Unreadable file, a missing column, a count column in 万 with plain numbers, a unit named twice.
    """
    path = Path(path)
    table = rows_from_file(path, layer=layer, sheet=sheet, encoding=encoding)
    for key, column in (("key_column", key_column), ("count_column", count_column)):
        if column not in table.columns:
            raise LayerError(f"layer '{layer}': {_missing_column(path, column, table.columns, key)}")
    k, c = table.columns.index(key_column), table.columns.index(count_column)
    problem = wan_count_problem(count_column, [row[c] for row in table.rows], path)
    if problem:
        raise LayerError(f"layer '{layer}': {problem}")
    out, seen, unknown, totals, unnamed = CensusTable(), {}, [], [], []
    for i, row in enumerate(table.rows):
        label, key = row[k].strip(), unit_key(row[k])
        if not key or total_row([label]):  # 合计, or 花园路街道小计 in the key column itself
            if total_row(row):  # 合计 here, or in another column (街道's) beside an empty 社区
                totals.append(table.where(i))
            else:  # a count whose unit's name is in a merged cell above (男 / 女 rows): was left out
                unnamed += [table.where(i)] if capacity_number(row[c]) is not None else []
            continue
        if SCIENTIFIC.fullmatch(label):  # 1.10108E+11: 12 digits of a 社区代码, 6 left
            msg = (
                f"layer '{layer}': {path}: '{label}' in {table.where(i)} is a code Excel wrote in "
                f"scientific notation, its last digits lost: format the column '{key_column}' as text in "
                "Excel and enter the codes again (or join by name)"
            )
            raise LayerError(msg)
        if key in seen:
            msg = (
                f"layer '{layer}': {path}: unit '{label}' has two rows ({seen[key]} and {table.where(i)}): "
                "give each unit one row (add the rows' counts up)"
            )
            raise LayerError(msg)
        seen[key] = table.where(i)
        count = capacity_number(row[c])
        if count is not None and count < 0:
            count = None
        if count is not None and count > MAX_UNIT_COUNT:  # 99999999999万 was read as 10^15 residents
            msg = (
                f"layer '{layer}': {path}: unit '{label}' counts {count:,.0f} residents ({table.where(i)}), "
                f"more than any unit holds ({MAX_UNIT_COUNT:,}): fix the count"
            )
            raise LayerError(msg)
        if count is None:
            unknown.append(f"{label} ({table.where(i)}: {row[c]!r})")
        out.keys.append(key)
        out.labels.append(label)
        out.counts.append(count)
    if unnamed:
        msg = (
            f"layer '{layer}': {path}: a count without a unit in '{key_column}' ({', '.join(unnamed[:5])}"
            f"{' ...' if len(unnamed) > 5 else ''}; a merged cell?): write the unit in every row "
            "(unmerge the cells), or add the unit's rows up into one"
        )
        raise LayerError(msg)
    if unknown:
        out.notes.append(
            f"{layer}: units without a readable count ({len(unknown)}), their residents unknown (not 0): "
            + "; ".join(unknown[:5])
            + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        )
    if totals:
        out.notes.append(f"{layer}: skipped the total rows ({', '.join(totals)}) of {path.name}")
    return out


def units_words(units: object) -> str:
    """How messages name a table's units: "layer 'units'", or its own polygon file's name."""
    return f"layer '{units}'" if isinstance(units, str) else Path(str(getattr(units, "path", ""))).name


def unit_lookup(pairs: list[tuple[str, str]], join: str) -> tuple[dict[str, str], list[str]]:
    """Each join key of the units' (id, name) pairs -> the unit's id, and the keys naming two units
    (by name: two 社区 of one name in different 街道; join by id then)."""
    lookup: dict[str, str] = {}
    twice: list[str] = []
    for ident, name in pairs:
        key = unit_key(ident if join == "id" else name)
        if key in lookup and lookup[key] != ident:
            twice.append(name if join == "name" else ident)
        lookup.setdefault(key, ident)
    return lookup, sorted(set(twice))


def _nearest(key: str, lookup: dict[str, str]) -> str:
    """' (学院路街道?)': the unit a row probably means (one name holding the other, or a close one).

    >>> _nearest("学院路", {"学院路街道": "1", "清华园街道": "2"}), _nearest("东升", {"清华园街道": "2"})
    (' (学院路街道?)', '')
    """
    holding = [k for k in lookup if k and (key in k or k in key)]
    close = holding[:1] or difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
    return f" ({close[0]}?)" if close else ""


def join_problem(
    table: CensusTable, lookup: dict[str, str], twice: list[str], *, units: str, join: str
) -> str | None:
    """What stops the join (rows naming no unit, names of two units), with the fix; None when it holds."""
    if twice:
        return (
            f"the {join}s {'、'.join(twice[:5])} name several units of {units}: "
            "join by id (join: id, key_column: the table's unit code column)"
        )
    missing = [
        label + _nearest(key, lookup)
        for key, label in zip(table.keys, table.labels, strict=True)
        if key not in lookup
    ]
    if not missing:
        return None
    examples = "、".join(sorted(lookup)[:5])
    return (
        f"rows naming no unit of {units} by {join} ({len(missing)}): {'、'.join(missing[:10])}"
        + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        + f" (its {join}s are e.g. {examples}): correct the names, or join by the other key (join: id / name)"
    )
