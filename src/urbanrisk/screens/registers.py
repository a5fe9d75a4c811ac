"""Risk registers (风险清单) at several unit levels at once: 区 → 街道 → 社区 → 网格.

Recipe layers of type ``polygons`` may declare ``level:`` (district / street / community / grid, or
区 / 街道 / 社区 / 网格). Each cell goes to exactly one unit per level
(:func:`urbanrisk.cell_units.cell_units`: the unit holding its centre, else the one covering the
largest part of it); a cell that no unit of a level covers goes to that level's ``unassigned`` row, so
that every level's totals equal the grid's. Each unit's parent is the unit of the next coarser level
that it overlaps most (by area); when the units nest, a parent's totals are the sums of its children's.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from ..cell_disks import cell_latlng
from ..cell_units import UNASSIGNED, cell_units
from ..clusters import dissolve_cells
from ..coverage_unknown import covered_flags, known_flags, travel_flags
from ..resource_columns import hazard_kept
from ..result import COVERAGE_UNKNOWN_PREFIX, GRADE_RANK, GRADES, NO_DATA, UNKNOWN_UNCOVERED_PREFIX
from .hazard_reach import reaching_pairs, source_texts

#: Unit levels, coarsest first.
LEVELS = ("district", "street", "community", "grid")
LEVEL_ALIASES = {
    "district": "district",
    "区": "district",
    "street": "street",
    "subdistrict": "street",
    "街道": "street",
    "community": "community",
    "社区": "community",
    "grid": "grid",
    "网格": "grid",
}
LEVEL_NAMES_ZH = {"district": "区", "street": "街道", "community": "社区", "grid": "网格"}
#: A unit's cells' residents differ "a lot" from its census count (census table) when they differ by
#: more than this share of the larger of the two and by more than :data:`CENSUS_GAP_PEOPLE` people.
CENSUS_GAP_SHARE = 0.25
CENSUS_GAP_PEOPLE = 50.0
__all__ = [
    "LEVELS",
    "UNASSIGNED",
    "cell_centres",
    "hazards_reaching",
    "level_of",
    "level_registers",
    "reaching_texts",
]


def level_of(value: str | None) -> str | None:
    """The canonical level of a recipe's ``level:`` value (None stays None).

    Examples
    --------
    >>> level_of("街道"), level_of("District"), level_of(None)
    ('street', 'district', None)
    """
    if value is None:
        return None
    key = str(value).strip()
    return LEVEL_ALIASES.get(key.lower(), LEVEL_ALIASES.get(key))


def cell_centres(cells: pd.Index) -> gpd.GeoSeries:
    """The centre point of each H3 cell (EPSG:4326), indexed by cell."""
    latlng = cell_latlng(cells)
    return gpd.GeoSeries(gpd.points_from_xy(latlng[:, 1], latlng[:, 0]), index=cells, crs=4326)


def _parents(units: gpd.GeoDataFrame, coarser: gpd.GeoDataFrame, utm_crs: str) -> pd.Series:
    """The id of the coarser unit each unit overlaps most (:data:`UNASSIGNED` when none)."""
    out = pd.Series(UNASSIGNED, index=units["id"].to_numpy(), dtype="str")
    real = units[~units["id"].str.startswith(UNASSIGNED)]
    up = coarser[~coarser["id"].str.startswith(UNASSIGNED)]
    if not len(real) or not len(up):
        return out
    parts = gpd.overlay(
        real[["id", "geometry"]].to_crs(utm_crs),
        up[["id", "geometry"]].rename(columns={"id": "parent"}).to_crs(utm_crs),
        how="intersection",
        keep_geom_type=True,
    )
    if len(parts):
        parts["area"] = parts.area
        best = parts.sort_values(["id", "area", "parent"], ascending=[True, False, True])
        best = best.drop_duplicates("id").set_index("id")["parent"]
        out.update(best.astype(str))
    return out


def units_by_level(
    units: gpd.GeoDataFrame, utm_crs: str | None, parents: Mapping[str, pd.Series] | None = None
) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Each declared level's units (ids as text), coarsest first; below the coarsest, with ``parent``:
    the unit of the level above that each overlaps most (:data:`UNASSIGNED` when none, measured in
    ``utm_crs``), so that an edge cell stays in its parent (:func:`urbanrisk.cell_units.cell_units`'
    ``above``). ``parents``: per level, unit id -> parent id found already (a register's ``parent_id``)."""
    out: list[tuple[str, gpd.GeoDataFrame]] = []
    for level in [lv for lv in LEVELS if (units["level"] == lv).any()]:
        level_units = units[units["level"] == level].assign(id=lambda t: t["id"].astype(str))
        if out:
            found = (parents or {}).get(level)
            if found is None:
                coarser = out[-1][1].drop_duplicates("id")
                found = _parents(level_units.drop_duplicates("id"), coarser, utm_crs)
            parent = found.reindex(level_units["id"]).fillna(UNASSIGNED)
            level_units = level_units.assign(parent=parent.to_numpy())
        out.append((level, level_units))
    return out


