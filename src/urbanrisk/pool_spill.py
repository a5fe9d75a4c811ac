"""Tasks and results to and from the kept pool's worker processes through files past a size.

Dask's ``processes`` scheduler pickles each task into bytes (``func_dumps``), which the pool pickles
again into its pipe, and the worker's result likewise back: the receiver holds a large result two or
three times over (the pipe's buffer, its copy, the inner bytes) beside the objects it makes, and the
sender twice (32 x 32 metropolis: the coverage task's ~170 MB back, the grid's ~80 MB, the coverage's
~60 MB to the worker). :func:`spill_dumps` streams a pickle past :data:`SPILL_BYTES` into a file of
the computation's folder instead, and the bytes travelling are its path; :func:`spill_loads` reads the
file straight into its objects and removes it. The computation removes its folder
(:func:`urbanrisk.parallel.map_partitions`), with any file a task that never ran left there.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import tempfile
from typing import Any

import cloudpickle

#: A task's or a result's pickle larger than this goes through a file (bytes).
SPILL_BYTES = 4 << 20

_IN_MEMORY, _IN_FILE = b"m", b"f"


class _Spill(io.RawIOBase):
    """What a pickler writes: memory up to ``limit`` bytes, then a new file in ``folder``."""

    def __init__(self, folder: str, limit: int) -> None:
        super().__init__()
        self.folder, self.limit = folder, limit
        self.memory: io.BytesIO | None = io.BytesIO()
        self.file: Any = None
        self.path = ""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.memory is not None and self.memory.tell() + memoryview(data).nbytes > self.limit:
            handle, self.path = tempfile.mkstemp(prefix="urbanrisk-pool-", suffix=".pickle", dir=self.folder)
            self.file = os.fdopen(handle, "wb")
            self.file.write(self.memory.getbuffer())
            self.memory = None
        return (self.memory if self.memory is not None else self.file).write(data)


def spill_dumps(value: Any, folder: str, limit: int | None = None) -> bytes:
    """``value`` pickled (cloudpickle, protocol 5): the pickle itself up to ``limit`` bytes (None:
    :data:`SPILL_BYTES`), else the path of the file in ``folder`` it was written to.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     small, large = spill_dumps([1, 2], folder), spill_dumps(bytes(100), folder, limit=10)
    ...     (spill_loads(small), spill_loads(large) == bytes(100), os.listdir(folder))
    ([1, 2], True, [])
    """
    spill = _Spill(folder, SPILL_BYTES if limit is None else limit)
    try:
        cloudpickle.dump(value, spill, protocol=5)
    except BaseException:
        if spill.file is not None:
            spill.file.close()
            os.unlink(spill.path)
        raise
    if spill.memory is not None:
        return _IN_MEMORY + spill.memory.getvalue()
    spill.file.close()
    return _IN_FILE + os.fsencode(spill.path)


def spill_loads(data: bytes) -> Any:
    """What :func:`spill_dumps` made of a value; its file, if any, removed once read."""
    if data[:1] == _IN_MEMORY:
        return pickle.loads(memoryview(data)[1:])
    path = os.fsdecode(data[1:])
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
