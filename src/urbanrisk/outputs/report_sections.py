"""The report's sections for the office's deliverables: risk registers by level, the responsibility
list, GB 18218 major hazard sources, what each resource's loss leaves (each in the report's language);
the changes since the last run are in :mod:`urbanrisk.outputs.report_changes`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd

from ..resource_columns import hazard_kept
from ..result import COVERAGE_UNKNOWN_PREFIX, GRADE_RANK, NO_DATA, UNKNOWN_UNCOVERED_PREFIX, RunResult
from .html import escape_text
from .i18n import data_text, standard_name
from .i18n_deliverables import bracketed, colon
from .i18n_exposure import exposure_note, lower_bound, quantity_grade, zh_bounds
from .i18n_items import items_in_english
from .i18n_office_columns import kept_zh
from .i18n_severity import item_grade_labels
from .report_parts import WIDE, bounded_sum, n, table_html
from .responsibility_book import MAX_BOOK_ROWS
from .summary import RunSummary

LEVEL_WORDS = {"district": "district", "street": "street", "community": "community", "grid": "grid"}


def section(title: str, body: str, *, landscape: bool = False) -> str:
    """A report section: its heading and body (HTML, the title escaped); ``landscape``: printed across an
    A4 page, in smaller type (a wide table: the registers, the 责任清单; :mod:`.report_parts`' style)."""
    opening = WIDE if landscape else '<section class="major">'
    return f"{opening}<h2>{escape_text(title)}</h2>{body}</section>"


def registers_section(result: RunResult, summary: RunSummary, t: Callable[..., str], language: str) -> str:
    """One register per unit level, coarsest first, with its totals (from the summary)."""
    registers = result.screens.registers if result.screens is not None else {}
    if not registers:
        return ""
    labels = hazard_labels(result, language)
    parts = []
    for level, table in registers.items():
        totals = summary.registers[level]
        uncovered = [c for c in table.columns if c.startswith("uncovered_")]
        hazards = "hazards_zh" if language == "zh" and "hazards_zh" in table.columns else "hazards"
        columns = {
            "worst_grade": t("worst"),
            "name": t("unit"),
            **({"parent_name": t("parent unit")} if table["parent_name"].astype(bool).any() else {}),
            "residents": t("residents"),
            "residents_I": t("in I"),
            "residents_II": t("in II"),
            "red_cells": t("red cells"),
            "orange_cells": t("orange cells"),
            **{
                c: t("uncovered ({standard})", standard=standard_name(c[len("uncovered_") :], language))
                for c in uncovered
            },
            hazards: t("hazards reaching it"),
            **_hazard_columns(table, t, language),
            **_census_columns(table, t, language),
        }
        ranked = table.assign(_rank=table["worst_grade"].map(GRADE_RANK).fillna(9))
        ranked = ranked.sort_values(["_rank", "red_cells", "residents"], ascending=[True, False, False])
        heading = t(
            "level {level}: {units} units, {residents} residents (totals equal the grid's)",
            level=t(LEVEL_WORDS[level]),
            units=totals["units"],
            residents=n(totals["residents"]),
        )
        parts.append(f"<h3>{escape_text(heading)}</h3>")
        parts.append(
            table_html(
                ranked,
                columns,
                t=t,
                numeric={
                    "residents",
                    "residents_I",
                    "residents_II",
                    "red_cells",
                    "orange_cells",
                    "census_residents",
                    *uncovered,
                },
                grade_columns={"worst_grade"},
                text=partial(
                    _register_text, labels=labels, t=t, language=language, hazards=hazards, level=level
                ),
                # "≥ N (k cells …)", or unknown: never a bare 0 (report_parts.bounded_sum)
                unknown_cells={
                    "residents": "cells_residents_unknown",
                    **{c: UNKNOWN_UNCOVERED_PREFIX + c[len("uncovered_") :] for c in uncovered},
                },
                outside_cells={c: COVERAGE_UNKNOWN_PREFIX + c[len("uncovered_") :] for c in uncovered},
            )
        )
    return section(t("Risk registers by level (风险清单)"), "".join(parts), landscape=True)


#: hazards a register's row names before "… and N more": a unit downstream of a district's works
#: listed 34 (a wall of text in one cell); the register's CSV keeps them all
MAX_HAZARDS_SHOWN = 8


def _register_text(
    key: str,
    value: object,
    *,
    labels: Callable[[str], str],
    t: Callable[..., str],
    language: str,
    hazards: str,
    level: str,
) -> str:
    """A register cell's text in ``language``, its hazards (column ``hazards``) cut short; the hazards'
    ids and kept columns as the registry wrote them (missing: empty)."""
    if key.startswith("hazard_"):  # as many as the hazards shown, in their order
        return "" if pd.isna(value) else few_hazards(str(value), t, f"register_{level}.csv", "; ")
    text = labels(data_text(value, language))
    return few_hazards(text, t, f"register_{level}.csv") if key == hazards else text


def few_hazards(text: str, t: Callable[..., str], where: str, separator: str | None = None) -> str:
    """A register row's hazards as the report shows them: the first :data:`MAX_HAZARDS_SHOWN` (the
    register lists them worst first), then how many more and where they all are (``separator``: the
    items', else "；" where the text has one, else "; ").

    Examples
    --------
    >>> from .i18n import translator
    >>> few_hazards("; ".join(f"fuel station {i} (IV)" for i in range(10)), translator("en"), "r.csv")[-48:]
    'fuel station 7 (IV); … and 2 more (all in r.csv)'
    >>> few_hazards("加油站 A（无数据）；工业企业 B（无数据）", translator("zh"), "r.csv")
    '加油站 A（无数据）；工业企业 B（无数据）'
    """
    separator = separator or ("；" if "；" in text else "; ")
    items = text.split(separator)
    if len(items) <= MAX_HAZARDS_SHOWN:
        return text
    more = t("… and {n} more (all in {file})", n=len(items) - MAX_HAZARDS_SHOWN, file=where)
    return separator.join([*items[:MAX_HAZARDS_SHOWN], more])


def _hazard_columns(table: pd.DataFrame, t: Callable[..., str], language: str) -> dict[str, str]:
    """A register's hazard ids (the 责任清单's 编号) and the hazard registry's kept columns of the sources
    reaching each unit (``hazard_负责人``...: headed 危险源负责人, "hazard 负责人"), when any unit has one."""
    if "hazard_ids" not in table.columns or not table["hazard_ids"].astype(bool).any():
        return {}
    kept = [c for c in table.columns if c.startswith("hazard_") and c != "hazard_ids"]
    return {
        "hazard_ids": t("ids of the hazards reaching it"),
        **{
            c: kept_zh(c) if language == "zh" else bracketed("hazard", c[len("hazard_") :], "en")
            for c in kept
        },
    }


def _census_columns(table: pd.DataFrame, t: Callable[..., str], language: str) -> dict[str, str]:
    """A register's census count and its note (:func:`urbanrisk.screens.registers.census_notes`), when a
    census table gave counts: where the units' cells' residents differ a lot from it, the report says so."""
    if "census_residents" not in table.columns or not table["census_residents"].notna().any():
        return {}
    note = (
        "residents_note_zh" if language == "zh" and "residents_note_zh" in table.columns else "residents_note"
    )
    return {"census_residents": t("census count"), note: t("residents against the census")}


def hazard_labels(result: RunResult, language: str) -> Callable[[str], str]:
    """Rewrites hazard kind labels (English) in a text into the language's (``label_zh``), and a
    source's missing grade ("(no data)")."""
    hz = result.screens.hazard_sources if result.screens is not None else None
    if language != "zh" or hz is None or not len(hz) or "label_zh" not in hz.columns:
        return lambda text: text
    pairs = sorted(set(zip(hz["label"], hz["label_zh"], strict=True)), key=lambda p: -len(p[0]))

    def rewrite(text: str) -> str:
        for en, zh in pairs:
            text = text.replace(en, zh)
        return text.replace(" (no data)", "（无数据）")  # a source's grade: none (its residents unknown)

    return rewrite


def responsibility_section(result: RunResult, t: Callable[..., str], language: str) -> str:
    """The responsibility list: each item, its units at every level, department and response level."""
    items = result.screens.responsibility if result.screens is not None else None
    if items is None:
        return ""
    items = item_grade_labels(items, result.screens.hazard_sources, t, language)  # a grade's floor
    items = _gap_residents(items, t)  # a gap's unknown share is of its cells, not a reach
    if language != "zh":  # the screen writes item types as keys beside their Chinese words
        items = items_in_english(items)
    levels = [lv for lv in LEVEL_WORDS if f"{lv}_name" in items.columns]
    zh = language == "zh"
    for lv in [lv for lv in levels if f"{lv}_also_names" in items.columns]:  # the other units it spans
        pairs = zip(items[f"{lv}_name"], items[f"{lv}_also_names"], strict=True)
        items = items.assign(**{f"{lv}_name": [also_text(a, b, language) for a, b in pairs]})
    kept = hazard_kept(list(items.columns))  # a hazard registry's own (负责人, 联系电话...): as written
    items = items.assign(**{c: items[c].map(lambda v: v if isinstance(v, str) else "") for c in kept})
    columns = {
        "grade": t("grade"),
        "item_type_zh" if zh else "item_type": t("item"),
        "name": t("name"),
        **{c: c for c in kept},  # the office's headings, escaped as every cell
        **{f"{lv}_name": t(LEVEL_WORDS[lv]) for lv in levels},
        "department_zh" if zh else "department_en": t("department"),
        "response_level_zh" if zh else "response_level_en": t("response level"),
        "residents": t("residents"),
    }
    body = table_html(
        items,
        columns,
        t=t,
        numeric={"residents"},
        grade_columns={"grade"},
        text=lambda key, value: data_text(value, language),
        limit=20,
        bounds={"residents": "residents_unknown_share"},
        labels={"grade": "grade_label"} if len(items) else None,
    )
    note = t("responsibility note")
    if len(items) > MAX_BOOK_ROWS:  # no workbook (responsibility_book): the CSV holds them all
        note += " " + t(NO_BOOK, n=f"{len(items):,}", most=f"{MAX_BOOK_ROWS:,}")
    note_html = f'<p class="note">{escape_text(note)}</p>'
    return section(t("Responsibility list (责任清单)"), body + note_html, landscape=True)


#: the responsibility note's last words when the list is too long for its workbook
NO_BOOK = "With {n} items (more than {most}) responsibility.xlsx is not written: use responsibility.csv."


def also_text(name: str, also: str, language: str, most: int = 3) -> str:
    """An item's unit with the other units it spans (``also``: their names, "; "-joined; the first
    ``most`` of them, then how many more: responsibility.csv lists all), in ``language``.

    >>> also_text("A", "B; C", "en"), also_text("A", "B; C", "zh"), also_text("A", "", "en")
    ('A (also: B; C)', 'A（另涉及：B；C）', 'A')
    >>> also_text("A", "B; C; D; E; F", "en"), also_text("A", "B; C; D; E; F", "zh")
    ('A (also: B; C; D and 2 more)', 'A（另涉及：B；C；D 等 5 个单元）')
    """
    names = also.split("; ") if isinstance(also, str) and also else []
    if not names:
        return name
    shown, more = names[:most], len(names) - most
    if language == "zh":
        tail = f" 等 {len(names)} 个单元" if more > 0 else ""
        return f"{name}（另涉及：{'；'.join(shown)}{tail}）"
    return f"{name} (also: {'; '.join(shown)}{f' and {more} more' if more > 0 else ''})"


GAP_WORDS = (
    "≥ {n} ({share} of its cells with residents unknown)",
    "unknown (residents unknown in all its cells)",
)


def _gap_residents(items: pd.DataFrame, t: Callable[..., str]) -> pd.DataFrame:
    """The responsibility list with its coverage gaps' and red/orange clusters' residents worded as
    bounds over their cells (:data:`GAP_WORDS`; a hazard source's share is of its reach, worded by the
    table)."""
    if not len(items) or "residents_unknown_share" not in items.columns:
        return items
    gaps = items["item_type"].isin(["coverage_gap", "risk_cluster"]).to_numpy()  # shares of their cells
    if not gaps.any():
        return items
    out = items.assign(residents=items["residents"].astype(object))
    pairs = zip(items.loc[gaps, "residents"], items.loc[gaps, "residents_unknown_share"], strict=True)
    out.loc[gaps, "residents"] = [lower_bound(v, s, t, words=GAP_WORDS) for v, s in pairs]
    return out


def major_hazard_section(result: RunResult, t: Callable[..., str], language: str) -> str:
    """Registry sources with substances: R value and GB 18218 grade beside the risk-matrix grade."""
    hz = result.screens.hazard_sources if result.screens is not None else None
    if hz is None or "gb18218_grade" not in hz.columns:
        return ""
    basis = hz["gb18218_basis"].fillna("").astype(str) if "gb18218_basis" in hz.columns else ""
    # a source listing substances without an R (a quantity in m³, a substance not in the table) is
    # shown with the reason: it was left out, and the office never saw why
    graded = hz[(hz["gb18218_grade"] != "") | (basis != "")]
    below = graded["gb18218_S"].lt(1.0 - 1e-9) if "gb18218_S" in graded.columns else False  # Σq/Q < 1
    below = below & graded["gb18218_grade"].ne(NO_DATA)  # a floor below 1 cannot tell: its grade no data
    grades = graded["gb18218_grade"].mask(below, "not a major hazard source").replace("", "not computed")
    graded = graded.assign(gb18218_grade=grades)
    if language != "zh" and "gb18218_basis_en" in graded.columns:  # chlorine in English, 氯 in Chinese
        graded = graded.assign(gb18218_basis=graded["gb18218_basis_en"])
    if "gb18218_quantity" in graded.columns:  # a grade from quantities read loosely says so
        pairs = zip(graded["gb18218_grade"], graded["gb18218_quantity"], strict=True)
        graded = graded.assign(gb18218_grade=[quantity_grade(t(str(g)), r, language) for g, r in pairs])
    if "gb18218_unknown_share" in graded.columns:  # people unknown: R a lower bound unless α is the top
        share = graded["gb18218_unknown_share"]
        graded = graded.assign(_r_share=share.where(graded["gb18218_alpha"] < 2.0, 0.0))
    if not len(graded):
        body = f'<p class="note">{escape_text(t("no registry source lists substances and quantities"))}</p>'
    else:
        body = table_html(
            graded.sort_values("gb18218_R", ascending=False),
            {
                "name": t("name"),
                "label_zh" if language == "zh" else "label": t("kind"),
                "gb18218_grade": t("GB 18218 grade"),
                "gb18218_R": "R",
                "gb18218_residents_500m": t("people within 500 m"),
                "gb18218_basis": t("how R was computed"),
                "grade": t("risk-matrix grade"),
            },
            t=t,
            numeric={"gb18218_R", "gb18218_residents_500m"},
            grade_columns={"grade"},
            text=lambda key, value: (
                _basis(value, language)
                if key == "gb18218_basis"
                else (t(str(value)) if key == "gb18218_grade" else str(value))
            ),  # "no data" in zh
            bounds={"gb18218_R": "_r_share", "gb18218_residents_500m": "gb18218_unknown_share"},
        ) + exposure_note(graded.get("gb18218_unknown_share", pd.Series(dtype=float)), t)
    note = (
        t("gb18218 note")
        if language == "zh"
        else (
            "R = α Σ β q/Q (GB 18218-2018 4.2.3): Q from Table 1, β from Tables 3/4, α from Table 5 (people "
            "within 500 m, here the grid's residents: a screening estimate a site survey replaces); "
            "grade 1 R≥100, grade 2 50≤R<100, grade 3 10≤R<50, grade 4 R<10; only a major hazard source "
            "(Σ q/Q ≥ 1, 4.2 formula (1)) is graded. "
            "The substance table is a subset of the standard."
        )
    )
    return section(
        t("Major hazard sources per GB 18218-2018 (重大危险源辨识)"),
        body + f'<p class="note">{escape_text(note)}</p>',
    )


def _basis(value: object, language: str) -> str:
    text = str(value)
    if language == "zh":
        text = zh_bounds(text.replace("; not in the table: ", "；不在表中："))
    return text


#: {n}: a count, "≥ N (k cells …)" or "unknown (k cells …)": the words read for each (was "… lose X (id):
#: unknown (1 cells with residents unknown) residents would fall outside the standard")
LEAST_AFFORD = (
    "the city can least afford to lose {name} ({id}); residents who would fall outside the standard: {n}"
)


#: the N-1 line of a standard whose every resource's loss leaves everyone covered (was "least afford to
#: lose X: 0")
NO_LOSS_UNCOVERS = "no resource whose loss leaves any resident outside the standard"


def _least_afford(row: Any, t: Callable[..., str]) -> str:
    """A standard's N-1 line: the resource it can least afford to lose, or, when losing even that one
    uncovers nobody (0 residents, no cell of unknown residents), that none does."""
    unknown = getattr(row, "cells_lost_residents_unknown", 0)
    unknown = 0 if pd.isna(unknown) else unknown
    if row.residents_lost == 0 and not unknown:
        return t(NO_LOSS_UNCOVERS)
    return t(
        LEAST_AFFORD,
        name=row.name if isinstance(row.name, str) and row.name else row.resource_id,
        id=row.resource_id,
        n=bounded_sum(row.residents_lost, unknown, t),
    )


def resilience_section(result: RunResult, t: Callable[..., str], language: str = "en") -> str:
    """N-1: which resource of each standard the city can least afford to lose (resilience.parquet),
    each standard named in ``language`` (消防, 医疗急救…)."""
    coverage = result.coverage
    losses = getattr(coverage, "resilience", None) if coverage is not None else None
    if losses is None:
        return ""
    title = t("What one loss costs (N-1): residents who fall outside the standard if it closes")
    head = f"<h2>{escape_text(title)}</h2>"
    if not len(losses):
        return head + f'<p class="note">{escape_text(t("no resource of any standard to lose"))}</p>'
    worst = losses[losses["rank"] == 1]
    lines = "".join(
        f"<li><b>{escape_text(standard_name(row.standard, language))}</b>{colon(language)}"
        + escape_text(_least_afford(row, t))
        + "</li>"
        for row in worst.itertuples()
    )
    shown = losses.assign(standard=[standard_name(x, language) for x in losses["standard"]])
    table = table_html(
        shown,
        {
            "standard": t("standard"),
            "rank": t("rank"),
            "name": t("name"),
            "resource_id": t("resource"),
            "residents_served": t("residents served"),
            "residents_lost": t("residents lost if closed"),
            "cells_lost": t("cells lost"),
            "cells_lost_residents_unknown": t("of them, residents unknown"),
        },
        t=t,
        numeric={"residents_served", "residents_lost", "cells_lost", "cells_lost_residents_unknown"},
        unknown_cells={  # ≥ N, or unknown: never a bare 0 or "–"
            "residents_served": "cells_served_residents_unknown",
            "residents_lost": "cells_lost_residents_unknown",
        },
    )
    note = escape_text(
        t("Each resource removed in turn, coverage solved again from the others (resilience.parquet).")
    )
    return f'{head}<ul>{lines}</ul>{table}<p class="note">{note}</p>'
