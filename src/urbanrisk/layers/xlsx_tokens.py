"""An .xlsx whose XML holds a token of several megabytes, refused before openpyxl reads it.

This Python's expat (2.5.0) scans a large token again on every chunk it is fed (CVE-2023-52425): a sheet
holding one 200 MB XML comment kept ``urbanrisk validate`` busy past 400 s (1 MB: 0.06 s, 4 MB: 0.76 s
CPU). No spreadsheet program writes a comment, a DTD or a processing instruction into a workbook's
parts, nor a text or attribute of megabytes (a cell holds at most 32,767 characters): such a file is
refused with its fix. The parts are read in chunks of 1 MB (C-speed searches, nothing parsed).

Examples
--------
>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as book:
...     book.writestr("xl/worksheets/sheet1.xml", b"<?xml version='1.0'?><worksheet><!-- x --></worksheet>")
>>> giant_token(buffer)
'xl/worksheets/sheet1.xml'
"""

from __future__ import annotations

import zipfile
from typing import Any

#: the longest text or attribute value a part may hold (bytes between two '<'): far past Excel's own
MAX_TEXT_BYTES = 4_000_000
_CHUNK = 1 << 20


def giant_token(handle: Any) -> str | None:
    """The name of the workbook's first XML part under ``xl/`` (the ones openpyxl reads; ``customXml/``
    may hold SharePoint's processing instructions) holding a comment, a DTD, a CDATA section or a
    processing instruction past its declaration, or more than :data:`MAX_TEXT_BYTES` bytes without a
    ``<``; None when there is none, or when the file is no zip (openpyxl names the damage)."""
    try:
        book = zipfile.ZipFile(handle)
        members = [m for m in book.infolist() if m.filename.startswith("xl/") and m.filename.endswith(".xml")]
        for member in members:
            with book.open(member) as part:
                if _giant(part):
                    return member.filename
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    finally:
        handle.seek(0)
    return None


def _giant(part: Any) -> bool:
    since = 0  # bytes since the last '<'
    tail = b""
    first = True
    while chunk := part.read(_CHUNK):
        data = tail + chunk
        start = data.find(b"?>") + 2 if first else 0  # past the XML declaration
        if b"<!" in data or b"<?" in data[max(start, 0) :]:
            return True
        at = chunk.find(b"<")
        if (since + (at if at >= 0 else len(chunk))) > MAX_TEXT_BYTES:
            return True
        since = since + len(chunk) if at < 0 else len(chunk) - chunk.rfind(b"<") - 1
        tail, first = chunk[-1:], False
    return False
