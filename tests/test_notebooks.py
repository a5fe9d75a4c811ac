"""The example notebooks run from top to bottom on the sample data (nbclient, a real kernel)."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _run(path: Path) -> nbformat.NotebookNode:
    book = nbformat.read(path, as_version=4)
    NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return book


def _outputs(book, kind: str) -> str:
    return "\n".join(
        str(out.get("data", {}).get(kind, out.get("text", "")))
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def test_there_are_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_run_and_explore.ipynb",
        "02_regrade_one_stage.ipynb",
        "03_map_inline.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    book = _run(path)
    text = _outputs(book, "text/plain")
    if path.stem.startswith("01"):
        assert "residents" in text and "五道口" in text
    elif path.stem.startswith("02"):
        assert "quartiles" in text and "stricter" in text
    else:
        html = _outputs(book, "text/html")
        assert "srcdoc=" in html and "createDeck" in html  # the offline page, embedded
        page = html_lib.unescape(html)
        assert not re.search(r"<script[^>]*src=[\"']https?:", page)  # nothing fetched from a CDN
        assert "Layers" in page and "urToggle" in page  # with its legend and layer toggles
