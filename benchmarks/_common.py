"""What the benchmark scripts share: where the sample extract is, and the machine line they print."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the real extract the synthetic metropolis is tiled from
WUDAOKOU_OSM = ROOT / "layers" / "beijing-wudaokou" / "wudaokou_2017.osm"


def machine() -> str:
    """Host, cores, Python and architecture, e.g. ``vm · 2 cores · Python 3.11.7 · x86_64``."""
    python = platform.python_version()
    return f"{platform.node()} · {os.cpu_count()} cores · Python {python} · {platform.machine()}"


def machine_line() -> str:
    """The first line every benchmark prints: the machine and the time of the run (UTC)."""
    return f"machine: {machine()} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
