"""Driver peak memory stage by stage, and what the driver holds after each stage (issue #17).

Each run is a fresh driver process running ``run_recipe`` on ``processes`` with
``compute: {ingest: partitioned}`` (the workers are separate processes: their memory is not the
driver's). A thread samples the driver's resident memory (``/proc/self/statm``) every 20 ms; after
each stage (and each output file) it prints the peak since the previous stage and the memory left.
With ``--census`` it also lists the largest pandas frames alive in the driver after each stage (by
``memory_usage(deep=True)``, geometry columns counted at their coordinates' 16 bytes a point plus
~100 bytes a geometry) with the first columns' names, so that what each stage leaves behind can be
named, beside glibc's heap (in use; freed but kept) and Arrow's pool. ``--trim`` calls glibc's
``malloc_trim(0)`` after each stage (an experiment: what giving freed heap pages back would save).
``--types`` counts the Python objects alive by type (the
strings of lists and tuples too) and names the longest containers. ``--where`` records, at each new
peak within a stage, the stacks of the driver's threads (what the driver was doing when it reached
it). The census costs time of its own: measure the peak without it.

    .venv/bin/python benchmarks/driver_peak.py RECIPE.yaml [--census] [--types] [--where] [--trim]
        [--before OTHER/src] [--rounds 2]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import machine_line

PAGE = resource.getpagesize()


def rss_mb() -> float:
    """Resident memory of this process now, MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


