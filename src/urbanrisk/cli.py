"""The ``urbanrisk`` command line.

Exit codes (for schedulers):

- 0: success (``rescan``: and no escalation at or above the alert grade);
- 3: ``rescan`` only: escalations found (listed in the run's ``alerts.json``);
- 2: bad input: a recipe that does not validate, a layer that cannot be read, an absurd grid;
- 75: another run of the same recipe is in progress (EX_TEMPFAIL: try again later);
- 130 / 143: interrupted (Ctrl-C) / terminated (SIGTERM); the last complete run is untouched;
- 1: internal error (a bug: please report it with the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from ._errors import InputError, LayerError, RecipeError, RunLockedError
from ._gc import collection_paused
from ._stdout import QuietWhenGone, visible
from .cli_disk import disk_message, output_dir
from .cli_parser import build_parser

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_ESCALATION, EXIT_LOCKED = 0, 1, 2, 3, 75
EXIT_TERMINATED = 143  # 128 + SIGTERM
#: Crash tests only: after writing this file of a run, sleep so that a test can kill the process.
PAUSE_ENV = "URBANRISK_PAUSE_AFTER"
log = logging.getLogger("urbanrisk")
log.addHandler(logging.NullHandler())  # messages reach the terminal once, by print; --log-file adds a file


def _show(text: str, *, file: object = None, flush: bool = False) -> None:
    """Print a line for the terminal: every line of the CLI carries untrusted names (registries', OSM's,
    file names), their control characters made visible (:func:`urbanrisk._stdout.visible`)."""
    print(visible(text), file=file, flush=flush)


def _say(args: argparse.Namespace, text: str) -> None:
    """Print unless --quiet, and log to --log-file when given."""
    if not getattr(args, "quiet", False):
        _show(text, flush=True)
    log.info(visible(text))


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars on a terminal only: a log file (a nightly rescan's) gets no carriage-return spam
    (a 32 x 32 run wrote 427 bar updates into its log)."""
    return not args.quiet and sys.stdout.isatty()


def _pause_hook():
    target = os.environ.get(PAUSE_ENV)
    if not target:
        return None

    def pause(name: str) -> None:
        if name == target:
            time.sleep(120)

    return pause


def _rescan(args: argparse.Namespace) -> int:
    from .cli_lines import rescan_lines
    from .rescan import rescan

    start = time.perf_counter()
    result = rescan(
        args.recipe,
        out=args.out,
        scheduler=args.scheduler,
        alert_grade=args.alert_grade,
        after_file=_pause_hook(),
    )
    seconds = time.perf_counter() - start
    for line in rescan_lines(result, args.recipe, seconds, _language(args)):
        _say(args, line)
    return EXIT_ESCALATION if result.changes.alerts else EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from .cli_lines import history_lines
    from .lifecycle import latest_run
    from .recipe import load_recipe

    recipe = load_recipe(args.recipe)
    out_dir = Path(args.out) if args.out else Path(recipe.outputs.dir)
    latest = latest_run(out_dir, recipe.name)
    for line in history_lines(out_dir, recipe.name, latest, recipe.report.language):
        _show(line)
    return EXIT_OK


