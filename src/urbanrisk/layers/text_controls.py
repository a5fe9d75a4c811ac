"""Control characters in untrusted text (NUL, a form feed, ESC, the C1 block): a NUL in an Excel cell or a
GeoPackage field, invisible on screen, stayed in names and ids, went into the CSV and GeoPackage outputs
(a NUL ends a C string: GDAL cut the name there) and made two spellings of one id. Line breaks and tabs
inside a name become a space (a name is one line: 学院路\\n加油站 reads 学院路 加油站); every other
control character (Unicode category Cc) is removed, and the run's notes say how many, where; so are the
bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which made a name show as
other text (an RLO before 'gnp.exe' shows 'exe.png'). Ids and unit codes lose their invisible format
characters too (zero-width space, joiners, word joiner, BOM: :func:`without_invisible`), which made
``A\u200b1`` a second site or unit beside ``A1`` that looked the same; names keep them (a zero-width
non-joiner is a letter's shape in Persian).

Examples
--------
>>> strip_controls("学院路\\x00加油站"), strip_controls("学院路\\r\\n加油站"), strip_controls("H\\x1b1")
('学院路加油站', '学院路 加油站', 'H1')
>>> strip_controls("\\u202egnp.exe"), strip_controls("شارع\\u200f")  # an override removed; RLM kept
('gnp.exe', 'شارع\\u200f')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: every control character (C0, DEL, C1) and the bidirectional embeddings, overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069: 'RLO' made a registry name show as other text in the sheets and pages);
#: line breaks and tabs are replaced by a space, others removed
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n\v\f\r]+")
#: the same, for Arrow's RE2 (pyarrow.compute.replace_substring_regex)
CONTROL_RE2 = r"[\x{00}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
BREAKS_RE2 = r"[\t\n\x{0b}\f\r]+"


#: invisible format characters that make two spellings of one id or code: zero-width space, non-joiner
#: and joiner (U+200B-U+200D), word joiner (U+2060), zero-width no-break space or a BOM inside (U+FEFF)
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")


def without_invisible(text: str) -> str:
    """An id or code without its invisible format characters (:data:`INVISIBLE`), as it looks.

    >>> without_invisible("A\u200b1"), without_invisible("\ufeff110108\u2060")
    ('A1', '110108')
    """
    return INVISIBLE.sub("", text)


def ids_without_invisible(
    ids: list[object], *, layer: str, file: str, where: Callable[[int], str], what: str = "ids"
) -> tuple[list[object], list[str]]:
    """``ids`` (text or other values) without invisible format characters, and the run's note naming
    the rows (``where``: position -> "row 5") that held one; no note when none did."""
    hit = [i for i, v in enumerate(ids) if isinstance(v, str) and INVISIBLE.search(v)]
    if not hit:
        return ids, []
    cleaned = list(ids)
    for i in hit:
        cleaned[i] = without_invisible(str(ids[i]))
    more = f" and {len(hit) - 5} more" if len(hit) > 5 else ""
    listed = ", ".join(where(i) for i in hit[:5]) + more
    note = (
        f"{layer}: removed invisible characters (zero-width space, joiner, BOM) from {len(hit)} of the "
        f"{what} of {file} ({listed}): each {what[:-1]} now reads as it looks; check those cells"
    )
    return cleaned, [note]


def column_without_invisible(
    frame: Any, column: str, *, layer: str, file: str, where: Callable[[int], str]
) -> list[str]:
    """:func:`ids_without_invisible` on ``frame[column]`` (a DataFrame's id column, changed in place;
    nothing when the frame has no such column): the note, or none."""
    if column not in frame.columns:
        return []
    cleaned, said = ids_without_invisible(frame[column].tolist(), layer=layer, file=file, where=where)
    if said:
        frame[column] = cleaned
    return said


def strip_controls(text: str) -> str:
    """``text`` without control characters (a line break or tab: one space); fast when there is none."""
    if text.isprintable():  # no control character (nor a separator other than the space): as is
        return text
    return CONTROL.sub("", _BREAKS.sub(" ", text))


def controls_in(values: list[object]) -> list[int]:
    """The positions of the text values holding a control character."""
    if not CONTROL.search("".join(v for v in values if isinstance(v, str))):  # most columns: one C search
        return []
    return [i for i, v in enumerate(values) if isinstance(v, str) and CONTROL.search(v)]


def frame_without_controls(frame: Any, *, layer: str, file: str, where: Callable[[int], str]) -> list[str]:
    """Strip control characters from every text column of ``frame`` (a DataFrame, changed in place); the
    run's note saying how many and in which rows (``where``: row position -> "row 5"), or none."""
    rows: set[int] = set()
    count = 0
    for column in frame.columns:
        series = frame[column]
        if column == "geometry" or (series.dtype.kind != "O" and str(series.dtype) != "string"):
            continue
        values = series.tolist()
        hit = controls_in(values)
        if not hit:
            continue
        count += sum(len(CONTROL.findall(values[i])) for i in hit)
        rows.update(hit)
        for i in hit:
            values[i] = strip_controls(values[i])
        frame[column] = values
    if not rows:
        return []
    first = sorted(rows)
    more = f" and {len(first) - 5} more" if len(first) > 5 else ""
    listed = ", ".join(where(i) for i in first[:5]) + more
    return [
        f"{layer}: removed {count} control character(s) (NUL, line breaks...) from the text of {file} "
        f"({listed}): check those cells"
    ]
