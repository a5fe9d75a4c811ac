"""The command's stdout, quiet once its reader has gone (a closed pipe), and untrusted text made safe
for the analyst's terminal (:func:`visible`)."""

from __future__ import annotations

import contextlib
import os
import re

#: control characters a terminal acts on (C0 but newline and tab, DEL, C1), bidi overrides, embeddings,
#: isolates and marks, and the line / paragraph separators: a registry name holding ``\x1b[2J``, ``\r``
#: or U+202E could clear or rewrite what the analyst reads
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""Text for a terminal, its control characters shown as escapes (ESC -> ``\x1b``): names read
    from registries, OSM, recipes and file names reach the CLI's lines untrusted. Newlines and tabs stay.

    >>> print(visible("A\x1b[2J\rB\u202eC\x07\n医院"))
    A\x1b[2J\rB\u202eC\x07
    医院
    """
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return "\\r" if char == "\r" else f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


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
