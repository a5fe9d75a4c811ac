"""The ``urbanrisk`` command line's arguments: every subcommand and its options, in one parser."""

from __future__ import annotations

import argparse
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``urbanrisk`` subcommand and its options."""
    parser = argparse.ArgumentParser(
        prog="urbanrisk",
        description="Screen a city's open data for urban risk on an H3 grid.",
        epilog="Exit codes: 0 ok, 3 escalations (rescan), 2 bad recipe or input, 75 already running, "
        "130/143 interrupted (Ctrl-C/SIGTERM, the last good run untouched), 1 internal error.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a recipe and report every problem at once")
    validate.add_argument("recipe", type=Path)
    run = sub.add_parser(
        "run", help="run a recipe and write a run folder (several recipes: one Dask graph, a folder each)"
    )
    run.add_argument("recipe", type=Path, nargs="+")
    run.add_argument(
        "--out", type=Path, default=None, help="output folder (replaces the recipe's outputs.dir)"
    )
    run.add_argument(
        "--scheduler",
        default=None,
        help="synchronous | threads | processes | tcp://host:port (default: recipe, else threads)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run even when the grid exceeds the cell limit or the memory available",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bars; errors only")
    run.add_argument("--log-file", type=Path, default=None, help="also append messages to this file")
    rescan = sub.add_parser("rescan", help="run again, reuse what did not change, report what did (for cron)")
    rescan.add_argument("recipe", type=Path)
    rescan.add_argument("--out", type=Path, default=None, help="output folder (replaces outputs.dir)")
    rescan.add_argument("--scheduler", default=None, help="as for run")
    rescan.add_argument(
        "--alert-grade",
        choices=["I", "II", "III", "IV"],
        default=None,
        help="escalations to this grade or worse alert (exit 3); default: outputs.alert_grade",
    )
    rescan.add_argument("--quiet", action="store_true", help="no output but errors")
    rescan.add_argument("--log-file", type=Path, default=None, help="also append messages to this file")
    history = sub.add_parser("history", help="list the runs of a recipe with their status and counts")
    history.add_argument("recipe", type=Path)
    history.add_argument("--out", type=Path, default=None)
    synth = sub.add_parser("synth", help="tile a real extract into an N x N metropolis (scale tests)")
    synth.add_argument("--tiles", type=int, required=True, help="N: the metropolis is N x N tiles")
    synth.add_argument("--source", type=Path, default=None, help="OSM extract (default: the Wudaokou sample)")
    synth.add_argument(
        "--raster",
        type=Path,
        default=None,
        help="tile this population GeoTIFF instead (a raster city; --resolution defaults to 8)",
    )
    synth.add_argument(
        "--out", type=Path, default=Path("outputs/synth"), help="folder for the .pbf and recipe"
    )
    synth.add_argument(
        "--resolution", type=int, default=None, help="H3 resolution (default 10; 8 with --raster)"
    )
    calibrate = sub.add_parser(
        "calibrate", help="fit driving speeds and a fixed delay to recorded response times"
    )
    calibrate.add_argument("recipe", type=Path)
    calibrate.add_argument(
        "--records",
        type=Path,
        required=True,
        help="CSV: lon, lat, seconds (call to arrival); station, turnout_s",
    )
    calibrate.add_argument("--out", type=Path, required=True, help="speeds table to write (CSV)")
    calibrate.add_argument(
        "--by", choices=["class", "global"], default="class", help="a factor per road class, or one for all"
    )
    calibrate.add_argument("--no-delay", action="store_true", help="fit speeds only; keep the turnout")
    calibrate.add_argument("--holdout", type=float, default=0.25, help="share of records held out (0.25)")
    calibrate.add_argument("--seed", type=int, default=0, help="seed of the held-out split (0)")
    calibrate.add_argument(
        "--min-records", type=int, default=30, help="records a class needs for a factor of its own (30)"
    )
    calibrate.add_argument("--kind", default="fire_station", help="resource kind of the stations")
    calibrate.add_argument("--loss", choices=["soft_l1", "huber", "cauchy", "linear"], default="soft_l1")
    incident = sub.add_parser(
        "incident", help="answer an incident from the latest run: people per ring, resources, shelters"
    )
    incident.add_argument("recipe", type=Path)
    incident.add_argument("--at", required=True, help="the incident's point as LON,LAT")
    incident.add_argument(
        "--coords", default="wgs84", choices=["wgs84", "gcj02", "bd09"], help="coordinate system of --at"
    )
    incident.add_argument("--kind", required=True, help="gas_leak, chemical_spill, explosion, fire, ...")
    incident.add_argument(
        "--radius", type=float, default=None, help="metres to evacuate (default: the kind's)"
    )
    incident.add_argument(
        "--runs", type=Path, default=None, help="the recipe's outputs folder (as run --out)"
    )
    incident.add_argument("--out", type=Path, default=None, help="folder for incident.html/.json/.geojson")
    diff = sub.add_parser("diff", help="compare two run folders")
    diff.add_argument("run_a", type=Path)
    diff.add_argument("run_b", type=Path)
    diff.add_argument("--alert-grade", choices=["I", "II", "III", "IV"], default="II")
    return parser
