"""Numbers that read 0 where nothing could be measured (session 18, fix18), on hand-computed cases.

Building completeness (mapped residential floor area ÷ 38.6 m² a person against the raster's residents,
per ~0.1 km² block) read 0 in the cells outside the OSM data, where no building could be mapped: the
run's completeness, weighted by residents, counted them as unmapped, so an extract over half the raster
halved it (and warned that the buildings look incomplete)."""

from __future__ import annotations

from types import SimpleNamespace

import h3
import numpy as np
import pandas as pd
import pytest

from urbanrisk import settings
from urbanrisk.completeness import completeness_summary, grid_completeness
from urbanrisk.grade import INDICATORS

#: Three r9 cells (each its own block): two inside the OSM data, one outside it.
CELLS = [h3.latlng_to_cell(39.99, 116.33 + 0.01 * i, 9) for i in range(3)]


def _grid() -> pd.DataFrame:
    per_person = settings.floor_area_per_person_m2
    grid = pd.DataFrame(
        {
            "residents": [100.0, 100.0, 5.0],  # the raster's
            "residential_floor_m2": [50.0 * per_person, 0.0, 0.0],  # floor for 50 people, none, none
            "cell_area_m2": 1e5,
            "known_travel": [True, False, True],  # the middle cell lies outside the OSM data
        },
        index=pd.Index(CELLS, name="h3_cell"),
    )
    for key in INDICATORS:
        grid[f"known_{key[6:]}"] = True
    return grid


def test_building_completeness_is_unknown_outside_the_osm_data():
    grid = _grid()
    layers = SimpleNamespace(raster=object(), osm_bounds={"osm": (116.0, 39.0, 117.0, 40.0)})
    completeness = grid_completeness(grid, layers)
    assert completeness.iloc[0] == 0.5  # 50 of 100 residents' floor mapped
    assert np.isnan(completeness.iloc[1])  # outside the OSM data: unknown (was 0.0)
    assert np.isnan(completeness.iloc[2])  # 5 residents: too few to tell (MIN_BLOCK_PEOPLE)
    summary = completeness_summary(grid.assign(building_completeness=completeness), layers)
    assert summary["building_completeness"] == 0.5  # the cells measured; was (50 + 0) / 200 = 0.25


def test_a_cell_mostly_outside_every_census_unit_has_its_residents_unknown():
    """A census unit covering 12 % of a coarse cell (r7, ~5 km²) made the cell's residents known: the
    unit's 1,000 people counted, the other 88 % of the cell (outside every unit: no count) taken as
    nobody. Known now takes what a raster's cell takes: units with a count over at least
    ``min_residents_known_share`` of the cell's part in the study area; the unit's count stays placed
    (conserved), as a lower bound."""
    import geopandas as gpd
    import shapely

    from urbanrisk.population_table import spread_counts

    cells = [h3.latlng_to_cell(39.99, 116.33, 7), h3.latlng_to_cell(39.99, 116.40, 7)]
    hexagons = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    grid = gpd.GeoDataFrame({"cell_inside_share": [1.0, 1.0]}, geometry=hexagons, index=cells, crs=4326)
    units = []
    for hexagon, share in zip(hexagons, (0.12, 0.6), strict=True):  # a strip over the hexagon's west
        west, south, east, north = hexagon.bounds
        strip = shapely.box(west, south, west + (east - west) * 0.3, north)
        for _ in range(60):  # widen it until it covers the share of the hexagon wanted (to 1 %)
            if shapely.area(shapely.intersection(strip, hexagon)) >= share * hexagon.area:
                break
            strip = shapely.box(west, south, strip.bounds[2] + (east - west) * 0.01, north)
        units.append(shapely.intersection(strip, hexagon))  # wholly in the area: its count all placed
    table = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["甲街道", "乙街道"], "count": [1000.0, 1000.0]}, geometry=units, crs=4326
    )
    area = shapely.union_all(hexagons)
    residents, known, _ = spread_counts(grid, table, area)
    assert residents.tolist() == pytest.approx([1000.0, 1000.0], rel=1e-12)  # every unit's count placed
    assert known.tolist() == [False, True]  # 12 % under a unit: unknown (was True); 60 %: known
