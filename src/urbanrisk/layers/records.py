"""Response records: a CSV of recorded emergency responses (``urbanrisk calibrate --records``).

Columns: ``lon``, ``lat`` (WGS84, where the unit arrived), ``seconds`` (from call to arrival);
optional ``station`` (id or name of the resource that responded) and ``turnout_s`` (the record's own
time from call to wheels rolling). A file without a required column is refused; a row that cannot
be used is set aside with its reason and line number (:class:`Rejections`), never silently used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputError

REQUIRED = ("lon", "lat", "seconds")
OPTIONAL = ("station", "turnout_s")
#: Examples kept per rejection reason in the report and the command's output.
EXAMPLES = 5


class Rejections:
    """Records set aside, by reason, with a few examples each (file line numbers)."""

    def __init__(self) -> None:
        self.by_reason: dict[str, dict[str, Any]] = {}

    def add(self, reason: str, rows: pd.DataFrame, detail: list[str] | None = None) -> None:
        if not len(rows):
            return
        entry = self.by_reason.setdefault(reason, {"count": 0, "examples": []})
        entry["count"] += len(rows)
        room = EXAMPLES - len(entry["examples"])
        for i, (_, row) in enumerate(rows.head(max(room, 0)).iterrows()):
            example = {"line": int(row["line"])}
            for column in (*REQUIRED, *OPTIONAL):
                if column in row:
                    value = row[column]
                    example[column] = None if isinstance(value, float) and np.isnan(value) else value
            if detail is not None:
                example["detail"] = detail[i]
            entry["examples"].append(example)

    @property
    def count(self) -> int:
        return sum(e["count"] for e in self.by_reason.values())


def records_from_csv(path: str | Path, rejections: Rejections) -> pd.DataFrame:
    """The records with numeric ``lon``, ``lat``, ``seconds`` (> 0), ``turnout_s`` (NaN: not given)
    and ``station`` ("" : nearest); every other row goes to ``rejections``.

    Raises
    ------
    InputError
        When the file cannot be read or lacks a required column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        msg = f"cannot read records file {path}: {exc}"
        raise InputError(msg) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    for column in REQUIRED:
        if column not in raw.columns:
            msg = (
                f"records file {path} has no column '{column}' (it has {list(raw.columns)}): a records "
                f"file needs {', '.join(REQUIRED)} (seconds from call to arrival); optional: "
                f"{', '.join(OPTIONAL)}"
            )
            raise InputError(msg)
    raw = raw.assign(line=np.arange(len(raw)) + 2)  # line 1 is the header
    numbers = {}
    for column in (*REQUIRED, "turnout_s"):
        text = raw[column].str.strip() if column in raw else pd.Series("", index=raw.index)
        numbers[column] = (text, pd.to_numeric(text, errors="coerce"))
    keep = np.ones(len(raw), dtype=bool)

    def reject(reason: str, bad: np.ndarray) -> None:
        nonlocal keep
        bad = bad & keep
        rejections.add(reason, raw[bad])
        keep &= ~bad

    for column in REQUIRED:
        text, value = numbers[column]
        missing = text.str.lower().isin(["", "nan", "na", "null", "none"]).to_numpy()
        reject(f"{column} missing or NaN", missing)
        reject(f"{column} not a number", value.isna().to_numpy())
        reject(f"{column} not finite", ~np.isfinite(value.to_numpy(dtype=float)))
    lon, lat = numbers["lon"][1].to_numpy(dtype=float), numbers["lat"][1].to_numpy(dtype=float)
    seconds = numbers["seconds"][1].to_numpy(dtype=float)
    reject("lon/lat out of range", (np.abs(lon) > 180) | (np.abs(lat) > 90))
    reject("seconds <= 0", seconds <= 0)
    text, turnout = numbers["turnout_s"]
    given = (text != "").to_numpy()
    t = turnout.to_numpy(dtype=float)
    reject("turnout_s not a number", given & ~np.isfinite(t))
    reject("turnout_s < 0 or >= seconds", given & ((t < 0) | (t >= seconds)))
    station = raw["station"].str.strip() if "station" in raw else pd.Series("", index=raw.index)
    return pd.DataFrame(
        {
            "line": raw["line"].to_numpy(),
            "lon": lon,
            "lat": lat,
            "seconds": seconds,
            "turnout_s": np.where(given, t, np.nan),
            "station": station.to_numpy(dtype=object),
        }
    )[keep].reset_index(drop=True)
