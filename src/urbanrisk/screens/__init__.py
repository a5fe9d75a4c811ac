"""The four risk screens: hazard sources, communities, key districts, urban villages.

Each screen is a function on the cell table and the standard layers, returning its own table;
:func:`urbanrisk.pipeline.run_recipe` writes each to its own GeoParquet file. A screen whose input is
missing returns an empty table and says why (``skipped: no <layer>``) instead of inventing values.
"""

from .communities import communities_screen
from .hazard_sources import hazard_sources_screen
from .key_districts import key_districts_screen
from .urban_villages import urban_village_cell_scores, urban_villages_screen

__all__ = [
    "communities_screen",
    "hazard_sources_screen",
    "key_districts_screen",
    "urban_village_cell_scores",
    "urban_villages_screen",
]
