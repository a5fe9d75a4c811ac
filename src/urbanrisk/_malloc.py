"""glibc's mmap threshold, fixed: the large arrays a stage frees go back to the system.

glibc serves an allocation above its mmap threshold (128 KiB at start) from a mapping of its own,
returned when freed, but raises the threshold to the size of each such block freed (up to 32 MiB):
from then on arrays of that size come from the heap, which keeps what they held once freed (a page
of it still holds a live object). A run of the 32 x 32 metropolis then kept ~0.7 GB more after its
coverage stage (``benchmarks/RESULTS.md``, "32 x 32 memory"). ``mallopt(M_MMAP_THRESHOLD, n)`` fixes
the threshold; every allocation above it then costs a mapping and its page faults (CPU seconds).
"""

from __future__ import annotations

import ctypes
import os
import sys

#: glibc's ``mallopt`` parameter numbers (malloc.h) and its default trim threshold.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, DEFAULT_TRIM_THRESHOLD = -1, -3, 128 * 1024


def fix_mmap_threshold(threshold: int | None) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process; True when set.

    The trim threshold goes back to glibc's default (raised with the mmap threshold, it let the
    heap's free top stay), as with ``MALLOC_MMAP_THRESHOLD_`` set from the start. Nothing is set when
    ``threshold`` is None, off glibc (its ``gnu_get_libc_version`` is missing), or when the
    environment sets the threshold, by ``MALLOC_MMAP_THRESHOLD_`` or ``GLIBC_TUNABLES`` (the user's
    choice wins).
    """
    if threshold is None or not sys.platform.startswith("linux") or _set_by_environment():
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - raises AttributeError on musl and other C libraries
        trim = libc.mallopt(ctypes.c_int(M_TRIM_THRESHOLD), ctypes.c_int(DEFAULT_TRIM_THRESHOLD))
        return bool(trim and libc.mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(int(threshold))))
    except (OSError, AttributeError):
        return False


def _set_by_environment() -> bool:
    """True when the environment fixes glibc's mmap threshold itself."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return "MALLOC_MMAP_THRESHOLD_" in os.environ or "glibc.malloc.mmap_threshold=" in tunables


def trim_heap() -> bool:
    """Give glibc's free heap pages back to the system (``malloc_trim(0)``); True when some were.

    What a stage freed stays in the heap (counted in the resident memory) until an allocation reuses
    it; trimmed, a later stage's allocations map pages anew only as they need them. Off glibc: False.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.malloc_trim(ctypes.c_size_t(0)))
    except (OSError, AttributeError):
        return False


#: Arrow's allocator for a run (``ARROW_DEFAULT_MEMORY_POOL``): the C library's ``malloc``.
ARROW_POOL = "system"


def prefer_system_arrow_pool() -> bool:
    """Ask Arrow for the C library's ``malloc`` rather than the allocator pyarrow bundles (mimalloc
    here), through ``ARROW_DEFAULT_MEMORY_POOL``, unless the environment names a pool (the user's choice
    wins); True when set. Arrow reads it when it first allocates (so ``import urbanrisk`` sets it before
    anything else), worker processes inherit it; :func:`use_system_arrow_pool` mends what it can when
    pyarrow allocated first.

    mimalloc keeps the pages of the buffers a stage frees for its own reuse: a run's driver held ~40-120
    MB more at every size (session 21, ``benchmarks/RESULTS.md``: driver peak 373 -> 291 MB at 16 tiles,
    477-493 -> 368-371 MB at 64, 597-630 -> 510 MB at 256; CPU seconds within their noise), and the write
    stage raised the peak with buffers it had freed.
    """
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return False
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = ARROW_POOL
    return True


def use_system_arrow_pool() -> bool:
    """pyarrow's own default pool made the system's when Arrow started before ``import urbanrisk`` set
    :data:`ARROW_POOL` (a notebook that loaded pyarrow first: Arrow's C++ readers and writers keep the
    pool they started with; pyarrow's conversions follow this one); True when changed."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL") != ARROW_POOL:
        return False  # the user's choice
    import pyarrow as pa

    if pa.default_memory_pool().backend_name == ARROW_POOL:
        return False
    pa.set_memory_pool(pa.system_memory_pool())
    return True
