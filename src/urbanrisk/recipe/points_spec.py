"""A points layer's options (a hazard or resource registry, 台账): columns, severity scale, the kinds
a resource registry lists completely and the office's own columns it keeps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..resource_columns import own_columns, reserved_kept_columns
from .datum import Coords
from .strict import Strict as _Strict

#: How a registry's severity scale runs (a recipe must say it: Chinese grades run the other way).
SEVERITY_ORDERS = ("1_is_most_severe", "4_is_most_severe")
SEVERITY_HINT = (
    "order: 1_is_most_severe (一级 / 1 the most severe, as 重大危险源 grades) or "
    "order: 4_is_most_severe (urbanrisk's scale, 4 the most severe)"
)


class SeveritySpec(_Strict):
    """A registry's severity column and which end of its scale is the most severe (no default)."""

    column: str | None = None  # default: severity_column, else "severity"
    order: Literal["1_is_most_severe", "4_is_most_severe"]


class PointsLayer(_Strict):
    """A hazard or resource registry (台账): CSV (any encoding), Excel, GeoJSON, GeoPackage or Shapefile."""

    type: Literal["points"]
    path: str
    sheet: str | int | None = None  # Excel: a sheet's name or number (from 1); default the first
    file_layer: str | None = None  # a GeoPackage (any file) holding several layers: the one to read
    encoding: str | None = None  # CSV / Shapefile DBF: default detected (UTF-8, GBK/GB18030...)
    lon: str | None = None
    lat: str | None = None
    coords: Coords = "wgs84"
    crs: str | None = None
    role: Literal["hazard", "resource"] = "hazard"
    kind: str | None = None
    id_column: str = "id"
    kind_column: str = "kind"
    name_column: str = "name"
    severity: SeveritySpec | None = None
    #: the column's name only (before severity: existed); its scale must still be declared in severity
    severity_column: str | None = None
    capacity_column: str = "capacity"
    #: hazards: substances and tonnes for GB 18218 (default: guessed, e.g. substance/物质, quantity_t/存量)
    substance_column: str | None = None
    quantity_column: str | None = None
    #: resources: the kinds it lists every one of (area and search buffer): none then means none, not unknown
    complete_for: list[str] = Field(default_factory=list)
    #: the office's own columns carried along, in this order (值班电话, 负责人...): a resource registry's
    #: into resources.parquet and the map, a hazard registry's into hazard_sources.parquet, the
    #: responsibility list (责任清单) and the report's list
    keep_columns: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keep_columns_named(self) -> PointsLayer:
        clash = reserved_kept_columns(self.keep_columns, self.role)
        if clash or any(not str(c).strip() for c in self.keep_columns):
            msg = (
                f"keep_columns lists the office's own columns (e.g. [值班电话, 负责人]); {clash or ['']} "
                f"cannot be kept under its name (urbanrisk's own: {', '.join(own_columns(self.role))}): "
                "rename that column in the file, or remove it from keep_columns"
            )
            raise ValueError(msg)
        if len(set(self.keep_columns)) < len(self.keep_columns):
            msg = f"keep_columns {self.keep_columns} lists a column twice: list each once"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _complete_for_resources(self) -> PointsLayer:
        if self.complete_for and self.role != "resource":
            msg = (
                f"complete_for {self.complete_for} is for resource registries: add role: resource, or "
                "remove complete_for (a hazard registry's completeness is not declared)"
            )
            raise ValueError(msg)
        if any(not str(kind).strip() for kind in self.complete_for):
            msg = "complete_for lists resource kinds, e.g. [fire_station] or [消防站]: remove the empty entry"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _severity_declared(self) -> PointsLayer:
        if self.severity_column is not None and self.severity is None:
            msg = (
                f"severity_column '{self.severity_column}' does not say which end of its scale is the "
                f"most severe: replace it with severity: {{column: {self.severity_column}, order: ...}}, "
                f"{SEVERITY_HINT}"
            )
            raise ValueError(msg)
        column = self.severity.column if self.severity else None
        if column is not None and self.severity_column is not None and column != self.severity_column:
            msg = (
                f"severity.column '{column}' and severity_column '{self.severity_column}' differ: "
                "keep severity.column and remove severity_column"
            )
            raise ValueError(msg)
        return self

    @property
    def severity_col(self) -> str:
        """The severity column's name (declared, else ``severity``)."""
        declared = self.severity.column if self.severity else None
        return declared or self.severity_column or "severity"
