"""Screen building blocks per partition equal the single-process ones."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
from conftest import default_recipe
from urbanrisk.clusters import cell_clusters
from urbanrisk.grade import hazard_intensity
from urbanrisk.hazard_table import hazard_table
from urbanrisk.pipeline import build_grid, load_layers, study_area, utm_crs_for
from urbanrisk.screens.key_districts import dense_cells
from urbanrisk.screens.urban_villages import urban_village_cell_scores
from urbanrisk.screens_dask import (
    cell_clusters_by_partition,
    hazard_intensity_by_partition,
    residents_exposed_by_partition,
)


@pytest.fixture(scope="module")
def wudaokou(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wudaokou")
    recipe = ur.load_recipe(default_recipe(folder, grid={"resolution": 10, "partition_resolution": 8}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    utm = utm_crs_for(area)
    hazards, _ = hazard_table(recipe, layers, area, grid, utm)
    return grid, hazards, utm, layers


def _with_spread_sources(grid, real, n=60, seed=11):
    """The sample's sources, and ``n`` more spread over the area (radii 50-800 m) that cross borders."""
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = grid.total_bounds
    extra = real.iloc[rng.integers(0, len(real), n)].copy()
    extra["id"] = [f"X{i:03d}" for i in range(n)]
    extra["impact_radius_m"] = rng.uniform(50, 800, n)
    extra["severity"] = rng.integers(1, 5, n)
    extra = extra.set_geometry(gpd.points_from_xy(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)), crs=4326)
    return pd.concat([real, extra], ignore_index=True)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_hazard_intensity_and_exposure_per_partition_equal_the_eager_ones(wudaokou, scheduler):
    from urbanrisk.screens.hazard_sources import residents_in_circles

    grid, real, utm, _ = wudaokou
    hazards = _with_spread_sources(grid, real)
    eager = hazard_intensity(grid, hazards, utm_crs=utm)
    parts = hazard_intensity_by_partition(
        grid, hazards, utm_crs=utm, partition_resolution=8, scheduler=scheduler
    )
    assert (eager[0] > 0).sum() > 50
    pd.testing.assert_series_equal(eager[0], parts[0], check_exact=True)
    pd.testing.assert_series_equal(eager[1], parts[1], check_exact=True)
    xy = np.column_stack([hazards.to_crs(utm).geometry.x, hazards.to_crs(utm).geometry.y])
    exposed = residents_exposed_by_partition(
        grid, xy, hazards["impact_radius_m"].to_numpy(), utm, partition_resolution=8, scheduler=scheduler
    )
    expected = residents_in_circles(grid, xy, hazards["impact_radius_m"].to_numpy(), utm)
    assert (expected > 0).sum() > 30
    np.testing.assert_allclose(exposed, expected, rtol=1e-12, atol=1e-9)


def test_clusters_merged_across_partition_borders_equal_the_single_process_ones(wudaokou):
    grid, _, _, _ = wudaokou
    rng = np.random.default_rng(3)
    uv = urban_village_cell_scores(grid, None)["uv_score"]
    chosen_sets = {
        "dense": grid.index[dense_cells(grid, crowd_min_per_km2=5, people_min_per_km2=2000)["dense"]],
        "villages": grid.index[uv >= uv.quantile(0.7)],
        "random": grid.index[rng.random(len(grid)) < 0.55],  # big clusters spanning many partitions
        "all": grid.index,
    }
    for name, chosen in chosen_sets.items():
        chosen = list(chosen[rng.permutation(len(chosen))])  # any input order
        eager = cell_clusters(chosen)
        parts = cell_clusters_by_partition(chosen, partition_resolution=8, scheduler="threads")
        assert len(chosen) > 20 and np.array_equal(eager, parts), name
    parents = {h3.cell_to_parent(c, 8) for c in chosen_sets["all"]}
    assert len(parents) > 10


def _random_sources(grid, real, n, seed):
    """The sample's sources and ``n`` more over the area (radii 50-800 m), crossing partition borders."""
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = grid.total_bounds
    extra = real.iloc[rng.integers(0, len(real), n)].copy()
    extra["id"] = [f"X{i:03d}" for i in range(n)]
    extra["impact_radius_m"] = rng.uniform(50, 800, n)
    extra = extra.set_geometry(gpd.points_from_xy(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)), crs=4326)
    return pd.concat([real, extra], ignore_index=True)


