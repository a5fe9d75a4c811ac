"""The run's tables: the grid as a partitioned GeoParquet dataset, GeoParquet per other table."""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from ..grid import partition_resolution
from ..grid_dataset import PartJob, part_jobs, parts_written, write_part
from ..parallel import map_partitions
from ..result import RunResult, screen_tables
from ..same_sites import OUTLINE, vulnerable_sites
from .display import display_note, display_resolution, display_rows, merge_display
from .i18n import data_text
from .i18n_alerts import alert_explanation
from .i18n_office_columns import excel_headers
from .map_outline_tips import piece_zh, pieces
from .responsibility_book import MAX_BOOK_ROWS, write_responsibility_book

#: How the grid's part tasks reduce it for the map: (cells, resolution, display resolution, crs);
#: display resolution None: the map shows the cells themselves.
DisplayPlan = tuple[int, int, int | None, Any]


def grid_jobs(result: RunResult, folder: Path) -> tuple[list[PartJob], DisplayPlan]:
    """The grid's part jobs (one per partition of the grid stage, :mod:`urbanrisk.grid_dataset`),
    each also reducing its rows to the map's display rows when the grid is too large to map cell
    by cell; and the plan :func:`grid_outputs` merges those rows by."""
    grid = result.grid
    grid_settings = result.recipe.grid
    level = partition_resolution(grid_settings.resolution, grid_settings.partition_resolution)
    resolution = h3.get_resolution(grid.index[0]) if len(grid) else grid_settings.resolution
    parent_res = None
    if len(grid) and "grade" in grid.columns:
        parent_res = display_resolution(len(grid), resolution)
    summarise = partial(display_rows, parent_res=parent_res) if parent_res is not None else None
    jobs = part_jobs(grid, folder, partition_resolution=level, summarise=summarise, spool=result.grid_spool)
    return jobs, (len(grid), resolution, parent_res, grid.crs)


def grid_outputs(
    folder: Path, done: list[tuple[str, Any]], plan: DisplayPlan
) -> tuple[list[str], tuple[gpd.GeoDataFrame, str] | None]:
    """After the part tasks: the parts' paths relative to ``folder`` (checked, the folder fsynced),
    and the map's display cells and note merged from the tasks' display rows (None: the cells)."""
    names, rows = parts_written(folder, done)
    cells, resolution, parent_res, crs = plan
    if parent_res is None:
        return names, None
    shown = merge_display(rows, crs)
    return names, (shown, display_note(cells, len(shown), resolution, parent_res))


def write_grid(
    result: RunResult, folder: Path, *, scheduler: str = "synchronous"
) -> tuple[list[str], tuple[gpd.GeoDataFrame, str] | None]:
    """The grid as ``grid/part-<H3 parent>.parquet``, one Dask task per partition of the grid stage
    (:func:`grid_jobs`, :func:`grid_outputs`; a run puts the same tasks in its write stage's graph).

    Returns the parts' paths relative to ``folder``, and, for a grid too large to map cell by cell,
    the map's display cells and note, reduced by the same tasks and merged here; else None.

    On a ``tcp://`` cluster the tasks run in threads of this process: the partial run folder is
    on this machine's disk, which the cluster's workers may not share.
    """
    if scheduler.startswith("tcp://"):
        scheduler = "threads"
    jobs, plan = grid_jobs(result, folder)
    return grid_outputs(folder, map_partitions(write_part, jobs, scheduler=scheduler), plan)


def parquet_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """The tables written one Parquet file each: the screens', coverage's and incident inputs."""
    return {**screen_tables(result), **incident_inputs(result)}


_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what Excel reads as the start of a formula


