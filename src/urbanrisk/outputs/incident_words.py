"""The words of an incident answer's keys (the kinds of sites and resources, unit levels, travel modes,
yes / no), as a duty officer reads them, in English and Chinese.

The answer's tables hold keys (``fire_station``, ``social_facility``, ``h3_parent``, ``True``). The
Chinese sheet named most of them and left the rest as keys (``social_facility``); the English sheet
printed every key as it was: ``fire_station``, ``gas_leak``, ``True``. Each now reads as words; a
recipe's own key not in these tables reads with its underscores as spaces (``fuel_depot`` → ``fuel
depot``). Names (a site's, a unit's) are data and stay as written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .i18n import RESOURCE_ZH, data_text, translator

#: key -> English words, where the key with its underscores as spaces is not the word
KEY_EN = {
    "fire_station": "fire station",
    "police": "police station",
    "shelter": "emergency shelter",
    "elderly_home": "elderly home",
    "social_facility": "social facility (care)",
    "h3_parent": "H3 parent cell",
}
#: key -> Chinese words, beside the resources' (:data:`.i18n.RESOURCE_ZH`) and the translator's
KEY_ZH = {
    "social_facility": "社会福利机构",
    "gas_leak": "燃气泄漏",
    "chemical_spill": "危化品泄漏",
    "explosion": "爆炸",
    "fire": "火灾",
}


def answer_word(value: Any, language: str) -> Any:
    """A kind, level, mode, status or yes / no of an incident answer, in ``language`` (others unchanged).

    Examples
    --------
    >>> answer_word("fire_station", "en"), answer_word("social_facility", "en"), answer_word(True, "en")
    ('fire station', 'social facility (care)', 'yes')
    >>> answer_word("social_facility", "zh"), answer_word("school", "zh"), answer_word(False, "zh")
    ('社会福利机构', '学校', '否')
    >>> answer_word("fuel_depot", "en"), answer_word("fuel_depot", "zh"), answer_word(3.0, "en")
    ('fuel depot', 'fuel depot', 3.0)
    """
    if isinstance(value, bool | np.bool_):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    if not isinstance(value, str):
        return value
    if language == "zh":
        word = KEY_ZH.get(value) or RESOURCE_ZH.get(value) or data_text(translator("zh")(value), "zh")
    else:
        word = KEY_EN.get(value, value)
    return word.replace("_", " ") if word == value else word


def answer_name(value: Any, language: str) -> Any:
    """A site's or unit's name as the sheet prints it: the unassigned row in the page's language.

    >>> answer_name("未划入 unassigned", "en"), answer_name("未划入 unassigned", "zh")
    ('unassigned', '未划入')
    """
    return data_text(value, language) if isinstance(value, str) else value


def incident_kind(kind: str, kind_label: str, language: str) -> str:
    """The incident's kind in the headline: the kind table's Chinese name in Chinese, words in English.

    >>> incident_kind("gas_leak", "", "en"), incident_kind("gas_leak", "燃气泄漏", "zh")
    ('gas leak', '燃气泄漏')
    """
    if language == "zh" and kind_label:
        return kind_label
    return str(answer_word(kind, language))


__all__ = ["KEY_EN", "KEY_ZH", "answer_name", "answer_word", "incident_kind"]