def test_disk_matrix_and_centres_per_partition_equal_the_eager_ones(wudaokou):
    # the k-ring disks walked per partition (a border cell's disk reaches into its neighbours) give
    # the matrix entry for entry, as does the driver's walk, and both equal a plain loop over the disks
    from urbanrisk.cell_disks import cell_latlng, disk_matrix
    from urbanrisk.screens_dask import _centres_partition, _partitions, disk_matrix_by_partition

    grid = wudaokou[0]
    cells = grid.index[::-1]  # a grid order no cache has seen
    position = {cell: i for i, cell in enumerate(cells)}
    for k in (1, 3):
        pairs = [(i, position[n]) for i, c in enumerate(cells) for n in h3.grid_disk(c, k) if n in position]
        eager = disk_matrix(cells, k)
        parts = disk_matrix_by_partition(cells, k, partition_resolution=8, scheduler="threads")
        for matrix in (eager, parts):
            assert sorted(zip(*matrix.nonzero(), strict=True)) == sorted(pairs)
        for attr in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(eager, attr), getattr(parts, attr)), (k, attr)
        values = pd.Series(np.random.default_rng(k).random(len(cells)), index=cells)
        assert np.array_equal(eager @ values.to_numpy(), parts @ values.to_numpy())
        # the border cells' disks reach outside their partition: a halo is needed
        parent = {c: h3.cell_to_parent(c, 8) for c in cells}
        border = [c for c in cells if any(parent.get(n, parent[c]) != parent[c] for n in h3.grid_disk(c, k))]
        assert len(border) > 100
    latlng = np.concatenate([_centres_partition(group) for group in _partitions(cells, 8)])
    order = [c for group in _partitions(cells, 8) for c in group]
    assert np.array_equal(latlng, cell_latlng(pd.Index(order)))
    assert np.array_equal(cell_latlng(cells), np.array([h3.cell_to_latlng(c) for c in cells]))


def test_vulnerable_sites_and_breaches_equal_a_measurement_of_every_target(wudaokou):
    # the spatial-index answer equals measuring every source to every target (the eager loop it
    # replaced), on the sample's schools, hospitals, fire stations and homes with rules that break
    import shapely

    from urbanrisk.screens.hazard_sources import (
        VULNERABLE_KINDS,
        _breaches,
        _targets,
        _vulnerable_within,
        unnamed_target,
    )

    def label_of(kind: str, table: pd.DataFrame, j: int) -> str:
        # a named target by kind and name; only an unnamed one's wording comes from the code
        name, ref = table["name"].iloc[j], table["ref"].iloc[j]
        return f"{kind} {name}" if name else unnamed_target(kind, ref)

    grid, real, utm, layers = wudaokou
    sources = _random_sources(grid, real, 80, seed=5)
    targets = _targets(layers.pois, layers.buildings, layers.resources, utm)
    assert {"school", "dwelling"} <= set(targets)
    kinds = sources["kind"].unique()
    distances = pd.DataFrame(
        [
            (kind, target, float(m), "test")
            for kind in kinds
            for target, m in (("school", 400), ("dwelling", 60))
        ],
        columns=["kind", "target", "min_distance_m", "source"],
    )
    points = sources.to_crs(utm).geometry.to_numpy()
    names, counts = _vulnerable_within(points, sources, targets)
    breaches = _breaches(points, sources["kind"].to_numpy(), targets, distances)
    for i, point in enumerate(points):
        found, broken = [], []
        for vkind in VULNERABLE_KINDS:
            if vkind in targets:
                table = targets[vkind]
                d = shapely.distance(point, table.geometry.to_numpy())
                for j in np.flatnonzero(d <= sources["impact_radius_m"].iloc[i]):
                    parts = int(table["features"].iloc[j])  # one site mapped as several features
                    merged = f", {parts} OSM features" if parts > 1 else ""
                    found.append((d[j], f"{label_of(vkind, table, j)} ({d[j]:.0f} m{merged})"))
        for rule in distances[distances["kind"] == sources["kind"].iloc[i]].itertuples():
            table = targets[rule.target]
            d = shapely.distance(point, table.geometry.to_numpy())
            j = int(np.argmin(d))
            if d[j] < rule.min_distance_m:
                label = label_of(rule.target, table, j)
                broken.append(f"{label} at {d[j]:.0f} m < {rule.min_distance_m:.0f} m (test)")
        assert names[i] == "; ".join(text for _, text in sorted(found)) and counts[i] == len(found)
        assert breaches[i] == broken
    assert sum(counts) > 50 and sum(map(len, breaches)) > 20
    unnamed = [b for row in breaches for b in row if b.startswith("an unnamed dwelling (OSM way/")]
    assert unnamed, "the sample's unnamed homes are breached and named by their OSM reference"