def excel_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would run as a formula (=, +, -, @, tab, CR first: a registry's name
    ``=HYPERLINK(...)`` or ``=cmd|...``) written with a leading ``'``, which Excel shows as text.

    Examples
    --------
    >>> excel_safe(pd.DataFrame({"name": ["=1+1", "加油站", ""], "n": [-1, 2, 3]})).to_dict("list")
    {'name': ["'=1+1", '加油站', ''], 'n': [-1, 2, 3]}
    """
    out = table.copy()
    for column in out.select_dtypes(include=["object", "string"]).columns:
        if isinstance(out[column].dtype, pd.StringDtype):  # text alone: one vectorised test (Arrow)
            hit = out[column].str.startswith(_FORMULA, na=False).to_numpy(dtype=bool)
            if not hit.any():
                continue
        values = out[column].to_numpy(dtype=object)  # not cell by cell through pandas (1.3M at 100k sources)
        if not isinstance(out[column].dtype, pd.StringDtype):  # objects: text among other values
            hit = np.fromiter((isinstance(v, str) and v[:1] in _FORMULA for v in values), bool, len(values))
        if hit.any():
            values = values.copy()
            values[hit] = ["'" + v for v in values[hit]]
            out[column] = pd.Series(values, index=out.index, dtype=out[column].dtype)
    return out


#: a digit string Excel turns into a number that no longer reads as the code: 12 digits or more (a 区划代码
#: 110108001001 shown as 1.10108E+11, digits past the 15th lost) or a leading zero (007 -> 7)
_EXCEL_NUMBER_CODE = r"\d{12,}|0\d+"


def excel_codes(table: pd.DataFrame) -> pd.DataFrame:
    """Codes in text columns that Excel would turn into numbers (:data:`_EXCEL_NUMBER_CODE`) written as
    ``="110108001001"``, which Excel (and LibreOffice) opens as the text 110108001001. The CSV is the
    Excel copy; programs read ``responsibility.parquet``, where codes are plain text.

    Examples
    --------
    >>> table = pd.DataFrame({"community_id": ["110108001001", "osm:way/1", "007", "42"], "n": [1, 2, 3, 4]})
    >>> excel_codes(table)["community_id"].tolist()
    ['="110108001001"', 'osm:way/1', '="007"', '42']
    """
    out = table.copy()
    for column in out.select_dtypes(include=["object", "string"]).columns:
        text = out[column].astype("string")
        hit = text.str.fullmatch(_EXCEL_NUMBER_CODE, na=False).to_numpy(dtype=bool)
        if hit.any():
            values = out[column].to_numpy(dtype=object).copy()
            values[hit] = ['="' + v + '"' for v in values[hit]]
            out[column] = pd.Series(values, index=out.index, dtype=out[column].dtype)
    return out


def responsibility_csv(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The responsibility list as an office opens it in Excel (:func:`responsibility_rows`), text that
    Excel would run as a formula quoted (:func:`excel_safe`), codes that Excel would turn into numbers
    kept as text (:func:`excel_codes`): a CSV has no types.

    Examples
    --------
    >>> table = pd.DataFrame({"item_type": ["coverage_gap", "hazard_source"], "name": ["fire gap", "=x"],
    ...     "residents": [1108.1958, float("nan")], "residents_unknown_share": [0.63954, 1.0]})
    >>> zh, en = responsibility_csv(table, "zh"), responsibility_csv(table)
    >>> zh["name"].tolist(), en["name"].tolist()
    (['消防覆盖缺口', "'=x"], ['fire gap', "'=x"])
    >>> en["residents"].tolist(), en["residents_unknown_share"].tolist()
    ([1108, <NA>], [0.64, 1.0])
    >>> gap = pd.DataFrame({"item_type": ["coverage_gap"] * 2, "name": ["fire gap"] * 2,
    ...     "residents": [0.0, 0.0], "residents_unknown_share": [1.0, 0.5]})  # a gap with no resident known
    >>> responsibility_csv(gap)["residents"].tolist()
    [<NA>, 0]
    """
    return excel_codes(excel_safe(responsibility_rows(table, language)))


