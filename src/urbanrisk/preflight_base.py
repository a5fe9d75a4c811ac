"""What every preflight check shares: a problem as (recipe key path, message with the fix), and the
words that name a missing column or CRS. Light (no pandas, GDAL or shapely): ``urbanrisk validate``."""

from __future__ import annotations

from pathlib import Path

from .layers.tabular import shown_columns

Problem = tuple[tuple[str, ...], str]  # (recipe key path, message with the fix)


def local(path: str) -> Path | None:
    """A local path, or None for a URL (checked when the run reads it)."""
    return None if "://" in path else Path(path)


def missing_column(path: Path, column: str, columns: list[str], fix: str) -> str:
    """The message for a column a file lacks, with its columns and the fix."""
    return f"{path.name} has no column '{column}' (its columns: {shown_columns(columns)}); {fix}"


def no_crs(path: Path) -> str:
    """The message for a vector file without a coordinate reference system."""
    return (
        f"{path.name} declares no coordinate reference system (no .prj): say which with `crs:` (e.g. "
        "EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 for CGCS2000 Gauss-Kruger CM 114E)"
    )


def crs_problem(name: str, crs: str | None) -> list[Problem]:
    """A layer's ``crs:`` that pyproj does not know (it was a CRSError traceback in the run)."""
    if crs is None:
        return []
    from pyproj import CRS  # only for a recipe that gives a crs
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs)
    except CRSError:
        text = (
            f"unknown coordinate reference system '{crs}': give an EPSG code such as EPSG:4490 (CGCS2000 "
            "lon/lat) or EPSG:4547 (CGCS2000 Gauss-Kruger CM 114E), or the file's .prj text"
        )
        return [(("layers", name, "crs"), text)]
    return []