def nested_cell_units(cells: pd.Index, levels: list[tuple[str, gpd.GeoDataFrame]]) -> dict[str, pd.Series]:
    """The unit of each cell at every level (:func:`units_by_level`), as the registers give it: a cell
    no unit of a level holds the centre of goes to a unit whose parent is the cell's unit above;
    :data:`UNASSIGNED` where none covers it. Cell by cell: any subset of a grid gets the registers' units."""
    out: dict[str, pd.Series] = {}
    above: pd.Series | None = None
    for level, level_units in levels:
        above = out[level] = cell_units(pd.Index(cells), level_units, above)
    return out


def hazards_reaching(
    units: gpd.GeoDataFrame,
    hazards: gpd.GeoDataFrame | None,
    utm_crs: str,
    *,
    most: int | None = None,
    language: str = "en",
) -> pd.Series:
    """Per unit id: the hazard sources whose impact circle reaches it, worst grade first (at most
    ``most`` of them; None: all), as text (:func:`reaching_texts`'s column ``language``)."""
    return reaching_texts(units, hazards, utm_crs, most=most)[language]


#: A source's grade in the Chinese text of the units it reaches (its level, or 无数据).
GRADE_ZH = {"I": "I级", "II": "II级", "III": "III级", "IV": "IV级", NO_DATA: "无数据"}


