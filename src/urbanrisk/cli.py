"""The ``urbanrisk`` command line.

Exit codes (for schedulers):

- 0: success;
- 2: bad input: a recipe that does not validate, a layer that cannot be read, an absurd grid;
- 75: another run of the same recipe is in progress (EX_TEMPFAIL: try again later);
- 1: internal error (a bug: please report it with the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path

from ._errors import InputError, RecipeError, RunLockedError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_LOCKED = 0, 1, 2, 75


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="urbanrisk",
        description="Screen a city's open data for urban risk on an H3 grid.",
        epilog="Exit codes: 0 ok, 2 bad recipe or input, 75 already running, 1 internal error.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a recipe and report every problem at once")
    validate.add_argument("recipe", type=Path)
    run = sub.add_parser("run", help="run a recipe and write a run folder")
    run.add_argument("recipe", type=Path)
    run.add_argument(
        "--out", type=Path, default=None, help="output folder (replaces the recipe's outputs.dir)"
    )
    run.add_argument(
        "--scheduler",
        default=None,
        help="synchronous | threads | processes | tcp://host:port (default: recipe, else threads)",
    )
    run.add_argument("--force", action="store_true", help="run even when the grid exceeds the cell limit")
    run.add_argument("--quiet", action="store_true", help="no progress bars; errors only")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from .grid import check_job
    from .pipeline import area_bounds_hint
    from .recipe import load_recipe

    recipe = load_recipe(args.recipe)
    bounds = area_bounds_hint(recipe)
    estimate = ""
    if bounds is not None:
        from shapely.geometry import box

        cells = check_job(box(*bounds), recipe.grid.resolution, force=recipe.grid.force)
        estimate = f", about {cells:,} cells"
    resolution = recipe.grid.resolution
    print(f"{args.recipe}: ok ({len(recipe.layers)} layers, H3 resolution {resolution}{estimate})")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from .pipeline import run_recipe

    start = time.perf_counter()
    if not args.quiet:
        print(f"urbanrisk: running {args.recipe}", flush=True)
    result = run_recipe(
        args.recipe, out=args.out, scheduler=args.scheduler, force=args.force, progress=not args.quiet
    )
    if args.quiet:
        return EXIT_OK
    grid = result.grid
    run_dir = result.run_dir
    assert run_dir is not None
    latest = run_dir.parent.parent / "latest"
    print(f"  cells: {len(grid):,} at H3 resolution {result.recipe.grid.resolution}")
    print(f"  residents: {grid['residents'].sum():,.0f} ({result.layers.population_source})")
    print(
        f"  buildings: {int(grid['buildings'].sum()):,} · crowd places: {int(grid['crowd_places'].sum()):,}"
    )
    if "grade" in grid.columns:
        counts = grid["grade"].value_counts()
        grades = ", ".join(f"{g} {int(counts.get(g, 0)):,}" for g in ("I", "II", "III", "IV"))
        print(f"  grades (cells): {grades}")
    statuses = {}
    if result.screens is not None:
        statuses.update(result.screens.status)
    if result.coverage is not None:
        statuses.update({f"coverage {k}": v for k, v in result.coverage.status.items()})
    for name, text in statuses.items():
        print(f"  {name}: {text}")
    for note in result.notes:
        print(f"  note: {note}")
    print("  stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
    print(f"  run folder: {run_dir}")
    print(f"  latest:     {latest}")
    print(f"  map:        {latest / 'map.html'}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``urbanrisk`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        if args.command == "validate":
            return _validate(args)
        return _run(args)
    except RecipeError as exc:
        print(f"urbanrisk: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except InputError as exc:
        print(f"urbanrisk: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except RunLockedError as exc:
        print(f"urbanrisk: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        print("urbanrisk: interrupted; the last complete run is untouched", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "urbanrisk: internal error (exit 1): please report it with the traceback above", file=sys.stderr
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
