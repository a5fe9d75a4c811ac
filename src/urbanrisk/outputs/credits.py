"""Whom the footers of the report, the map and the incident sheet credit: the sources a recipe uses.

OpenStreetMap when the recipe has an ``osm`` layer (a recipe of rasters and registries only uses none
of its data), then each population raster (:func:`raster_credits`); an office's own registries, units
and census tables are its own and need no credit. The incident sheet credited OpenStreetMap alone,
whatever the run's raster (:func:`source_credits`).

Each raster layer is credited as the recipe names it: its ``attribution:`` when given (``U.S. Census
Bureau, 2020 block counts, public domain``), WorldPop's licence only for a WorldPop file (its name says
``worldpop``, or is one of WorldPop's own: ``gha_ppp_2020.tif``, ``chn_pd_2020_1km.tif``), else its file
name: a made-up or a city's own raster was credited to WorldPop (CC BY 4.0) before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from .html import ATTRIBUTION

#: WorldPop's credit, as its licence asks (CC BY 4.0)
WORLDPOP_CREDIT = "Population rasters: WorldPop (www.worldpop.org), CC BY 4.0."
#: a raster's credit by its ``attribution:`` or, without one, its file name
RASTER_CREDIT = "Population raster: {source}."
#: a WorldPop file: its name says so, or follows WorldPop's own naming (ISO3 _ppp_ / _pd_ year)
WORLDPOP_FILE = re.compile(r"worldpop|^[a-z]{3}_(?:ppp|pd)_\d{4}", re.IGNORECASE)


def raster_credits(recipe: Any, t: Callable[..., str]) -> list[str]:
    """The credits of the recipe's raster layers, in ``t``'s language, each once, not escaped.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> layers = {
    ...     "a": N(type="raster", path="../layers/accra/accra_worldpop_2015adj.tif", attribution=None),
    ...     "b": N(type="raster", path="/data/baltimore_pop.tif", attribution=None),
    ...     "c": N(type="raster", path="x.tif", attribution="U.S. Census Bureau 2020"),
    ...     "d": N(type="osm", path="city.osm.pbf"),
    ... }
    >>> for credit in raster_credits(N(layers=layers), lambda text, **kw: text.format(**kw)):
    ...     print(credit)
    Population rasters: WorldPop (www.worldpop.org), CC BY 4.0.
    Population raster: baltimore_pop.tif.
    Population raster: U.S. Census Bureau 2020.
    """
    out: list[str] = []
    for spec in getattr(recipe, "layers", {}).values():
        if getattr(spec, "type", None) != "raster":
            continue
        attribution = str(getattr(spec, "attribution", None) or "").strip()
        name = PurePath(str(spec.path).replace("\\", "/")).name
        if attribution:
            credit = t(RASTER_CREDIT, source=attribution)
        elif WORLDPOP_FILE.search(name):
            credit = t(WORLDPOP_CREDIT)
        else:
            credit = t(RASTER_CREDIT, source=name)
        if credit not in out:
            out.append(credit)
    return out


def source_credits(recipe: Any, t: Callable[..., str]) -> list[str]:
    """Every source the recipe's layers use that asks for credit, in ``t``'s language, each once.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> words = lambda text, **kw: text.format(**kw)
    >>> osm = N(type="osm", path="city.osm.pbf")
    >>> raster = N(type="raster", path="pop.tif", attribution="U.S. Census Bureau 2020")
    >>> source_credits(N(layers={"osm": osm, "pop": raster}), words)
    ['Map data © OpenStreetMap contributors (ODbL)', 'Population raster: U.S. Census Bureau 2020.']
    >>> source_credits(N(layers={"pop": raster}), words)  # no OSM layer: OpenStreetMap not credited
    ['Population raster: U.S. Census Bureau 2020.']
    """
    layers = getattr(recipe, "layers", {}).values()
    osm = [t(ATTRIBUTION)] if any(getattr(spec, "type", None) == "osm" for spec in layers) else []
    return [*osm, *raster_credits(recipe, t)]