def test_key_district_names_equal_one_sort_per_district(wudaokou):
    # names, place lists and kind counts from one sort over every crowd place equal those of
    # sorting each district's places alone (the loop it replaced), on the sample's crowd places
    from urbanrisk.grid import cell_ints_to_str, points_to_cells
    from urbanrisk.screens.key_districts import NAME_PRIORITY, _names_and_places

    grid, _, _, layers = wudaokou
    pois = layers.pois
    crowd = pois[pois["roles"].fillna("").str.contains("crowd")].drop_duplicates("osm_ref")
    cells = points_to_cells(crowd.geometry.x.to_numpy(), crowd.geometry.y.to_numpy(), 10)
    crowd = crowd.assign(cell=cell_ints_to_str(cells))
    chosen = grid.index[np.random.default_rng(2).random(len(grid)) < 0.4]
    labels = pd.Series(cell_clusters(chosen), index=chosen)
    kept = pd.Index(sorted(set(labels))[::2])
    named = _names_and_places(crowd, labels, kept)
    with_label = crowd.assign(label=crowd["cell"].map(labels))
    expected = {}
    for label, inside in with_label.dropna(subset=["label"]).groupby("label"):
        if label not in kept:
            continue
        summary = ", ".join(f"{kind} {n}" for kind, n in inside["kind"].value_counts().head(6).items())
        has_name = inside[inside["name"].astype(bool)]
        rank = has_name["group"].map({g: i for i, g in enumerate(NAME_PRIORITY)}).fillna(len(NAME_PRIORITY))
        has_name = has_name.assign(rank=rank.to_numpy()).sort_values(["rank", "name"])
        names = list(dict.fromkeys(has_name["name"]))
        expected[int(label)] = ((names[0] if names else ""), "; ".join(names[:8]), summary)
    assert named == expected
    assert sum(1 for name, _, _ in named.values() if name) > 5


def test_residents_in_circles_equal_intersecting_every_cell(wudaokou):
    # counting the cells wholly inside a circle whole, and intersecting only those its outline
    # crosses, gives the sums of intersecting every (circle, cell) pair (the code it replaced)
    import shapely

    from urbanrisk.circle_overlap import inside_circles
    from urbanrisk.screens.hazard_sources import residents_in_circles

    grid, real, utm, _ = wudaokou
    sources = _random_sources(grid, real, 60, seed=7)
    xy = np.column_stack([sources.to_crs(utm).geometry.x, sources.to_crs(utm).geometry.y])
    radii = sources["impact_radius_m"].to_numpy()
    cells = grid.geometry.to_crs(utm).to_numpy()
    circles = shapely.buffer(shapely.points(xy), radii, quad_segs=16)
    h_idx, c_idx = shapely.STRtree(cells).query(circles, predicate="intersects")
    share = shapely.area(shapely.intersection(circles[h_idx], cells[c_idx])) / shapely.area(cells[c_idx])
    expected = np.bincount(h_idx, weights=grid["residents"].to_numpy()[c_idx] * share, minlength=len(xy))
    got = residents_in_circles(grid, xy, radii, utm)
    assert (expected > 0).sum() > 30
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    inside = inside_circles(cells[c_idx], xy[h_idx], radii[h_idx])
    assert 0.2 < inside.mean() < 0.9  # both kinds are met
    assert np.all(shapely.contains(circles[h_idx[inside]], cells[c_idx[inside]]))  # whole means whole
    assert np.allclose(share[inside], 1.0, rtol=1e-12)