def reaching_texts(
    units: gpd.GeoDataFrame, hazards: gpd.GeoDataFrame | None, utm_crs: str, *, most: int | None = None
) -> pd.DataFrame:
    """Per unit id (index): column ``en``, the hazard sources whose impact circle reaches it, worst
    grade first ("fuel station 中国石化 (II)"), and ``zh``, the same in Chinese ("加油站 中国石化（II级）",
    from the sources' ``label_zh``), and ``ids``, their ids in that order ("THS-H03; THS-H02": the
    responsibility list's rows), at most ``most`` a unit (None: all); "" where none reaches. A hazard
    registry's kept columns (负责人, 联系电话...) as ``hazard_<column>``: the sources' values in the order
    of ``ids`` ("–" for one a source lacks); missing where none reaching the unit has one.

    The pairs come from :func:`~urbanrisk.screens.hazard_reach.reaching_pairs` (a 100,000-source
    registry in seconds: no buffer a source), each source's texts are built once."""
    out = pd.DataFrame({"en": "", "zh": "", "ids": ""}, index=units["id"].to_numpy(), dtype="str")
    kept = hazard_kept(list(hazards.columns)) if hazards is not None else []
    for column in kept:
        out[f"hazard_{column}"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if hazards is None or not len(hazards) or not len(units):
        return out
    outlines = gpd.GeoSeries(units.geometry.to_numpy(), crs=4326).to_crs(utm_crs).to_numpy()
    sources = hazards.geometry.to_crs(utm_crs).to_numpy()  # none if in utm_crs already
    h_idx, u_idx = reaching_pairs(outlines, sources, hazards["impact_radius_m"].to_numpy(dtype=float))
    if not len(h_idx):
        return out
    hits = pd.DataFrame(
        {
            "unit": units["id"].to_numpy(dtype=object)[u_idx],
            "rank": hazards["grade"].map(GRADE_RANK).to_numpy()[h_idx],
            "id": hazards["id"].to_numpy(dtype=object)[h_idx],
            "source": h_idx,
        }
    ).sort_values(["unit", "rank", "id"])
    if most:  # the first ``most`` of each unit (sorted worst first above)
        hits = hits[hits.groupby("unit").cumcount().to_numpy() < most]
    named = np.unique(hits["source"].to_numpy())  # each source's texts built once
    at = np.searchsorted(named, hits["source"].to_numpy())
    en, zh = source_texts(hazards.iloc[named], GRADE_ZH)
    en, zh, unit = en[at], zh[at], hits["unit"].to_numpy(dtype=object)  # each unit's rows one run (sorted)
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    runs = list(zip(starts.tolist(), [*starts[1:].tolist(), len(unit)], strict=True))
    out.update(pd.Series(["; ".join(en[b:e]) for b, e in runs], index=unit[starts], name="en"))
    out.update(pd.Series(["；".join(zh[b:e]) for b, e in runs], index=unit[starts], name="zh"))
    ids = hits["id"].astype(str).to_numpy(dtype=object)  # the 责任清单's 编号: its 负责人, 联系电话 there
    out.update(pd.Series(["; ".join(ids[b:e]) for b, e in runs], index=unit[starts], name="ids"))
    for column in kept:  # each source's 负责人, 联系电话... beside its id, "–" where it has none
        values = hazards[column].to_numpy(dtype=object)[hits["source"].to_numpy()]
        known = np.array([not pd.isna(v) and str(v).strip() != "" for v in values], dtype=bool)
        text = np.array([str(v) if k else "–" for v, k in zip(values, known, strict=True)], dtype=object)
        joined = [("; ".join(text[b:e]) if known[b:e].any() else pd.NA) for b, e in runs]
        out.loc[unit[starts], f"hazard_{column}"] = pd.array(joined, dtype="string")
    return out


def _uncovered_by_cell(coverage: pd.DataFrame | None, cells: pd.Index) -> pd.DataFrame:
    """Residents uncovered per cell (rows) and coverage standard (columns ``uncovered_<standard>``),
    whether the cell is uncovered with its residents unknown (``unknown_uncovered_<standard>``) and
    whether it lies outside the street data, its coverage unknown (``coverage_unknown_<standard>``):
    1 or 0, a unit's sum of the first is then a lower bound, or unknown (:func:`_stats`)."""
    if coverage is None or not len(coverage) or "residents_uncovered" not in coverage.columns:
        return pd.DataFrame(index=cells)
    not_covered = ~covered_flags(coverage) if "covered" in coverage.columns else False
    travel = travel_flags(coverage)
    flags = coverage.assign(
        _unknown=(not_covered & ~known_flags(coverage) & travel).astype(np.int64),
        _outside=(not_covered & ~travel).astype(np.int64),
    )
    wide = flags.pivot_table(
        index="h3_cell",
        columns="standard",
        values=["residents_uncovered", "_unknown", "_outside"],
        aggfunc="sum",
    )
    parts = {
        "residents_uncovered": "uncovered_",
        "_unknown": UNKNOWN_UNCOVERED_PREFIX,
        "_outside": COVERAGE_UNKNOWN_PREFIX,
    }
    frames = []
    for key, prefix in parts.items():
        frame = wide[key]
        frame.columns = [f"{prefix}{s}" for s in frame.columns]
        frames.append(frame)
    out = pd.concat(frames, axis=1).reindex(cells).fillna(0.0)
    counts = [c for c in out.columns if c.startswith((UNKNOWN_UNCOVERED_PREFIX, COVERAGE_UNKNOWN_PREFIX))]
    return out.astype({c: np.int64 for c in counts})


def _stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per unit: cells, residents (NaN where nobody was counted and some cells are unknown) and its
    cells of unknown residents, residents by grade, worst grade, red and orange cells, uncovered."""
    groups = frame.groupby("unit")
    by_grade = frame.pivot_table(
        index="unit", columns="grade", values="residents", aggfunc="sum", fill_value=0.0
    )
    stats = pd.DataFrame(
        {
            "cells": groups.size(),
            "residents": groups["residents"].sum(),
            "cells_residents_unknown": groups["unknown"].sum(),
            **{f"residents_{g}": by_grade.get(g, 0.0) for g in GRADES},
            "residents_no_data": by_grade.get(NO_DATA, 0.0),
            "worst_rank": groups["rank"].min(),
            "red_cells": groups["grade"].agg(lambda g: int((g == "I").sum())),
            "orange_cells": groups["grade"].agg(lambda g: int((g == "II").sum())),
        }
    )
    unknown = stats["cells_residents_unknown"]
    stats["residents"] = stats["residents"].where(
        ~((unknown > 0) & ~(stats["residents"] > 0))
    )  # NaN: unknown
    uncovered = [
        c
        for c in frame.columns
        if c.startswith(("uncovered_", UNKNOWN_UNCOVERED_PREFIX, COVERAGE_UNKNOWN_PREFIX))
    ]
    if not uncovered:
        return stats
    sums = groups[uncovered].sum()
    for column in [c for c in sums.columns if c.startswith("uncovered_")]:
        unknown = _unknown_cells(sums, column)
        sums[column] = sums[column].where(~((unknown > 0) & ~(sums[column] > 0)))  # nobody counted: NaN
    counts = [c for c in sums.columns if not c.startswith("uncovered_")]
    return stats.join(sums.astype({c: "int64" for c in counts}))


def _filled(stats: pd.DataFrame, column: str) -> pd.Series:
    """A register column with 0 for a unit without cells; an uncovered sum stays NaN (unknown, not 0)
    where nobody was counted and some of its uncovered cells' residents, or coverage, are unknown."""
    values = stats[column]
    if column == "residents":  # nobody counted and some cells unknown: NaN (coverage_unknown.bounded)
        return values.where(stats["cells_residents_unknown"].fillna(0) > 0, values.fillna(0))
    if not column.startswith("uncovered_"):
        return values.fillna(0)
    return values.where(_unknown_cells(stats, column) > 0, values.fillna(0))


def _unknown_cells(stats: pd.DataFrame, column: str) -> pd.Series:
    """Per unit, the cells that make its ``uncovered_<standard>`` sum a bound: uncovered with residents
    unknown, or outside the street data (coverage unknown); 0 for a unit without cells."""
    standard = column[len("uncovered_") :]
    counts = stats[UNKNOWN_UNCOVERED_PREFIX + standard] + stats[COVERAGE_UNKNOWN_PREFIX + standard]
    return counts.fillna(0)


def _unassigned(assignment: pd.Series, above: pd.Series | None) -> pd.Series:
    """Each unassigned cell's row id: one per unit of the level above, so that parents still add up.

    A cell outside every unit of this level but inside unit ``x`` above goes to ``unassigned:x``;
    one already unassigned above keeps that row's id.
    """
    rest = assignment == UNASSIGNED
    if above is None or not rest.any():
        return assignment
    up = above[rest]
    ids = up.where(up.str.startswith(UNASSIGNED), UNASSIGNED + ":" + up)
    return assignment.where(~rest, ids)


def _level_units(units: gpd.GeoDataFrame, assignment: pd.Series, above: pd.Series | None) -> gpd.GeoDataFrame:
    """The level's units (all, with cells or not), its unassigned rows, and each row's parent id."""
    rows = units[["id", "name", "geometry"]].drop_duplicates("id").reset_index(drop=True)
    rest = assignment[assignment.str.startswith(UNASSIGNED)]
    extra = []
    for row_id, cells in rest.groupby(rest).groups.items():
        parent = UNASSIGNED if above is None else str(above.loc[cells[0]])
        extra.append(
            {
                "id": row_id,
                "name": "未划入 unassigned",
                "parent": parent,
                "geometry": dissolve_cells(list(cells)),
            }
        )
    rows["parent"] = ""
    if extra:
        rows = pd.concat([rows, pd.DataFrame(extra)], ignore_index=True)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def census_notes(table: pd.DataFrame, census: pd.DataFrame | None) -> pd.DataFrame:
    """Per register row: the unit's census count (``census_residents``, NaN where the census table has
    no count for it) and, where its cells' residents differ a lot from it (:data:`CENSUS_GAP_SHARE`,
    :data:`CENSUS_GAP_PEOPLE`), a note saying so (``residents_note``, ``residents_note_zh``; "" else).

    A unit the census lists without a count (不详, empty) has a note saying so: the report names it.
    A census unit matches a register row by id and name. A register assigns whole cells to the unit
    holding their centre, while the census table spread each unit's count over the parts of cells
    inside it: a small unit may get a large cell's residents (or none), so the two may differ.

    Examples
    --------
    >>> table = pd.DataFrame({"id": list("abc"), "name": list("ABC"), "residents": [393.0, 98.0, 5.0]})
    >>> census = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "count": [6.0, 100.0]})
    >>> out = census_notes(table, census)
    >>> out["census_residents"].tolist(), out["residents_note"].tolist()[1:]
    ([6.0, 100.0, nan], ['', ''])
    >>> out["residents_note"][0]
    'its cells hold 393 residents, its census 6: cells go whole to the unit holding their centre'
    >>> census_notes(table, census.assign(count=[6.0, float("nan")]))["residents_note_zh"].tolist()[1:]
    ['统计表人数不详（表中为不详或空）', '']
    """
    if census is None or "count" not in census.columns:
        return pd.DataFrame(index=table.index)
    keyed = census.assign(_key=census["id"].astype(str) + "\x00" + census["name"].astype(str))
    counts = keyed.drop_duplicates("_key").set_index("_key")["count"].astype(float)
    keys = table["id"].astype(str) + "\x00" + table["name"].astype(str)
    count = keys.map(counts).astype(float)
    cells = table["residents"].astype(float)
    gap = (cells - count).abs()
    far = (gap > CENSUS_GAP_PEOPLE) & (gap > CENSUS_GAP_SHARE * np.fmax(cells, count))
    none = table["cells"].to_numpy() == 0 if "cells" in table.columns else np.zeros(len(table), bool)
    unknown = keys.isin(counts.index) & count.isna()  # listed, its count 不详 or empty: said, never 0
    en, zh = [], []
    for c, k, f, empty, said in zip(cells, count, far, none, unknown, strict=True):
        if said:
            en.append("its census count is unknown (not given in the table)")
            zh.append("统计表人数不详（表中为不详或空）")
        elif not f:
            en.append("")
            zh.append("")
        elif empty:
            en.append(
                f"no cell goes to it (outside the study area, or smaller than a cell); its census {k:,.0f}"
            )
            zh.append(f"没有网格单元归入该单元（在研究范围外，或小于一个网格单元）；统计表人数 {k:,.0f}")
        else:
            en.append(
                f"its cells hold {c:,.0f} residents, its census {k:,.0f}: cells go whole to the unit "
                "holding their centre"
            )
            zh.append(f"所含网格单元常住人口 {c:,.0f}，统计表人数 {k:,.0f}：网格单元整体归入其中心所在单元")
    return pd.DataFrame(
        {"census_residents": count.to_numpy(), "residents_note": en, "residents_note_zh": zh},
        index=table.index,
    )


def level_registers(
    grid: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame | None,
    *,
    hazard_sources: gpd.GeoDataFrame | None,
    coverage: pd.DataFrame | None,
    utm_crs: str,
    census: pd.DataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """One risk register per declared level, coarsest first (``{}`` when no unit declares a level).

    ``units`` has ``id``, ``name``, ``level`` (canonical, see :func:`level_of`) and geometry;
    ``census``: a census table's units (``id``, ``name``, ``count``): each register then gives its
    units' census count and says where their cells' residents differ a lot (:func:`census_notes`).
    """
    if units is None or "level" not in units.columns or not units["level"].notna().any():
        return {}
    base = pd.DataFrame(
        {
            "grade": grid["grade"] if "grade" in grid.columns else NO_DATA,
            "residents": grid["residents"].astype(float),
            "unknown": (~known_flags(grid)).astype(np.int64),  # residents unknown: a sum is a bound
        },
        index=grid.index,
    )
    base["rank"] = base["grade"].map(GRADE_RANK)
    base = base.join(_uncovered_by_cell(coverage, grid.index))
    registers: dict[str, gpd.GeoDataFrame] = {}
    previous: gpd.GeoDataFrame | None = None
    above: pd.Series | None = None
    for level, level_units in units_by_level(units, utm_crs):
        if previous is not None:
            parents = level_units.drop_duplicates("id").set_index("id")["parent"]
        assignment = _unassigned(cell_units(grid.index, level_units, above), above)
        rows = _level_units(level_units, assignment, above)
        stats = _stats(base.assign(unit=assignment)).reindex(rows["id"])
        table = rows.drop(columns=["geometry", "parent"]).assign(level=level, level_zh=LEVEL_NAMES_ZH[level])
        parent = rows["parent"].copy()
        if previous is not None:
            overlap = parents.reindex(rows["id"]).fillna(UNASSIGNED).to_numpy()
            parent = parent.where(parent != "", pd.Series(overlap, index=rows.index))
        names = dict(zip(previous["id"], previous["name"], strict=True)) if previous is not None else {}
        table["parent_id"] = parent.to_numpy() if previous is not None else ""
        table["parent_name"] = [names.get(p, "") for p in table["parent_id"]]
        for column in stats.columns:
            if column != "worst_rank":
                table[column] = _filled(stats, column).to_numpy()
        for column in ("cells", "cells_residents_unknown", "red_cells", "orange_cells"):
            table[column] = table[column].astype(int)
        table["worst_grade"] = [GRADES[int(r)] if pd.notna(r) else NO_DATA for r in stats["worst_rank"]]
        reaching = reaching_texts(rows, hazard_sources, utm_crs).reindex(rows["id"])
        table["hazards"], table["hazards_zh"] = reaching["en"].to_numpy(), reaching["zh"].to_numpy()
        table["hazard_ids"] = reaching["ids"].to_numpy()
        for column in [c for c in reaching.columns if c.startswith("hazard_")]:  # 负责人, 联系电话 kept
            table[column] = pd.array(reaching[column].to_numpy(), dtype="string")
        for column, values in census_notes(table, census).items():
            table[column] = values.to_numpy()
        registers[level] = gpd.GeoDataFrame(table, geometry=rows.geometry.to_numpy(), crs=4326)
        previous, above = rows, assignment
    return registers