def hwm_mb() -> float:
    """This process's peak RSS (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def _frame_mb(frame) -> float:
    import shapely

    total = 0.0
    for name in frame.columns:
        column = frame[name]
        if str(column.dtype) == "geometry":
            values = column.array._data if hasattr(column.array, "_data") else column.to_numpy()
            total += shapely.get_num_coordinates(values).sum() * 16 + 100 * len(values)
        else:
            total += column.memory_usage(deep=True, index=False)
    return (total + frame.index.memory_usage(deep=True)) / 1e6


def heap() -> str:
    """glibc's heap (mallinfo2: in use, free but kept, mmapped) and Arrow's pool, MB."""
    import ctypes

    import pyarrow as pa

    class Info(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Info
    info = libc.mallinfo2()
    rollup = dict(
        (line.split(":")[0], int(line.split()[1]) / 1024)
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]
    )
    files = rollup["Rss"] - rollup["Anonymous"]
    return (
        f"rss {rollup['Rss']:.0f} MB: anonymous {rollup['Anonymous']:.0f}, files {files:.0f}; "
        f"malloc in use {info.uordblks / 1e6:.0f} MB, free kept {info.fordblks / 1e6:.0f} MB, "
        f"mmapped {info.hblkhd / 1e6:.0f} MB; arrow {pa.total_allocated_bytes() / 1e6:.0f} MB "
        f"({pa.default_memory_pool().backend_name}, max {pa.default_memory_pool().max_memory() / 1e6:.0f})"
    )


def _buffers(frame) -> dict[int, int]:
    """The memory buffers under ``frame``'s columns and index: {address: bytes} (numpy arrays by their
    root base, Arrow arrays by their buffers), so that frames sharing columns (pandas' copy on
    write, views) are counted once."""
    import numpy as np
    import pyarrow as pa

    found: dict[int, int] = {}

    def add(values) -> None:
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
            for chunk in chunks:
                for buffer in chunk.buffers():
                    if buffer is not None:
                        found[buffer.address] = buffer.size
            return
        array = np.asarray(values)
        while isinstance(array.base, np.ndarray):
            array = array.base
        found[array.__array_interface__["data"][0]] = array.nbytes

    for series in [*(frame.iloc[:, i] for i in range(frame.shape[1])), frame.index]:
        array = series.array
        try:
            add(array._pa_array if hasattr(array, "_pa_array") else array.to_numpy())
        except Exception:  # an extension array without either
            continue
    return found


def _every_object() -> list:
    """Every object the collector tracks, after a collection, those frozen by ``gc.freeze()`` included
    (:func:`gc.get_objects` leaves the permanent generation out): unfrozen for the call, frozen again."""
    gc.collect()
    frozen = gc.get_freeze_count()
    if frozen:
        gc.unfreeze()
    try:
        return gc.get_objects()
    finally:
        if frozen:
            gc.freeze()


def census(top: int = 12) -> list[str]:
    """The largest pandas frames alive in this process, one line each (MB, rows, columns), and the
    memory of their buffers counted once (frames sharing columns under copy on write).

    Objects frozen by ``gc.freeze()`` (the write stage runs frozen: ``_gc.frozen_before``) are
    included (:func:`gc.get_objects` leaves the permanent generation out)."""
    import pandas as pd

    objects = _every_object()
    rows, unique = [], {}
    for obj in objects:
        if isinstance(obj, pd.DataFrame) and len(obj) >= 1000:
            try:
                rows.append((_frame_mb(obj), len(obj), list(obj.columns)))
                unique.update(_buffers(obj))
            except Exception:  # a frame in mid-construction
                continue
    del objects
    rows.sort(key=lambda row: -row[0])
    total = sum(row[0] for row in rows)
    lines = [
        f"{mb:7.1f} MB {n:>8,} rows {len(cols)} cols {cols[:8]}{'...' * (len(cols) > 8)}"
        for mb, n, cols in rows[:top]
    ]
    head = (
        f"frames of >= 1,000 rows: {len(rows)}, {total:.0f} MB (views counted again); their buffers counted "
        f"once {sum(unique.values()) / 1e6:.0f} MB (Python objects in object columns and geometries not)"
    )
    return [heap(), head, *lines]


def type_census(top: int = 10) -> list[str]:
    """Python objects alive in this process by type (count, MB by ``sys.getsizeof``; objects the
    collector does not track, as the strings and numbers in lists, tuples and dicts, counted once
    under their own type) and the longest containers (a key tuple of a cache, a list of cells)."""
    from collections import Counter

    objects = _every_object()
    size, count, seen = Counter(), Counter(), set()
    longest = []
    for obj in objects:
        name = type(obj).__name__
        size[name] += sys.getsizeof(obj)
        count[name] += 1
        if isinstance(obj, (list, tuple, dict, set)) and len(obj) >= 10_000:
            first = next(iter(obj), None)
            longest.append((len(obj), name, type(first).__name__, repr(first)[:40]))
    for start in range(0, len(objects), 10_000):
        for ref in gc.get_referents(*objects[start : start + 10_000]):
            if not gc.is_tracked(ref) and id(ref) not in seen:
                seen.add(id(ref))
                name = type(ref).__name__
                if name in ("str", "int", "float", "bytes", "bool", "NoneType"):
                    size[name] += sys.getsizeof(ref)
                    count[name] += 1
    del objects, seen
    lines = [f"{size[n] / 1e6:7.1f} MB {count[n]:>10,} {n}" for n, _ in size.most_common(top)]
    longest.sort(reverse=True)
    lines += [f"  {n:>10,} items: {kind} of {item} ({first})" for n, kind, item, first in longest[:top]]
    return lines


def _stack(frame, depth: int = 8) -> str:
    """The innermost ``depth`` frames of urbanrisk (and the library call they are in) of a stack."""
    import traceback

    if frame is None:
        return ""
    summary = traceback.extract_stack(frame)
    ours = [i for i, f in enumerate(summary) if "/urbanrisk/" in f.filename]
    if not ours:
        return ""
    keep = summary[max(0, ours[-1] - depth + 1) : ours[-1] + 2]
    return " < ".join(f"{Path(f.filename).stem}:{f.lineno} {f.name}" for f in reversed(keep))


def _child(recipe: str, out: str, scheduler: str, what: str) -> None:
    import urbanrisk as ur

    loaded = ur.load_recipe(recipe)
    compute = loaded.compute.model_copy(update={"ingest": "partitioned"})
    loaded = loaded.model_copy(update={"compute": compute})
    state = {"peak": rss_mb(), "since": time.perf_counter(), "where": ""}
    rows: list[dict] = [{"stage": "imports", "s": 0.0, "peak": rss_mb(), "left": rss_mb()}]
    main_thread = threading.get_ident()

    def sample() -> None:
        while True:
            now = rss_mb()
            if now > state["peak"]:
                state["peak"] = now
                if "where" in what:  # the driver's threads' stacks at the stage's new peak (main first)
                    frames = sys._current_frames()
                    others = [
                        f for ident, f in frames.items() if ident not in (main_thread, threading.get_ident())
                    ]
                    stacks = [_stack(f) for f in [frames.get(main_thread), *others]]
                    state["where"] = " || ".join(stack for stack in stacks if stack)
                    # dropped now: a frame held here keeps its locals alive (peak18's census found the
                    # grid stage's 49 partition tables alive after it: build_grid's frame, held here)
                    del frames, others
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()

    def mark(name: str) -> None:
        if "trim" in what:  # what giving the C heap's free pages back would leave (an experiment)
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        now, left = time.perf_counter(), rss_mb()
        seconds, peak = round(now - state["since"], 2), max(state["peak"], left)
        row = {"stage": name, "s": seconds, "peak": peak, "left": left, "where": state["where"]}
        if "census" in what:
            row["census"] = census()
        if "types" in what:
            row["census"] = [*row.get("census", []), *type_census()]
        rows.append(row)
        state["since"], state["peak"], state["where"] = time.perf_counter(), rss_mb(), ""

    start = time.perf_counter()
    result = ur.run_recipe(loaded, scheduler=scheduler, out=out, after_stage=mark)
    hwm = hwm_mb()  # the run's (as the CLI's): a run on processes puts the grid's spooled columns
    # back into result.grid when it is first read (grid_spool.py), a notebook's choice, not the run's
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - start,
                "cells": len(result.grid.index),
                "hwm_mb": hwm,
                "hwm_full_mb": hwm_mb(),  # once result.grid is whole again (as the CLI's summary reads it)
                "rows": rows,
            }
        )
    )


def _run(recipe: str, scheduler: str, what: str, src: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, __file__, "--child", recipe, tmp, scheduler, what]
        env = dict(os.environ, PYTHONPATH=src or str(Path(__file__).resolve().parents[1] / "src"))
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:6])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe")
    parser.add_argument("--scheduler", default="processes")
    parser.add_argument("--census", action="store_true", help="the largest frames alive after each stage")
    parser.add_argument("--where", action="store_true", help="the stack at each stage's peak")
    parser.add_argument("--types", action="store_true", help="Python objects by type after each stage")
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) after each stage (experiment)")
    parser.add_argument("--before", help="another tree's src/: each run also with it, alternating")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    flags = ["census"] * args.census + ["types"] * args.types + ["trim"] * args.trim + ["where"] * args.where
    what = ",".join(flags) or "plain"
    print(machine_line())
    trees = [("", None)] if args.before is None else [("before", args.before), ("after", None)]
    for round_ in range(args.rounds):
        for label, src in trees:
            load = os.getloadavg()[0]
            got = _run(str(Path(args.recipe).resolve()), args.scheduler, what, src)
            print(
                f"\n## {label or 'run'} {round_ + 1}: {got['cells']:,} cells, {got['wall_s']:.1f} s, "
                f"driver VmHWM {got['hwm_mb']:,.0f} MB, {got.get('hwm_full_mb', 0):,.0f} MB with "
                f"result.grid read (load {load:.1f} at start)"
            )
            print("| after | s | peak MB | left MB |\n|---|---|---|---|")
            for row in got["rows"]:
                print(f"| {row['stage']} | {row['s']:.1f} | {row['peak']:,.0f} | {row['left']:,.0f} |")
            for row in got["rows"]:
                if row.get("where"):
                    print(f"peak of {row['stage']} at: {row['where']}")
            for row in got["rows"]:
                if row.get("census"):
                    print(f"\ncensus after {row['stage']}:")
                    print("\n".join("  " + line for line in row["census"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
