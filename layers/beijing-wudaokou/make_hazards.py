"""Build hazards.csv, the sample hazard registry of the default city, from its real OSM features.

Every row is an OSM feature of the Wudaokou extract that urbanrisk's tag table marks as a hazard
(© OpenStreetMap contributors, ODbL). Severities (1-4, 4 the most severe) are urbanrisk's defaults
per kind, not an official rating. Run from the repository root:

    .venv/bin/python layers/beijing-wudaokou/make_hazards.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from urbanrisk.layers.osm import osm_from_file

HERE = Path(__file__).parent
SEVERITY = {
    "fuel": 3,
    "gas": 3,
    "chemical": 4,
    "explosives": 4,
    "power": 2,
    "industrial": 2,
    "storage_tank": 3,
}

osm = osm_from_file(HERE / "wudaokou_2017.osm")
hazards = osm.pois[osm.pois["roles"].str.contains("hazard")].sort_values("osm_ref")
with open(HERE / "hazards.csv", "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["id", "kind", "name", "severity", "lon", "lat", "source"])
    for i, row in enumerate(hazards.itertuples(), start=1):
        writer.writerow(
            [
                f"WDK-H{i:03d}",
                row.kind,
                row.name,
                SEVERITY[row.kind],
                f"{row.geometry.x:.7f}",
                f"{row.geometry.y:.7f}",
                f"OSM {row.osm_ref} (sample built from OSM, not an official registry)",
            ]
        )
print(f"wrote {len(hazards)} hazards to {HERE / 'hazards.csv'}")