def responsibility_rows(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The responsibility list's rows for the office: no geometry, residents in whole people (empty where
    unknown, not 0), unknown shares to 0.1 %, a coverage gap's name and the factors behind a grade in the
    report's language (:func:`factors_zh`); text as written (the workbook types its cells)."""
    out = pd.DataFrame(table).drop(columns=["geometry", "outline"], errors="ignore")
    if "residents" in out.columns:
        out["residents"] = out["residents"].round().astype("Int64")
        if "residents_unknown_share" in out.columns:  # nothing measured, nothing counted: unknown, as
            unknown = (out["residents_unknown_share"] >= 1.0) & (out["residents"] <= 0)  # the report words it
            out.loc[unknown.fillna(False).astype(bool), "residents"] = pd.NA
    if "residents_unknown_share" in out.columns:
        out["residents_unknown_share"] = out["residents_unknown_share"].round(3)
    if language != "en" and {"item_type", "name"} <= set(out.columns):
        gaps = out["item_type"] == "coverage_gap"
        out.loc[gaps, "name"] = [data_text(name, language) for name in out.loc[gaps, "name"]]
    if language == "zh" and {"item_type", "factors"} <= set(out.columns):  # why its grade, in Chinese
        pairs = zip(out["item_type"], out["factors"], strict=True)
        out["factors"] = [factors_zh(kind, text) for kind, text in pairs]
    return out


def factors_zh(item_type: str, factors: object) -> object:
    """The factors behind an item's grade in Chinese: a hazard source's risk matrix as the alerts say it,
    a key district's or urban village's pieces as the map's tooltips (a piece no pattern knows as
    written); missing stays missing.

    >>> factors_zh("hazard_source", "severity 3 x consequence 2 = 6: 107 residents within 100 m")
    '严重度二级（3）× 后果 2 = 6：100 米内常住人口 107 人'
    >>> factors_zh("key_district", "28 crowd places (cafe 2); 25,303 people present per km²")
    '人员密集场所 28 处（咖啡馆 2）；在场人数 25,303 人/km²'
    >>> factors_zh("coverage_gap", None) is None
    True
    """
    if not isinstance(factors, str):
        return factors
    if item_type == "hazard_source":
        return alert_explanation(factors, "zh")
    return "；".join(piece_zh(piece) for piece in pieces(factors))


def register_csv(table: pd.DataFrame) -> pd.DataFrame:
    """A risk register (风险清单) as an office opens it in Excel: no geometry, people in whole people (empty
    where unknown), text and codes kept from Excel's conversions, as :func:`responsibility_csv`.

    >>> nan = float("nan")
    >>> table = pd.DataFrame({"id": ["110108010001"], "residents": [8544.09], "census_residents": [nan]})
    >>> out = register_csv(table)
    >>> out["id"].tolist(), out["residents"].tolist(), out["census_residents"].isna().tolist()
    (['="110108010001"'], [8544], [True])
    """
    out = pd.DataFrame(table).drop(columns=["geometry"], errors="ignore")
    for column in out.columns:
        if (
            str(column).startswith(("residents", "uncovered_", "census_residents"))
            and out[column].dtype.kind == "f"
        ):
            out[column] = out[column].round().astype("Int64")
    return excel_codes(excel_safe(out))