def test_outlines_and_parents_at_once_equal_one_cell_set_at_a_time(wudaokou):
    # dissolve_each builds the geometries of many cell sets at once: vertex for vertex those of
    # dissolving each alone (holes, several parts, empty sets); parents equal h3.cell_to_parent
    import shapely

    from urbanrisk.cell_disks import cell_parents
    from urbanrisk.clusters import dissolve_cells, dissolve_each

    grid, _, _, _ = wudaokou
    cells = grid.index.tolist()
    centre = cells[len(cells) // 2]
    parents = pd.Series(cell_parents(grid.index, 8), index=cells)
    assert parents.tolist() == [h3.cell_to_parent(c, 8) for c in cells]
    assert cell_parents(cells[:50], 10) == cells[:50]
    groups = [g.tolist() for g in parents.groupby(parents).groups.values()]
    groups += [
        [],
        list(h3.grid_ring(centre, 1)),
        list(h3.grid_ring(centre, 1)) + list(h3.grid_ring(centre, 4)),
    ]
    groups += [cells[::7], [centre], []]
    eager = [dissolve_cells(g) for g in groups]
    at_once = dissolve_each(groups)
    assert all(shapely.equals_identical(a, b) for a, b in zip(eager, at_once, strict=True))
    kinds = {g.geom_type for g in eager}
    assert kinds == {"Polygon", "MultiPolygon"} and eager[-2].geom_type == "Polygon"
    assert any(len(g.interiors) for g in eager if g.geom_type == "Polygon")  # a ring has a hole


def test_factor_words_equal_the_loop_over_cells(monkeypatch):
    # the words written per indicator at once and joined equal the per-cell loop they replaced,
    # with unmeasured (NaN/0) indicators, ties, cells without a grade and cells with no reason;
    # and the same when written in chunks of cells (a chunk ends mid-frame, the last one short)
    from urbanrisk import grade
    from urbanrisk.grade import factor_words

    rng = np.random.default_rng(4)
    n = 3000
    weighted = rng.choice([0.0, 0.5, 1.0, 2.0, 3.5], size=(n, 7))
    weighted[:, 6] = np.where(rng.random(n) < 0.3, rng.uniform(4.9, 10, n), 0.0)  # coping beyond the limit
    weighted[:100] = 0.0  # nothing to tell
    frame = pd.DataFrame(
        {
            "top_hazard": rng.choice(["", "H1", "H2", "X"], n),
            "crowd": rng.integers(0, 20, n).astype(float),
            "residents": rng.uniform(0, 5000, n),
            "density": rng.uniform(0, 1e5, n),
            "uv": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 10, n)),
            "coverage": rng.uniform(0, 1, n),
            "vulnerable": rng.integers(0, 5, n).astype(float),
            "coping": weighted[:, 6],
            "graded": rng.random(n) < 0.8,
        }
    ).join(pd.DataFrame(weighted, columns=[f"w_{k}" for k in range(7)]))
    names = {"H1": "fuel station A (severity 3)", "H2": "plant B (severity 4)"}
    expected = []
    for i in range(n):
        r = frame.iloc[i]
        texts = [
            f"hazard source nearby: {names.get(r['top_hazard'], r['top_hazard'])}",
            f"{r['crowd']:.0f} crowd-gathering places within ~100 m",
            f"{r['residents']:,.0f} residents ({r['density']:,.0f}/km²)",
            f"urban-village form (score {r['uv'] / 10:.2f})",
            f"building coverage {r['coverage']:.0%}",
            f"{r['vulnerable']:.0f} vulnerable sites (schools, hospitals...) within ~100 m",
            f"emergency response beyond the coverage standards (lack of coping {r['coping']:.1f}/10)",
        ]
        top = np.argsort(-weighted[i], kind="stable")[:3]
        text = "; ".join(texts[k] for k in top if weighted[i, k] > 0) or "nothing notable"
        expected.append(text if r["graded"] else f"no data: too little measured here to grade ({text})")
    assert factor_words(frame, names) == expected
    monkeypatch.setattr(grade, "FACTOR_CHUNK", 700)
    assert factor_words(frame, names) == expected
    assert (
        sum(t == "nothing notable" for t in expected) > 0
        and sum(t.startswith("no data") for t in expected) > 300
    )


