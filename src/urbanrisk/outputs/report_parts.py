"""The report's building blocks: its print-ready CSS, escaped tables, grade badges and SVG bar charts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..result import CLASS_COLOURS
from .html import escape_text
from .i18n_exposure import lower_bound

MAX_ROWS = 12
#: a major section with fewer table rows than this prints on the page of the section before it
SHORT_SECTION_ROWS = 10

CSS = """
body { font: 13px/1.45 system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; color: #222;
       max-width: 1240px; margin: 18px auto; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 2px solid #ddd; }
h3 { font-size: 13px; margin: 10px 0 4px; }
.sub { color: #555; margin-bottom: 10px; }
.warn { color: #8a3b00; background: #fff3e0; border-left: 4px solid #e67e22; padding: 4px 8px; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
.wide { overflow-x: auto; }  /* a table wider than a phone scrolls in its box, not the page */
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
th.n { text-align: right; }
.nw { white-space: nowrap; }
th, td:not(.n) { word-break: keep-all; overflow-wrap: break-word; }  /* 清华园街道 not cut mid-word */
.grade { display: inline-block; min-width: 26px; text-align: center; border-radius: 3px; font-weight: 700;
         -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.note { color: #666; font-size: 12px; }
svg { max-width: 100%; height: auto; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
section.major { break-before: page; page-break-before: always; }
section.major:first-of-type { break-before: auto; page-break-before: auto; }
@media (max-width: 720px) { .cols { grid-template-columns: minmax(0, 1fr); } body { padding: 0 8px; } }
@page { size: A4; margin: 15mm 12mm; }
@page landscape { size: A4 landscape; margin: 12mm 10mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; } tr { break-inside: avoid; } table { break-inside: auto; }
  .wide { overflow: visible; } .wide + .note { break-before: avoid; }
  section.major.short { break-before: auto; page-break-before: auto; break-inside: avoid; }
  .cols { grid-template-columns: minmax(0, 1fr); }
  /* the wide tables (a community register: 1,262 px against A4's 700): across the page, smaller */
  section[data-page="landscape"] { page: landscape; }
  section[data-page="landscape"] table { font-size: 8pt; }
  section[data-page="landscape"] th, section[data-page="landscape"] td { padding: 2px 3px; }
  section[data-page="landscape"] th { word-break: normal; }  /* a long heading over two lines */
  /* a named page always starts one: a short top-hazards table (seven columns of wrapping text, A4 upright
     at 8pt) follows the page before, not a landscape page of its own, mostly blank */
  section.major.short[data-fits="portrait"] { page: auto; }
}
"""


#: a major section printed across an A4 page in smaller type (its wide tables: the top hazards, the
#: registers, the 责任清单; the style's ``data-page="landscape"``)
WIDE = '<section class="major" data-page="landscape">'


def mark_short_sections(body: str, *, rows: int = SHORT_SECTION_ROWS) -> str:
    """``body`` with each major section of fewer than ``rows`` table rows marked ``short``.

    Printed, a major section starts a page; a short one (GB 18218 with no registry, two key districts)
    follows the section before it and is kept whole: Wudaokou's report took 7 A4 pages, each mostly
    blank.

    Examples
    --------
    >>> mark_short_sections('<section class="major"><p>none</p></section>')
    '<section class="major short"><p>none</p></section>'
    >>> mark_short_sections('<section class="major" data-page="landscape"><p>none</p></section>')
    '<section class="major short" data-page="landscape"><p>none</p></section>'
    """

    def mark(match: re.Match[str]) -> str:
        section = match.group(0)
        if section.count("<tr") >= rows:
            return section
        return section.replace('<section class="major"', '<section class="major short"', 1)

    return re.sub(r'<section class="major"[^>]*>.*?</section>', mark, body, flags=re.DOTALL)


def n(value: float, digits: int = 0) -> str:
    """A number with thousands separators."""
    return f"{value:,.{digits}f}"


def at_least(
    value: float | None, unknown_cells: int | None, t: Callable[..., str], share: float | None = None
) -> str:
    """A sum over cells as shown: ``value`` with thousands separators, or "≥ value (k cells with
    residents unknown)" when ``unknown_cells`` of the cells summed have residents unknown, and
    "unknown (k cells …)" when nobody was counted there (``value`` None, NaN or 0: missing is not
    zero, :mod:`urbanrisk.coverage_unknown`); ``share``: of the uncovered area, named when given.

    Examples
    --------
    >>> t = lambda text, **v: text.format(**v)
    >>> at_least(1234.4, 0, t), at_least(12.0, 3, t), at_least(0.0, 3, t)
    ('1,234', '≥ 12 (3 cells with residents unknown)', 'unknown (3 cells with residents unknown)')
    >>> at_least(None, 3, t, share=0.5), at_least(float("nan"), 0, t)
    ('unknown (3 cells with residents unknown, 50% of the uncovered area)', 'unknown')
    """
    cells = int(unknown_cells or 0)
    missing = value is None or pd.isna(value)
    if not cells:
        return t("unknown") if missing else n(value)
    words = {"cells": f"{cells:,}"} | ({} if share is None else {"share": f"{share:.0%}"})
    tail = "" if share is None else ", {share} of the uncovered area"
    if missing or round(float(value)) <= 0:  # nothing counted: not 0, not "≥ 0"
        return t("unknown ({cells} cells with residents unknown" + tail + ")", **words)
    return t("≥ {n} ({cells} cells with residents unknown" + tail + ")", n=n(value), **words)


#: What follows a sum over cells some of whose coverage is unknown (:mod:`urbanrisk.coverage_unknown`,
#: :mod:`urbanrisk.coverage_dropped`).
OUTSIDE_WORDS = (
    "; {cells} cells outside the street data, on streets leaving it or in reach of a resource not used: "
    "coverage unknown"
)


def bounded_sum(
    value: float | None,
    unknown_cells: object,
    t: Callable[..., str],
    *,
    share: float | None = None,
    outside_cells: object = 0,
) -> str:
    """A sum over cells as the report and the map word it, the one place that does: :func:`at_least`
    for its cells of unknown residents, then, where ``outside_cells`` of them lie outside the street
    data (their coverage unknown: the sum may miss them), "≥ N" and "; k cells outside the street
    data: coverage unknown". NaN counts read as 0.

    Examples
    --------
    >>> t = lambda text, **v: text.format(**v)
    >>> bounded_sum(1234.4, 0, t)
    '1,234'
    >>> bounded_sum(12.0, 3, t, outside_cells=2)  # doctest: +NORMALIZE_WHITESPACE
    '≥ 12 (3 cells with residents unknown); 2 cells outside the street data, on streets leaving it or in
    reach of a resource not used: coverage unknown'

    >>> bounded_sum(50.0, 0, t, outside_cells=1)  # doctest: +NORMALIZE_WHITESPACE
    '≥ 50; 1 cells outside the street data, on streets leaving it or in reach of a resource not used:
    coverage unknown'
    """
    cells = 0 if unknown_cells is None or pd.isna(unknown_cells) else int(unknown_cells)
    away = 0 if outside_cells is None or pd.isna(outside_cells) else int(outside_cells)
    shown = at_least(value, cells, t, share)
    if not away:
        return shown
    if not cells and value is not None and pd.notna(value) and value > 0:
        shown = f"≥ {shown}"
    return shown + t(OUTSIDE_WORDS, cells=f"{away:,}")


#: The report's note under the suggested sites where uncovered cells' residents are unknown.
SITES_UNKNOWN = (
    "Sites weigh the residents counted: up to {cells} uncovered cells whose residents are unknown are "
    "not weighed (their need is unknown, not none)"
)


def sites_note(coverage: Mapping[str, Mapping[str, Any]], t: Callable[..., str]) -> str:
    """The suggested sites weigh counted residents only (greedy covering of ``residents_uncovered``):
    a note naming the uncovered cells of unknown residents (the most of any standard of the summary's
    ``coverage``), "" when there is none."""
    cells = max((e.get("cells_uncovered_residents_unknown") or 0 for e in coverage.values()), default=0)
    if not cells:
        return ""
    return f'<p class="note">{escape_text(t(SITES_UNKNOWN, cells=f"{cells:,}"))}</p>'


def grade_badge(grade: str, label: str | None = None) -> str:
    """A grade in its colour (white text on red and blue), shown as ``label`` (default the grade)."""
    r, g, b = CLASS_COLOURS.get(grade, (200, 200, 200))
    text = "#fff" if grade in ("I", "IV") else "#222"
    shown = escape_text(grade if label is None else label)
    return f'<span class="grade" style="background:rgb({r},{g},{b});color:{text}">{shown}</span>'


def table_html(
    frame: pd.DataFrame | None,
    columns: dict[str, str],
    *,
    t: Callable[..., str],
    numeric: set[str] = frozenset(),
    grade_columns: set[str] = frozenset(),
    text: Callable[[str, object], str] | None = None,
    limit: int = MAX_ROWS,
    bounds: dict[str, str] | None = None,
    unknown_cells: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    outside_cells: dict[str, str] | None = None,
    grade_notes: dict[str, str] | None = None,
) -> str:
    """An escaped HTML table of ``frame``'s ``columns`` (key -> heading).

    ``text(column, value)`` words the text cells (e.g. in the report's language); ``bounds``: numeric
    column -> the column of its unknown share, where above 0 the number shows as "≥ N" with the share;
    ``unknown_cells``: numeric column -> the column counting its cells of unknown residents, and
    ``outside_cells``: -> the column counting its cells outside the street data (both worded by
    :func:`bounded_sum`); a numeric column's text (a number already worded) is shown as it is, right
    aligned as the numbers; ``labels``: grade column -> the column of its words (else the grade's own);
    ``grade_notes``: grade column -> a column of text shown small under its badge where not empty (why a
    source is not graded).
    """
    if frame is None or not len(frame):
        return f'<p class="note">{escape_text(t("none"))}</p>'
    head = "".join(  # a number's heading aligned as its numbers are: right
        f'<th class="n">{escape_text(label)}</th>' if key in numeric else f"<th>{escape_text(label)}</th>"
        for key, label in columns.items()
    )
    rows = []
    for _, row in frame.head(limit).iterrows():
        cells = []
        for key in columns:
            value = row[key]
            if key in grade_columns:
                label = row[labels[key]] if key in (labels or {}) else t(str(value))
                note = row.get((grade_notes or {}).get(key, ""), "")
                note = (
                    f'<br/><span class="note">{escape_text(note)}</span>'
                    if isinstance(note, str) and note
                    else ""
                )
                cells.append(f"<td>{grade_badge(str(value), str(label))}{note}</td>")
            elif key in numeric:
                shown = _number(row, key, t, bounds or {}, unknown_cells or {}, outside_cells or {})
                cells.append(f'<td class="n">{escape_text(shown)}</td>')
            else:
                cells.append(f"<td>{whole_numbers(escape_text(text(key, value) if text else value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">{escape_text(t("… and {n} more in the run folder", n=len(frame) - limit))}</p>'
        if len(frame) > limit
        else ""
    )
    body = "".join(rows)  # the heading a thead: printed, a table across pages repeats it on each
    return f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}'


#: a phone number or date of digits and two hyphens or more (010-0000-0202): printed, a narrow column
#: broke it at each hyphen, "010-" over "0000-" over "0202" (one hyphen, GB 18218-2018: left as it is)
_HYPHENED_DIGITS = re.compile(r"(?<![\w-])\+?\d+(?:-\d+){2,}(?![\w-])")


def whole_numbers(html: str) -> str:
    """Escaped cell text with each number of digits and hyphens (a phone, a code) kept on one line.

    >>> whole_numbers("赵某; 010-0000-0103; –; 2026-11-28")
    '赵某; <span class="nw">010-0000-0103</span>; –; <span class="nw">2026-11-28</span>'
    >>> whole_numbers("osm:way/12 &#x27;x&#x27; 3 - 4; GB 18218-2018")
    'osm:way/12 &#x27;x&#x27; 3 - 4; GB 18218-2018'
    """
    return _HYPHENED_DIGITS.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', html)


def _number(
    row: pd.Series,
    key: str,
    t: Callable[..., str],
    bounds: dict[str, str],
    unknown_cells: dict[str, str],
    outside_cells: dict[str, str],
) -> str:
    """A numeric cell of :func:`table_html` as shown: its text as given, a sum over cells
    (:func:`bounded_sum`), or a count with its unknown share (:func:`lower_bound`)."""
    value = row[key]
    if isinstance(value, str):  # already worded ("≥ N (…)", "unknown", "–")
        return value
    if key in unknown_cells or key in outside_cells:
        return bounded_sum(
            value, row.get(unknown_cells.get(key, "")), t, outside_cells=row.get(outside_cells.get(key, ""))
        )
    share = row.get(bounds.get(key, ""))  # a lower bound's unknown share, if any
    return lower_bound(value, share, t, r_digits(value) if key.startswith("gb18218_R") else 0)


def r_digits(value: object) -> int:
    """Decimals that show a GB 18218 R: one, or two significant digits below 0.05 (R = 0.0075 read "0.0").

    >>> r_digits(12.34), r_digits(0.0), r_digits(0.0075), r_digits(0.03), r_digits(float("nan"))
    (1, 1, 4, 3, 1)
    """
    v = float(value) if isinstance(value, (int, float)) else float("nan")
    return 1 if not 0 < v < 0.05 else 1 - math.floor(math.log10(v))


#: the legend of a bar chart's marked bars (missing is not zero)
BAR_BOUND = "hatched bar, “≥”: a lower bound (some cells' residents unknown)"
BAR_UNKNOWN = "dashed outline, “unknown”: nobody counted where residents are unknown"
_HATCH = (
    '<defs><pattern id="bound-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="rgb({r},{g},{b})"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2.5"/></pattern></defs>'
)


def bar_chart(
    values: dict[str, float],
    colours: dict[str, tuple[int, int, int]],
    unit: str,
    marks: dict[str, str] | None = None,
    t: Callable[..., str] | None = None,
) -> str:
    """A horizontal bar chart as inline SVG.

    ``marks``: label -> "bound" (the value a lower bound: a hatched bar, outlined, its number "≥ N")
    or "unknown" (the value NaN: a dashed empty outline, "unknown", never a bar of 0); a legend line
    under the chart names the marks drawn (``t`` words it).
    """
    marks = marks or {}
    t = t or (lambda text, **v: text.format(**v) if v else text)
    width, bar, gap, label_w = 520, 22, 6, 150
    finite = [v for v in values.values() if v == v]  # NaN: unknown
    top = max(finite) if finite and max(finite) > 0 else 1.0
    height = len(values) * (bar + gap)
    parts = [  # viewBox: narrower than its width on a phone, the chart scales down, not off the page
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape_text(unit)}">'
    ]
    if "bound" in marks.values():
        parts.append(_HATCH.format(r=120, g=120, b=120))
    span = width - label_w - 150  # room for "≥ 12,345 uncovered" after the longest bar
    for i, (label, value) in enumerate(values.items()):
        y = i * (bar + gap)
        mark = "unknown" if value != value else marks.get(label, "")
        r, g, b = colours.get(label, (120, 120, 120))
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape_text(label)}</text>')
        if mark == "unknown":
            length, shown = span / 3, t("unknown")
            shape = 'fill="none" stroke="#555" stroke-dasharray="4 3" class="bar-unknown"'
        else:
            length, shown = span * value / top, f"{'≥ ' if mark == 'bound' else ''}{n(value)}"
            fill = "url(#bound-hatch)" if mark == "bound" else f"rgb({r},{g},{b})"
            shape = f'fill="{fill}"' + (' stroke="#333" class="bar-bound"' if mark == "bound" else "")
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" {shape}/>')
        parts.append(
            f'<text x="{label_w + length + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{escape_text(shown)} {escape_text(unit)}</text>"
        )
    parts.append("</svg>")
    drawn = {m for label, v in values.items() for m in ["unknown" if v != v else marks.get(label, "")]}
    legend = [t(BAR_BOUND)] * ("bound" in drawn) + [t(BAR_UNKNOWN)] * ("unknown" in drawn)
    if legend:
        parts.append(f'<p class="note bar-legend">{escape_text(" · ".join(legend))}</p>')
    return "".join(parts)