def _excel_copy(frame: pd.DataFrame, path: Path, language: str) -> None:
    """``frame`` as CSV for Excel (UTF-8 with BOM), its headers in ``language``."""
    frame.set_axis(excel_headers(list(frame.columns), language), axis=1).to_csv(
        path, index=False, encoding="utf-8-sig"
    )


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (same disk: no copy), else a copy of it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_tables(
    tables: dict[str, pd.DataFrame], folder: Path, language: str = "en", *, book: bool = True
) -> list[str]:
    """One Parquet file per table of :func:`parquet_tables` (the grid: :func:`write_grid`), and the
    responsibility list and the registers per level as CSV for Excel (:func:`responsibility_csv`,
    :func:`register_csv`; words and headers in ``language``), the list also as a workbook a sheet per
    grade (:mod:`.responsibility_book`);
    returns the file names in the order written.

    An empty table is still written, with its columns (a skipped screen has its file); a path (a table
    a task wrote already, :attr:`urbanrisk.result.CoverageResult.network_files`) is linked or copied.
    ``book`` False: no workbook (a task of its own writes it: :func:`write_book`).
    """
    names: list[str] = []
    for name, table in tables.items():
        if isinstance(table, Path):  # written already, by the task that made it (network tables)
            _link_or_copy(table, folder / f"{name}.parquet")
        elif isinstance(table, gpd.GeoDataFrame):
            table.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            pd.DataFrame(table).to_parquet(folder / f"{name}.parquet", index=False)
        names.append(f"{name}.parquet")
        if name == "responsibility":  # the office edits it in Excel: UTF-8 with BOM, no geometry
            rows = responsibility_rows(table, language)
            _excel_copy(excel_codes(excel_safe(rows)), folder / "responsibility.csv", language)
            names.append("responsibility.csv")
            names += _book_of(rows, folder, language) if book else []
        elif name.startswith("register_") and not isinstance(table, Path):  # 风险清单 per level, for Excel
            _excel_copy(register_csv(table), folder / f"{name}.csv", language)
            names.append(f"{name}.csv")
    return names


def write_book(tables: dict[str, pd.DataFrame], folder: Path, language: str = "en") -> list[str]:
    """The responsibility list of ``tables`` as a workbook, a sheet per grade, as :func:`write_tables`
    writes it (none for a list of over :data:`MAX_BOOK_ROWS` items, or no list); returns its name.
    openpyxl holds the interpreter lock throughout (~4,000 rows a CPU second): a run on worker
    processes writes it on one of them (:mod:`.writer`)."""
    table = tables.get("responsibility")
    if table is None or isinstance(table, Path):
        return []
    return _book_of(responsibility_rows(table, language), folder, language)


def _book_of(rows: pd.DataFrame, folder: Path, language: str) -> list[str]:
    if len(rows) > MAX_BOOK_ROWS:  # a workbook is a clerk's, not 100k rows
        return []
    headers = excel_headers(list(rows.columns), language)
    write_responsibility_book(rows, headers, folder / "responsibility.xlsx", language)
    return ["responsibility.xlsx"]


#: Files an incident answer reads besides the grid and the screens (``urbanrisk incident``).
INCIDENT_FILES = ("resources", "vulnerable_sites", "network_nodes", "network_edges")


def incident_inputs(result: RunResult) -> dict[str, pd.DataFrame]:
    """What ``urbanrisk incident`` needs beyond the screens, small: the resources, the vulnerable
    sites (schools, kindergartens, hospitals, elderly homes) and the street graphs as solved."""
    coverage = result.coverage
    resources = coverage.resources if coverage is not None else None
    if resources is None or not len(resources):
        resources = gpd.GeoDataFrame(
            {"id": [], "kind": [], "name": [], "capacity": [], "source": []}, geometry=[], crs=4326
        )
    sites = result.layers.vulnerable_sites  # one row per site, as the grid counted them
    if sites is None:  # a grid built without the grid stage (a notebook's)
        sites = vulnerable_sites(result.layers.pois)

    def empty(columns: dict[str, str]) -> pd.DataFrame:  # no street graph (no OSM layer): the columns
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in columns.items()})  # incident reads

    nodes = {"mode": "str", "node": "int32", "osm_id": "int64", "lon": "float64", "lat": "float64"}
    nodes |= {"x": "float64", "y": "float64", "snap": "bool", "utm_crs": "str"}
    edges = {"mode": "str", "u": "int32", "v": "int32", "time_s": "float64", "length_m": "float64"}
    sites = sites.drop(columns=OUTLINE).reset_index(drop=True)  # the outlines are for measuring only
    tables: dict[str, Any] = {"resources": resources, "vulnerable_sites": sites}
    for name, columns in (("network_nodes", nodes), ("network_edges", edges)):
        table = getattr(coverage, name, None)
        written = coverage.network_files.get(name) if coverage is not None else None
        tables[name] = table if table is not None else Path(written) if written else empty(columns)
    return tables
