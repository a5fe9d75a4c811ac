"""The responsibility list (责任清单): every risk item with its 属地 units and its 行业 department.

Risk items: hazard sources, red/orange clusters of cells (contiguous grade I/II cells), coverage gaps,
key districts and urban villages. Each item gets:

- 属地 (territorial) responsibility: its unit at every level, from the recipe's leveled polygons;
  without levels, the communities screen's units stand as the 社区 level, and a point that no unit's
  outline holds goes to the unit of the grid cell holding it (those units are made of whole cells: an
  OSM residential area's cells reach past its outline; at H3 r7 most of a 5 km² cell does). A point
  item's unit covers its point; an area item's holds most of its cells, counted as the registers
  count them (nested: its 社区 in its 街道), and it names the other units it spans
  (:mod:`.item_units`); an item with no unit says why (:func:`none_text`: outside every unit the
  recipe drew, or outside the study area's cells);
- 行业 (sector) responsibility: the department in charge of its kind (``tables/departments.csv``, an
  editable table that cites its regulation where one names the department);
- 分级响应: the response level of its grade (``tables/response_levels.csv``, editable).
  A hazard source has its own grade; a polygon item takes the worst grade of the cells whose centre
  it contains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import settings
from ..cell_units import UNASSIGNED
from ..clusters import cell_clusters, dissolve_each
from ..layers.coords import utm_crs as utm_crs_at
from ..layers.tables import _read_table
from ..recipe import Recipe
from ..resource_columns import hazard_kept
from ..result import GRADE_RANK, GRADES, NO_DATA, CoverageResult, Layers, Screens
from ..wording import counted
from . import department_words
from .communities import units_of_cells
from .item_units import centres_within, held_cells, main_and_also, point_item_units
from .registers import LEVEL_NAMES_ZH, nested_cell_units, units_by_level

ITEM_TYPES_ZH = {
    "hazard_source": "危险源点",
    "risk_cluster": "红橙风险片区",
    "coverage_gap": "应急资源覆盖缺口",
    "key_district": "重点地区",
    "urban_village": "城中村",
}


#: The list's order, each key ascending (True) or not: worst grade first (no data last), then most
#: residents to a millionth of a person (rounded: sums that differ only in their last bits, by the order
#: of a sum's terms or another exact kernel, tie), then ties by item type (as :data:`ITEM_TYPES_ZH`
#: lists them) and id as text, whatever order the tables came in: the same items always give the same
#: list. Residents unknown (NaN) come last among their grade. (Two sums a rounding boundary apart, x.5e-6
#: ± noise, can still fall either side of it: a chance of ~noise / 1e-6 per tie.)
ORDER = {"_rank": True, "_people": False, "_type": True, "item_id": True}


def department_table(path: str | Path | None = None) -> pd.DataFrame:
    """(item_type, kind) -> department_zh, department_en, basis (kind ``*``: any kind)."""
    path = Path(path) if path else settings.tables_dir / "departments.csv"
    table = _read_table(path, ["item_type", "kind", "department_zh", "department_en", "basis"])
    return table.set_index(["item_type", "kind"])


def response_level_table(path: str | Path | None = None) -> pd.DataFrame:
    """grade -> response_level_zh, response_level_en."""
    path = Path(path) if path else settings.tables_dir / "response_levels.csv"
    return _read_table(path, ["grade", "response_level_zh", "response_level_en"]).set_index("grade")


def _worst(grades: pd.Series) -> str:
    ranks = grades.map(GRADE_RANK).dropna()
    return GRADES[int(ranks.min())] if len(ranks) else NO_DATA


def _cell_grade_of(geoms: gpd.GeoSeries, grid: gpd.GeoDataFrame) -> list[str]:
    """The worst grade of the cells whose centre each polygon contains (the centres made a chunk at a
    time: :func:`.item_units.centres_within`)."""
    if not len(geoms):
        return []
    hit, item = centres_within(np.asarray(geoms.to_numpy(), dtype=object), grid.index)
    ranks = pd.Series(grid["grade"].to_numpy()[hit]).map(GRADE_RANK)
    worst = ranks.groupby(item).min()  # as _worst, for every item in one pass
    return [GRADES[int(r)] if pd.notna(r) else NO_DATA for r in worst.reindex(range(len(geoms)))]


def cluster_name(number: int, grade: str, cells: int, language: str = "zh") -> str:
    """A red/orange cluster's name in the run's language (a list someone must act on names every row).

    >>> cluster_name(1, "II", 4), cluster_name(2, "I", 1, "en")
    ('红橙风险片区 01（II级，4个网格单元）', 'red/orange cluster 02 (grade I, 1 cell)')
    """
    if language == "zh":
        return f"红橙风险片区 {number:02d}（{grade}级，{cells}个网格单元）"
    return f"red/orange cluster {number:02d} (grade {grade}, {counted(cells, 'cell')})"


def risk_clusters(grid: gpd.GeoDataFrame, language: str = "zh") -> gpd.GeoDataFrame:
    """Contiguous clusters of grade I and II cells: id, name (:func:`cluster_name`, in ``language``),
    grade (worst), cells, residents (those counted: a lower bound where some of its cells have residents
    unknown), cells_residents_unknown, geometry."""
    hot = grid[grid["grade"].isin(["I", "II"])] if "grade" in grid.columns else grid.iloc[0:0]
    columns = ["id", "grade", "cells", "residents", "cells_residents_unknown"]
    if not len(hot):
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=4326)
    labels = cell_clusters(hot.index)
    order = np.argsort(labels, kind="stable")  # each cluster's cells in grid order, one slice each
    starts = np.flatnonzero(np.diff(labels[order], prepend=-1))
    ranks = hot["grade"].map(GRADE_RANK).to_numpy()[order]
    residents = hot["residents"].to_numpy()[order]
    known = hot["known_residents"] if "known_residents" in hot.columns else hot["residents"].notna()
    unknown = ~known.to_numpy(dtype=bool)[order]
    cells = hot.index.to_numpy()[order]
    bounds = list(zip(starts, [*starts[1:], len(order)], strict=True))
    outlines = dissolve_each([cells[begin:end].tolist() for begin, end in bounds])
    rows = []
    for (begin, end), outline in zip(bounds, outlines, strict=True):
        rows.append(
            {
                "grade": GRADES[int(ranks[begin:end].min())],
                "cells": int(end - begin),
                "residents": float(np.nansum(residents[begin:end])),  # as pandas sums: NaN is left out
                "cells_residents_unknown": int(unknown[begin:end].sum()),  # missing is not zero
                "geometry": outline,
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    out = out.assign(rank=out["grade"].map(GRADE_RANK)).sort_values(
        ["rank", "residents"], ascending=[True, False]
    )
    out.insert(0, "id", [f"cluster-{i + 1:02d}" for i in range(len(out))])
    out.insert(
        1,
        "name",  # a list someone must act on names every row
        [
            cluster_name(i + 1, g, int(n), language)
            for i, (g, n) in enumerate(zip(out["grade"], out["cells"], strict=True))
        ],
    )
    return out.drop(columns="rank").reset_index(drop=True)


def _unknown_share(item_type: str, table: gpd.GeoDataFrame) -> pd.Series | np.ndarray | float:
    """A hazard source's share of its reach with residents unknown, a coverage gap's or a red/orange
    cluster's share of its cells; NaN for the other items (their residents are counts)."""
    if item_type == "hazard_source":
        return table.get("residents_unknown_share", np.nan)
    if item_type in ("coverage_gap", "risk_cluster") and "cells_residents_unknown" in table.columns:
        return (table["cells_residents_unknown"] / table["cells"]).to_numpy(dtype=float)
    return np.nan


