"""``python -m urbanrisk``: the ``urbanrisk`` command, with its exit codes (see :mod:`urbanrisk.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