def _synth(args: argparse.Namespace) -> int:
    from .synth import synth_metro, synth_raster

    if args.raster is not None:
        if args.source is not None:
            msg = "give either --source (an OSM extract) or --raster (a population GeoTIFF), not both"
            raise InputError(msg)
        if not args.raster.is_file():
            msg = f"raster not found: {args.raster}"
            raise InputError(msg)
        tif, recipe = synth_raster(args.raster, args.tiles, args.out, resolution=args.resolution or 8)
        _show(f"wrote {tif} ({tif.stat().st_size / 1e6:.1f} MB) and {recipe}")
        return EXIT_OK
    source = (
        args.source
        or Path(__file__).resolve().parents[2] / "layers" / "beijing-wudaokou" / "wudaokou_2017.osm"
    )
    if not source.is_file():
        msg = f"source extract not found: {source}; give one with --source"
        raise InputError(msg)
    pbf, recipe = synth_metro(source, args.tiles, args.out, resolution=args.resolution or 10)
    _show(f"wrote {pbf} ({pbf.stat().st_size / 1e6:.1f} MB) and {recipe}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from .cli_lines import diff_lines
    from .rescan import compared

    for folder in (args.run_a, args.run_b):
        if not (folder / "manifest.json").is_file():
            msg = f"{folder} is not a complete run folder (no manifest.json)"
            raise InputError(msg)
    changes, why = compared(args.run_a, args.run_b, alert_grade=args.alert_grade)
    if why is not None:  # a damaged run folder (a table cut short, not Parquet): was a traceback
        msg = f"cannot compare {args.run_a} with {args.run_b}: a table of theirs cannot be read ({why})"
        raise InputError(msg)
    for line in diff_lines(args.run_a, args.run_b, changes, _language(args)):
        _show(line)
    return EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from .calibrate import calibrate, summary_lines, write_calibration

    if not args.records.is_file():
        msg = f"records file not found: {args.records}"
        raise InputError(msg)
    _show(f"urbanrisk calibrate {args.recipe} with {args.records}", flush=True)
    calibration = calibrate(
        args.recipe,
        args.records,
        by=args.by,
        fit_delay=not args.no_delay,
        holdout=args.holdout,
        seed=args.seed,
        min_records=args.min_records,
        kind=args.kind,
        loss=args.loss,
    )
    table, report = write_calibration(calibration, args.out)
    for line in summary_lines(calibration, table, report):
        _show(line)
    return EXIT_OK


def _incident(args: argparse.Namespace) -> int:
    from .incident import answer_incident
    from .recipe.paths import cannot_write, runs_holding

    probe = args.out  # a file or a device on the way: FileExistsError after the answer (a traceback)
    while probe is not None and not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe is not None and not probe.is_dir():
        msg = f"--out {args.out}: {probe} is a file, not a folder: give a folder for the incident's files"
        raise InputError(msg)
    if probe is not None and (problem := cannot_write(probe)):  # /proc/self: a traceback after the answer
        raise InputError(problem)
    if args.out is not None and (runs := runs_holding(Path(os.path.realpath(args.out)))):
        msg = (  # it wrote into the run folder `latest` leads to
            f"--out {args.out}: {runs} holds the runs of {runs.parent}, each "
            "kept as the run wrote it: give --out a folder outside it (by default the answer goes to "
            "<outputs.dir>/incidents/)"
        )
        raise InputError(msg)
    start = time.perf_counter()
    result = answer_incident(
        args.recipe,
        at=args.at,
        kind=args.kind,
        coords=args.coords,
        radius=args.radius,
        runs=args.runs,
        out=args.out,
    )
    from .cli_lines import incident_lines, translator_for

    for line in incident_lines(result, args.kind):
        _show(line)
    _show(
        translator_for(result.language)("done in {seconds} s", seconds=f"{time.perf_counter() - start:.1f}")
    )
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from .layers.tabular import read_once

    with read_once(every_read=True):  # each registry parsed once for all of validate's checks
        return _validated(args)


def _validated(args: argparse.Namespace) -> int:
    from .cli_lines import validate_line
    from .coarse_grid import coarse_coverage_warning
    from .hazard_defaults import unlisted_kinds_warning
    from .osm_check import osm_file_problems
    from .preflight import check_layers, load_checked, raster_density_notes, sized_job
    from .preflight_datum import datum_warnings
    from .preflight_units import registry_unit_warnings

    # a missing file is listed with the other layers' problems; OSM extracts are read through (light)
    recipe = load_checked(args.recipe, deeper=osm_file_problems)
    check_layers(recipe, deeper=osm_file_problems)  # every layer's header: columns, encoding, kinds, CRS
    cells, box = sized_job(recipe)  # {layer: osm}: the header box, an upper bound (refused: the footprint)
    language = recipe.report.language
    warnings = datum_warnings(recipe)  # registries that look like GCJ-02 / BD-09 (exit 0: said, not refused)
    warnings += raster_density_notes(recipe)  # places denser than the world's most crowded districts
    warnings += registry_unit_warnings(recipe)  # a registry's 社区 other than where its point lies
    if any(spec.type == "osm" for spec in recipe.layers.values()):  # streets: coverage will be computed
        warnings += [w for w in [coarse_coverage_warning(recipe.grid.resolution)] if w]
        warnings += [w for w in [unlisted_kinds_warning(recipe)] if w]  # radius and severity assumed
    _show(
        validate_line(args.recipe, len(recipe.layers), recipe.grid.resolution, cells, language, warnings, box)
    )
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from .batch import run_batch
    from .cli_lines import batch_lines, translator_for

    if args.out is not None:
        msg = "--out takes one recipe; a batch writes each recipe to its own outputs.dir"
        raise InputError(msg)
    start = time.perf_counter()
    t = translator_for(_language(args))  # Chinese when every recipe of the batch says zh
    _say(args, t("urbanrisk: running {n} recipes as one Dask graph", n=len(args.recipe)))
    folders = run_batch(args.recipe, scheduler=args.scheduler, force=args.force, progress=_progress(args))
    for recipe, folder in zip(args.recipe, folders, strict=True):
        for line in batch_lines(recipe, folder, _language(args)):  # each run's warnings, as a run says them
            _say(args, line)
    _say(args, t("done in {seconds} s", seconds=f"{time.perf_counter() - start:.1f}"))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    with collection_paused():  # a run's imports make ~120k objects and no garbage (0.1 s of collections)
        from .cli_lines import language_of, run_lines, translator_for
        from .run import run_recipe

    if len(args.recipe) > 1:
        return _batch(args)
    args.recipe = args.recipe[0]
    start = time.perf_counter()
    if not args.quiet:
        say = translator_for(language_of(args.recipe))
        _show(say("urbanrisk: running {recipe}", recipe=args.recipe), flush=True)
    result = run_recipe(
        args.recipe, out=args.out, scheduler=args.scheduler, force=args.force, progress=_progress(args)
    )
    if args.quiet:
        return EXIT_OK
    for line in run_lines(result):
        _show(line)
    say = translator_for(getattr(getattr(result.recipe, "report", None), "language", None) or "en")
    _show(say("done in {seconds} s", seconds=f"{time.perf_counter() - start:.1f}"))
    return EXIT_OK


def _language(args: argparse.Namespace) -> str:
    """The language the command speaks: its recipe's report language (a batch's when all agree), a
    diff's newer run's (the recipe stored with it), else English."""
    from .cli_lines import language_of, run_language

    recipes = getattr(args, "recipe", None)
    if args.command == "diff":
        return run_language(args.run_b)
    if recipes is None or args.command in ("synth", "calibrate"):
        return "en"
    found = {language_of(r) for r in (recipes if isinstance(recipes, list) else [recipes])}
    return found.pop() if len(found) == 1 else "en"


def _untouched(args: argparse.Namespace, exc: RecipeError) -> str:
    """After the layers' problems a run found (not the recipe's own): the last run still stands
    (said only where there is one: a recipe's first run has none)."""
    if isinstance(exc, LayerError) and args.command in ("run", "rescan") and _has_last_run(args):
        return "\n  (the last complete run is untouched)"
    return ""


def _has_last_run(args: argparse.Namespace) -> bool:
    """Whether the output folder holds a complete run (True when the folder cannot be told)."""
    folder = output_dir(args) if not isinstance(getattr(args, "recipe", None), list) else None
    return folder is None or (folder / "latest").exists()


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's or a container's stop), handled like Ctrl-C."""


#: Set when SIGTERM arrived: a library that turns the handler's exception into its own error
#: (pyogrio's Arrow stream: "Error while accessing batch from stream") is still a stop, not a crash.
_SIGTERM_SEEN = {"now": False}


def _on_sigterm(signum: int, frame: object) -> None:
    _SIGTERM_SEEN["now"] = True
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``urbanrisk`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    stdout = sys.stdout
    sys.stdout = QuietWhenGone(stdout)
    _SIGTERM_SEEN["now"] = False
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _on_sigterm)
    log.setLevel(logging.INFO)
    handler = None
    if getattr(args, "log_file", None):
        try:  # a folder, a missing folder or a read-only file: was a traceback
            handler = logging.FileHandler(args.log_file, encoding="utf-8")
        except OSError as exc:
            _error(f"urbanrisk: error: --log-file {args.log_file}: {exc.strerror}: give a file you can write")
            return EXIT_INPUT
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    try:
        commands = {
            "validate": _validate,
            "run": _run,
            "rescan": _rescan,
            "history": _history,
            "diff": _diff,
            "synth": _synth,
            "calibrate": _calibrate,
            "incident": _incident,
        }
        return commands[args.command](args)
    except RecipeError as exc:
        _error(f"urbanrisk: {exc}{_untouched(args, exc)}", args)
        return EXIT_INPUT
    except InputError as exc:
        last = args.command in ("run", "rescan") and _has_last_run(args)  # never for validate, history...
        untouched = " (the last complete run is untouched)" if last else ""
        _error(f"urbanrisk: error: {exc}{untouched}", args)
        return EXIT_INPUT
    except RunLockedError as exc:
        _error(f"urbanrisk: {exc}", args)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        if not _SIGTERM_SEEN["now"]:
            _error("urbanrisk: interrupted; the last complete run is untouched", args)
            return 130
        _error("urbanrisk: terminated (SIGTERM); the last complete run is untouched", args)
        return EXIT_TERMINATED
    except Exception as exc:
        if _SIGTERM_SEEN["now"]:  # the stop, reworded by a library on its way out
            _error("urbanrisk: terminated (SIGTERM); the last complete run is untouched", args)
            return EXIT_TERMINATED
        message = disk_message(args, exc)
        if message is not None:
            _error(message, args)
            return EXIT_INPUT
        _show(traceback.format_exc().rstrip("\n"), file=sys.stderr)
        _error("urbanrisk: internal error (exit 1): please report it with the traceback above", args)
        log.exception("internal error")
        return EXIT_INTERNAL
    finally:
        sys.stdout = stdout
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if handler is not None:
            log.removeHandler(handler)
            handler.close()


def _error(text: str, args: argparse.Namespace | None = None) -> None:
    """An error on stderr (and in --log-file), in the language of the command's recipe (``args``)."""
    if args is not None:  # incident's too: its recipe's language (they were English under zh)
        with contextlib.suppress(Exception):  # a message in English rather than none
            from .cli_lines import error_text

            text = error_text(text, _language(args))
    _show(text, file=sys.stderr)
    log.error(visible(text))


if __name__ == "__main__":
    sys.exit(main())