def _items(
    tables: dict[str, gpd.GeoDataFrame | None], grid: gpd.GeoDataFrame, language: str
) -> gpd.GeoDataFrame:
    """The risk items of every kind in one table: item_type, item_id, kind, name, a hazard registry's
    kept columns (负责人, 联系电话...: None for other items), grade, the factors behind it where the
    screen wrote them, residents (an unnamed OSM hazard named by its kind's label in ``language`` and
    its id)."""
    label_column = "label_zh" if language == "zh" else "label"
    frames = []
    for item_type, table in tables.items():
        if table is None or not len(table):
            continue
        frame = pd.DataFrame(
            {
                "item_type": item_type,
                "item_id": table["gap"] if item_type == "coverage_gap" else table["id"].astype(str),
                "kind": table["kind"] if "kind" in table.columns else "*",
                "name": table["name"].fillna("").astype(str) if "name" in table.columns else "",
                "residents": table["residents_exposed"]
                if item_type == "hazard_source"
                else table["residents"].fillna(0.0)
                if item_type == "coverage_gap"  # a gap's NaN: nobody counted, its share below is 1
                else table["residents"],
                # above 0: the residents are a lower bound (screens.unknown_exposure; a coverage gap:
                # the share of its cells whose residents are unknown, coverage_unknown); others: NaN
                "residents_unknown_share": _unknown_share(item_type, table),
            }
        )
        if item_type == "hazard_source":  # a registry's keep_columns (负责人, 联系电话...) after its name
            for place, column in enumerate(hazard_kept(list(table.columns)), start=4):
                frame.insert(place, column, table[column].to_numpy(dtype=object))
        if item_type == "hazard_source" and label_column in table.columns:  # an unnamed OSM feature
            unnamed = frame["name"].str.strip() == ""
            label = table[label_column].fillna("").astype(str) + " " + table["id"].astype(str)
            frame["name"] = frame["name"].where(~unnamed, label.to_numpy())
        if item_type == "coverage_gap":
            frame["kind"] = table["resource_kind"].to_numpy()
            frame["name"] = table["standard"].astype(str) + " gap"
        grades = table["grade"] if "grade" in table.columns else _cell_grade_of(table.geometry, grid)
        frame["grade"] = list(grades)
        if "factors" in table.columns:  # why its grade (a hazard source's matrix, a district's reasons)
            frame["factors"] = table["factors"].to_numpy(dtype=object)
        frame["geometry"] = table.geometry.representative_point().to_numpy()
        frame["outline"] = table.geometry.to_numpy()
        frames.append(frame)
    columns = ["item_type", "item_id", "kind", "name", "residents", "residents_unknown_share", "grade"]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


