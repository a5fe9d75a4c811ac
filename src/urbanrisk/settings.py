"""Package-wide defaults, in one typed place.

Functions take ``None`` to mean "use the setting". Values are read at call time in the driver and
passed explicitly into Dask tasks: worker processes do not share module globals.
"""

from __future__ import annotations

from pathlib import Path

#: Folder holding the data tables (OSM tag -> kind, building types, land-use context).
tables_dir: Path = Path(__file__).parent / "tables"

#: A job above this many cells is refused unless forced (``--force`` / ``grid.force: true``).
max_cells: int = 5_000_000

#: Memory of a run: ``run_base_bytes`` plus, per grid cell, ``bytes_per_cell`` and ``bytes_per_disk_cell``
#: for every cell of its ~100 m neighbourhood disk (the neighbourhood sums hold one entry per pair, so
#: the cost per cell grows ~7x a resolution from r12). Fitted to measured peaks of every process of a
#: run, above them where they exceed the ~0.42 GB a 26-cell run takes: raster-only r11 0.44 GB (677
#: cells), r12 0.54 GB (4,471), r13 2.48 GB (30,595 cells, 1,801-cell disks); Wudaokou OSM r11 0.49 GB
#: (3,303), r12 1.42 GB (22,543 cells, 271-cell disks); the r10 metropolis of benchmarks/scale.py at
#: 256 tiles 1.91 GB (116,645 cells) and at 32 x 32 tiles 4.19 GB (464,628 cells, all processes
#: summed). The model says 0.41, 0.60, 7.4, 0.45, 1.40, 1.90 and 6.4 GB. (Fitted on the small runs
#: alone, 30 kB a cell refused the 32 x 32 metropolis on any machine with less than 18 GB free.)
run_base_bytes: int = 400_000_000
bytes_per_cell: int = 12_000
bytes_per_disk_cell: int = 120
#: A job may use at most this share of the memory available when it starts (unless forced).
max_memory_share: float = 0.8

#: Partition cells by their parent this many resolutions coarser than the grid (None: automatic).
partition_offset: int = 4

#: Partitions also receive buildings and streets this far (degrees, ~200 m) beyond their bounds.
partition_margin_deg: float = 0.002

#: Partitioned coverage (compute.partitioned_coverage) computes travel exactly up to this multiple of
#: each standard's limit: 2, where the lack-of-coping score saturates, so grades equal the eager path.
partition_coverage_exact_ratio: float = 2.0

#: Screens per partition (compute.partitioned_screens; see urbanrisk.screens_dask): the same tables;
#: off by default (measured slower than the driver alone on the samples: benchmarks/RESULTS.md).
partitioned_screens: bool = False

#: glibc's mmap threshold, fixed for a run (:mod:`urbanrisk._malloc`; glibc only), in bytes; None:
#: glibc's own, which rises as large arrays are freed. 128 KiB: the 32 x 32 metropolis peaked ~400 MiB
#: lower (3,654 MiB) for ~9 % more CPU seconds (benchmarks/RESULTS.md, "32 x 32 memory (session 7)").
#: ``MALLOC_MMAP_THRESHOLD_`` in the environment wins.
mmap_threshold_bytes: int | None = 128 * 1024
#: The estimated cells from which a run fixes it (:func:`urbanrisk.grid.fix_allocator_for`): below, the
#: extra CPU seconds (~26 % at 29k cells) buy memory no job of that size needs.
mmap_threshold_min_cells: int = 100_000
#: The cells from which a run on ``processes`` leaves the grid's write-only columns and its polygons
#: out of the driver (:mod:`urbanrisk.grid_spool`): below, spooling them and reading them back cost
#: more CPU seconds than the memory is worth (64 tiles, 29k cells: the write stage's driver 1.9-2.0 ->
#: 1.1-1.15 CPU s without; benchmarks/RESULTS.md, session 20, cpu21).
grid_spool_min_cells: int = 100_000

#: Default Dask scheduler for local runs (measured fastest on 2 cores: see benchmarks/RESULTS.md).
default_scheduler: str = "threads"

#: How many chars of an untrusted text field we keep (names, registry fields).
max_text_length: int = 200

#: Walking speed (km/h) for walk-mode travel times (1.2 m/s, a common pedestrian design speed).
walk_speed_kmh: float = 4.3

#: Cells and resources farther than this (metres) from any street node are reported, not snapped.
max_snap_m: float = 500.0
#: An OSM resource within this distance of a registry resource of the same kind is the same site:
#: the registry row is kept (counted twice, N-1 would say losing the station costs nobody).
resource_dedup_m: float = 50.0

#: Resources up to this far (metres) outside the study area serve it too (coverage.search_buffer_m); left
#: to this default, a standard looks as far as its resources could reach (coverage_dropped.reach_buffer_m).
search_buffer_m: float = 2000.0
#: The fastest a street is driven (km/h), for one bound only: whether any resource of a kind stands near
#: enough to reach the area at all before its graph is built (:func:`urbanrisk.coverage.loose_reach_m`;
#: the graph's own fastest edge then decides). 130: the highest posted limit in China (120) and most of
#: Europe (130).
fastest_street_kmh: float = 130.0

