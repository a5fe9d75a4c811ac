"""Control characters in untrusted text (NUL, a form feed, ESC, the C1 block): a NUL in an Excel cell or a
GeoPackage field, invisible on screen, stayed in names and ids, went into the CSV and GeoPackage outputs
(a NUL ends a C string: GDAL cut the name there) and made two spellings of one id. Line breaks and tabs
inside a name become a space (a name is one line: 学院路\\n加油站 reads 学院路 加油站); every other
control character (Unicode category Cc) is removed, and the run's notes say how many, where; so are the
bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which made a name show as
other text (an RLO before 'gnp.exe' shows 'exe.png').

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
