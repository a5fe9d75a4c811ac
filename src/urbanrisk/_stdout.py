"""The command's stdout, quiet once its reader has gone (a closed pipe)."""

from __future__ import annotations

import contextlib
import os


class QuietWhenGone:
    """stdout that goes quiet when its reader has gone (``urbanrisk run R | head -1``): the command
    finishes its work and returns its own exit code, instead of a BrokenPipeError traceback (exit 1)."""

    def __init__(self, stream: object) -> None:
        self.stream, self.gone = stream, False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.gone = True
        with contextlib.suppress(OSError, ValueError):  # nothing left to flush at exit either
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)
