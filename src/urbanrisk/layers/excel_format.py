"""Which Excel format a registry's file holds, from its first bytes (offices rename one as the other), and
what it is when it is no workbook: an HTML page or XML saved as .xls by a web system, text with an Excel
name (:func:`urbanrisk.layers.tabular.rows_from_file`).
"""

from __future__ import annotations

from pathlib import Path

from .._errors import LayerError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls): an OLE2 compound file
ZIP_MAGIC = b"PK\x03\x04"  # Excel 2007+ (.xlsx): a zip archive


def excel_format(path: Path, layer: str) -> str:
    """``xlsx`` or ``xls`` from the file's first bytes (offices rename one as the other), else a LayerError.

    Web systems' "Excel" exports are often an HTML page or tab-separated text saved as .xls: those
    are named as such, with the fix.
    """
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if not head:
        msg = f"layer '{layer}': {path} is empty (0 bytes): export the registry again"
        raise LayerError(msg)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<?xml", b"<head", b"<body")):
        what = 'an HTML page (as web systems\' "Excel" exports often are)'
        if text.startswith(b"<?xml"):
            what = 'an XML document (an "XML Spreadsheet 2003" or a web page)'
        msg = (
            f"layer '{layer}': {path} is {what}, not an Excel workbook: open it in Excel and save it "
            "as .xlsx (Excel Workbook), or as CSV"
        )
        raise LayerError(msg)
    msg = (
        f"layer '{layer}': {path} is not an Excel workbook (it does not begin like an .xls or .xlsx file; "
        "text saved with an Excel name?): if it is CSV or tab-separated text, rename it .csv / .tsv; "
        "else open it in Excel and save it as .xlsx"
    )
    raise LayerError(msg)
