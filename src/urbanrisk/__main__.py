"""``python -m urbanrisk``: the ``urbanrisk`` command, with its exit codes (see :mod:`urbanrisk.cli`)."""

from __future__ import annotations

from .cli_entry import command

if __name__ == "__main__":
    command()