#: Why an item has no unit at a level, in the list's language: outside every unit the recipe drew,
#: or (units made of the grid's cells: every cell has one) outside the grid's cells.
NONE_TEXTS = {
    "en": ("none: outside every {level} unit", "none: outside the study area (in none of its cells)"),
    "zh": ("无：不在任何{level}单元内", "无：在研究范围外（不在任何网格单元内）"),
}


def none_text(level: str, language: str, *, by_cells: bool = False) -> str:
    """Why an item has no unit at ``level`` (:data:`NONE_TEXTS`), in ``language`` (zh, else en).

    >>> none_text("street", "zh"), none_text("community", "en", by_cells=True)
    ('无：不在任何街道单元内', 'none: outside the study area (in none of its cells)')
    """
    zh = language == "zh"
    text = NONE_TEXTS["zh" if zh else "en"][int(by_cells)]
    return text.format(level=LEVEL_NAMES_ZH[level] if zh else level)


def responsibility_list(
    grid: gpd.GeoDataFrame,
    *,
    hazard_sources: gpd.GeoDataFrame | None,
    gaps: gpd.GeoDataFrame | None,
    key_districts: gpd.GeoDataFrame | None,
    urban_villages: gpd.GeoDataFrame | None,
    units: gpd.GeoDataFrame | None,
    departments: pd.DataFrame,
    response_levels: pd.DataFrame,
    language: str = "zh",
    cell_rule: Callable[[pd.Index], pd.Series] | None = None,
    parents: Mapping[str, pd.Series] | None = None,
    utm_crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Every risk item with its unit at each level (:mod:`.item_units`: a point item's at its point, an
    area item's holding most of its cells, nested as the registers; none: :func:`none_text`), its
    department and its response level.

    ``gaps`` carries ``resource_kind`` (the kind the gap lacks); ``units`` has ``id``, ``name``, ``level``.
    ``cell_rule``: the community unit of given grid cells when the 社区 units are made of cells (the
    communities screen's, :func:`~urbanrisk.screens.communities.units_of_cells`). ``parents``: per level
    below the coarsest, unit id -> the unit above it (the registers' ``parent_id``), else measured here
    (overlap by area in ``utm_crs``, default the UTM zone of the units' centre).
    ``language`` (the report's): the words of the names the list makes (red/orange clusters, unnamed
    OSM hazards); the department and response level columns come in both languages.
    Rows in the order of :data:`ORDER` (ties by item type and id: the tables' own order does not matter).
    """
    items = _items(
        {
            "hazard_source": hazard_sources,
            "risk_cluster": risk_clusters(grid, language),
            "coverage_gap": gaps,
            "key_district": key_districts,
            "urban_village": urban_villages,
        },
        grid,
        language,
    )
    items.insert(1, "item_type_zh", items["item_type"].map(ITEM_TYPES_ZH))
    items["residents"] = items["residents"].astype(float)
    if units is not None and len(units):
        west, south, east, north = units.total_bounds
        utm = utm_crs or utm_crs_at((west + east) / 2, (south + north) / 2)
        levels = units_by_level(units, utm, parents)
    else:
        levels = []
    held = held_cells(items, grid)
    cells = pd.Index(pd.unique(held["cell"]))
    of_cells = nested_cell_units(cells, levels) if cell_rule is None else {"community": cell_rule(cells)}
    inside = None  # its 社区 in its 街道: only the cells inside its main unit above count for its main
    for level, level_units in levels:
        rule = cell_rule if level == "community" else None
        of_held = of_cells[level].reindex(held["cell"]).to_numpy()
        ids, also = main_and_also(point_item_units(items, level_units, grid, rule), held, of_held, inside)
        inside = of_held == ids.to_numpy()[held["item"].to_numpy()]
        names = dict(zip(level_units["id"], level_units["name"], strict=False))
        none = none_text(level, language, by_cells=cell_rule is not None and level == "community")
        items[f"{level}_id"] = ids.to_numpy()
        items[f"{level}_name"] = [names.get(i, none if i == UNASSIGNED else "") for i in ids.tolist()]
        items[f"{level}_also_ids"] = ["; ".join(a) for a in also]
        items[f"{level}_also_names"] = ["; ".join(str(names.get(i, i)) for i in a) for a in also]
    kinds = items["kind"].to_numpy(dtype=object)  # a kind without its own row: the type's "*" row
    listed = pd.MultiIndex.from_arrays([items["item_type"], kinds]).isin(departments.index)
    found = departments.reindex(pd.MultiIndex.from_arrays([items["item_type"], np.where(listed, kinds, "*")]))
    unassigned = department_words.UNASSIGNED_DEPARTMENT["zh" if language == "zh" else "en"]
    items["department_zh"] = found["department_zh"].fillna(unassigned).to_numpy()
    items["department_en"] = found["department_en"].fillna("").to_numpy()
    items["department_basis"] = [department_words.basis_words(b, language) for b in found["basis"].fillna("")]
    response = response_levels.reindex(items["grade"])
    items["response_level_zh"] = response["response_level_zh"].fillna("").to_numpy()
    items["response_level_en"] = response["response_level_en"].fillna("").to_numpy()
    items["lon"] = items.geometry.x.round(6)
    items["lat"] = items.geometry.y.round(6)
    items = items.assign(
        _rank=items["grade"].map(GRADE_RANK).fillna(len(GRADES)),
        _people=items["residents"].round(6),
        _type=items["item_type"].map({kind: i for i, kind in enumerate(ITEM_TYPES_ZH)}),
    )
    items = items.sort_values(list(ORDER), ascending=list(ORDER.values()), kind="stable")
    columns = [c for c in items.columns if c not in ("geometry", "_rank", "_people", "_type", "outline")]
    return gpd.GeoDataFrame(
        items[[*columns, "geometry"]].reset_index(drop=True), geometry="geometry", crs=4326
    )


def responsibility_for(
    recipe: Recipe, layers: Layers, grid: gpd.GeoDataFrame, screens: Screens, coverage: CoverageResult
) -> gpd.GeoDataFrame:
    """The responsibility list (责任清单) of a run's risk items (:func:`responsibility_list`).

    Without leveled polygons, the communities screen's units stand as the 社区 level.
    """
    units = layers.communities
    cell_rule = None
    if units is None or "level" not in units.columns or not units["level"].notna().any():
        units = screens.communities[["id", "name", "unit_source", "geometry"]].assign(level="community")

        def cell_rule(cells: pd.Index) -> pd.Series:  # the communities screen's unit of each cell
            return units_of_cells(cells, units)  # from the cells' ids: the grid holds no polygon

    registers = getattr(screens, "registers", None) or {}  # their units' parents: the same nesting
    parents = {
        level: table.set_index(table["id"].astype(str))["parent_id"].astype(str)
        for level, table in registers.items()
        if "parent_id" in table.columns
    }
    kinds = {s.name: s.resource_kind for s in coverage.standards}
    gaps = coverage.gaps
    if gaps is not None and len(gaps):
        gaps = gaps.assign(resource_kind=gaps["standard"].map(kinds).fillna("*"))
    return responsibility_list(
        grid,
        hazard_sources=screens.hazard_sources,
        gaps=gaps,
        key_districts=screens.key_districts,
        urban_villages=screens.urban_villages,
        units=units,
        departments=department_table(recipe.tables.departments),
        response_levels=response_level_table(recipe.tables.response_levels),
        language=recipe.report.language,
        cell_rule=cell_rule,
        parents=parents if cell_rule is None else None,
    )