def _cell_clusters_by_ring(cells):
    """cell_clusters as it was: an h3.grid_ring per cell (the reference)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    cells = list(cells)
    position = {c: i for i, c in enumerate(cells)}
    pairs = [(i, position[n]) for i, c in enumerate(cells) for n in h3.grid_ring(c, 1) if n in position]
    rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
    n = len(cells)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    order = {label: k for k, label in enumerate(dict.fromkeys(labels[np.argsort(cells, kind="stable")]))}
    return np.array([order[label] for label in labels])


def test_clusters_from_h3ronpy_disks_equal_the_grid_ring_ones(wudaokou):
    """The neighbours of all cells at once (h3ronpy's disks) give the same components, labelled the same,
    as a grid_ring per cell: on the Wudaokou grid, around a pentagon, with a cell given twice, none."""
    grid = wudaokou[0]
    rng = np.random.default_rng(3)
    pentagon = h3.get_pentagons(6)[0]
    around = h3.grid_disk(pentagon, 3)
    cases = {
        "dense": grid.index[rng.random(len(grid)) < 0.55],
        "sparse": grid.index[rng.random(len(grid)) < 0.12],
        "shuffled": pd.Index(rng.permutation(grid.index.to_numpy())),
        "pentagon": [c for c in around if rng.random() < 0.6],
        "twice": [*grid.index[:40], grid.index[5], around[0], grid.index[300], around[0]],  # one alone
        "none": [],
    }
    for name, cells in cases.items():
        got, expected = cell_clusters(cells), _cell_clusters_by_ring(cells)
        assert np.array_equal(got, expected), name
    assert len(np.unique(cell_clusters(cases["sparse"]))) > 20  # many components, not one


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_exposure_with_residents_unknown_per_partition_equals_the_eager_one(wudaokou, scheduler):
    """The unknown share (screens.unknown_exposure) measured by the per-partition exposure kernel gives
    the single-process shares, bounds and grades (the east of the area's residents unknown)."""
    from functools import partial

    import geopandas as gpd

    from urbanrisk.result import NO_DATA
    from urbanrisk.screens.hazard_sources import hazard_sources_screen
    from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

    grid, real, utm, _ = wudaokou
    lon = np.array([h3.cell_to_latlng(c)[1] for c in grid.index])
    known = lon < np.quantile(lon, 0.6)
    rng = np.random.default_rng(5)  # 40 more sources over the area, radii 50-800 m, across borders
    x0, y0, x1, y1 = grid.total_bounds
    extra = real.iloc[rng.integers(0, len(real), 40)].copy()
    extra["id"] = [f"X{i:03d}" for i in range(40)]
    extra["impact_radius_m"] = rng.uniform(50, 800, 40)
    extra["severity"] = rng.integers(1, 5, 40)
    extra = extra.set_geometry(gpd.points_from_xy(rng.uniform(x0, x1, 40), rng.uniform(y0, y1, 40)), crs=4326)
    sources = pd.concat([real, extra], ignore_index=True).assign(substance="chlorine", quantity_t="20")
    kernel = partial(residents_exposed_by_partition, partition_resolution=8, scheduler=scheduler)
    tables = [
        hazard_sources_screen(
            grid,
            sources,
            pois=None,
            buildings=None,
            resources=None,
            kinds=None,
            distances=None,
            utm_crs=utm,
            exposed_of=exposed_of,
            sited=sources,
            residents_known=known,
        ).join(
            major_hazard_grades(
                sources, grid, gb18218_table(), utm_crs=utm, exposed_of=exposed_of, residents_known=known
            )
        )
        for exposed_of in (None, kernel)
    ]
    eager, parts = tables
    share = eager["residents_unknown_share"]
    assert ((share > 0) & (share < 1)).sum() >= 5 and (share == 0).sum() >= 5  # bounds and exact counts
    assert (eager["grade"] == NO_DATA).any() and (eager["gb18218_unknown_share"] > 0).any()
    for column in ("residents_unknown_share", "residents_exposed", "gb18218_unknown_share", "gb18218_R"):
        np.testing.assert_allclose(parts[column], eager[column], rtol=1e-12, atol=1e-9)
    for column in ("grade", "factors", "gb18218_grade", "gb18218_basis"):
        assert parts[column].tolist() == eager[column].tolist()


def test_the_hazard_table_in_utm_gives_the_intensity_and_registers_of_the_wgs84_table(wudaokou):
    """The run passes the grades and the registers the hazard table in its UTM zone (projected once,
    :func:`urbanrisk.hazard_table.sources_in_utm`): the same numbers and texts as from WGS84."""
    import geopandas as gpd

    from urbanrisk.hazard_table import sources_in_utm
    from urbanrisk.screens.registers import reaching_texts

    grid, real, utm, _ = wudaokou
    hazards = _with_spread_sources(grid, real, seed=12)
    in_utm = sources_in_utm(hazards, hazards.geometry.to_crs(utm).to_numpy(), utm)
    assert in_utm.crs == utm and set(in_utm.columns) == set(hazards.columns) and len(hazards) > 3
    for eager, again in zip(
        hazard_intensity(grid, hazards, utm_crs=utm), hazard_intensity(grid, in_utm, utm_crs=utm), strict=True
    ):
        pd.testing.assert_series_equal(eager, again, check_exact=True)
    parts = hazard_intensity_by_partition(grid, in_utm, utm_crs=utm, partition_resolution=8)
    pd.testing.assert_series_equal(
        hazard_intensity(grid, hazards, utm_crs=utm)[0], parts[0], check_exact=True
    )
    units = gpd.GeoDataFrame(
        {"id": [f"u{i}" for i in range(0, len(grid), 5)]}, geometry=grid.geometry.iloc[::5].values, crs=4326
    )
    texts = reaching_texts(units, hazards, utm)
    assert (texts["en"] != "").sum() > 3
    pd.testing.assert_frame_equal(texts, reaching_texts(units, in_utm, utm))