#: How many sites for new resources the greedy maximal covering suggests per standard (coverage.sites).
suggested_sites: int = 3

#: Key districts: crowd-gathering places per km² and people present per km² over a cell's
#: neighbourhood that both make it dense, the fewest cells of a district and its fewest crowd places.
key_district_crowd_min_per_km2: float = 100.0
key_district_people_min_per_km2: float = 10_000.0
key_district_min_cells: int = 2
key_district_min_crowd_places: int = 3

#: Urban villages: the cell score (0-1) from which a cell counts, and the fewest cells of a cluster.
urban_village_min_score: float = 0.5
urban_village_min_cells: int = 2

#: Mapped OSM buildings count as a measurement (a cell without buildings is empty, not unmapped) where
#: their estimated completeness reaches this share; below it building indicators (density, urban-village
#: form, residents from floor area) are unknown. See urbanrisk.completeness.
min_building_completeness: float = 0.5

#: Residents from a population raster are known in a cell where at least this share of its area lies
#: over measured pixels (inside the raster, not nodata); below it they are unknown (missing is not
#: zero), and the people of the measured part stay in ``residents``. See urbanrisk.population.
min_residents_known_share: float = 0.5

#: A cell at the study area's edge has its densities per its area inside (``cell_area_m2``), but never
#: less than this share of the hexagon: a sliver of a few m² inside is too small a sample for a density
#: (one building's piece would read as a city block's), and a cell touching the edge only has none.
min_cell_inside_share: float = 0.1

#: Radius (metres) of the neighbourhood over which building completeness is estimated from streets.
completeness_radius_m: float = 300.0

#: Floor area per person (m²) used to compare mapped floor area with a population raster.
floor_area_per_person_m2: float = 38.6
#: a census table's unit whose count gives each resident less or more mapped residential floor than
#: these (m²; China's urban average is 38.6) is named in the run's notes: a typo, or a count in 万?
census_floor_per_person_m2: tuple[float, float] = (4.0, 400.0)

#: A risk dimension is computed only when its measured indicators carry more than this share of its
#: weight (else it is unknown, never a 0 that the geometric mean would spread to the risk): a hazard
#: registry alone (half of hazard & exposure) does not grade a cell where nothing else is known.
min_dimension_weight: float = 0.5

#: At most this many graph nodes are tried as sites for new resources (intersections first).
max_site_candidates: int = 3000

#: The map shows at most this many cells; larger grids are shown at a coarser resolution (the worst
#: child's grade). Measured in headless Chromium (software WebGL): 23k cells load in 4.4 s and take
#: 0.56 s per hover; see the issue notes.
max_map_cells: int = 20_000

#: Rows per Parquet row group in the layer store that worker processes read by bounding box (small
#: groups: a partition's bbox read skips more of the file; large: fewer, cheaper reads).
store_row_group_rows: int = 2_000

#: Incidents: evacuees walk at most this far (network metres) to a shelter (an urbanrisk assumption:
#: about 35 min at the walking speed above); farther shelters are not assigned.
incident_max_walk_m: float = 2500.0

#: Incidents: how many of the nearest resources of each kind are listed (by network travel time).
incident_resources_per_kind: int = 5

#: A population raster's window read for one partition may hold at most this many pixels (8 bytes each).
max_window_pixels: int = 50_000_000
#: A population raster pixel holding more people per km² than this is refused: 10 people a square metre
#: of ground, five times the Kowloon Walled City's (~1.9 million per km², the densest place recorded);
#: 3.4e38 (float32's largest value) is an undeclared nodata, 20,000 a density per km² read as per pixel.
max_people_per_km2: float = 10_000_000
#: Places of about ``dense_place_km2`` (an H3 resolution-9 cell is 0.1 km²) holding more people per km²
#: than this are noted: only the world's most crowded districts come near (Accra's WorldPop: 152,000).
dense_people_per_km2: float = 200_000
dense_place_km2: float = 0.1
#: A raster in another CRS than EPSG:4326 is warped in memory up to this many pixels.
max_warp_pixels: int = 100_000_000
#: Side files (data tables, area boundaries) larger than this are refused before reading (bytes).
max_side_file_bytes: int = 50_000_000
#: A study area with more polygon parts or vertices is refused: simplify or dissolve it first.
max_area_parts: int = 1_000
max_area_vertices: int = 200_000
#: A resource's capacity (beds, places, engines) above this is a typo (1e308), refused with the row named.
max_capacity: float = 10_000_000
#: A registry with this many rows at one place (to ~1 m) is refused: a geocoder's fallback (every
#: unresolved address at the city centre), not sites; from 10 rows and half the registry, a note.
max_rows_at_one_place: int = 1_000
#: Distances in the user's tables (impact radii, safety distances, incident rings; metres) above this
#: are refused: 50 km is past any screening distance (the recipe's search_buffer_m has the same cap).
max_table_distance_m: float = 50_000
