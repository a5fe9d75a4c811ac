"""English pages in English: Chinese documents by their English titles, headings without glosses.

The tables of safety distances and coverage standards cite Chinese regulations and standards by
their Chinese titles (``危险化学品安全管理条例 art. 19``, ``建标152-2017 城市消防站建设标准``), and
those citations reached the English map's tooltips and the English report as they were: one Chinese
title among English words. An English page names each document by its English title and its code in
Latin letters (``GB 21734-2008`` stays; ``建标152-2017`` reads ``Jianbiao 152-2017``, the pinyin its
English editions print: it is how the document is found), and drops the Chinese glosses put beside
English words (``emergency (紧急) shelter``). A Chinese page keeps the
tables' words (:func:`urbanrisk.outputs.i18n.sites_text` turns them into Chinese citations).

The report's headings were written with the Chinese term beside the English one (``Top hazard sources
(危险源点)``), as were its grade names (``I 重大 major``) and GB 18218's grade names (``一级 R≥100``):
:data:`EN_PAGES` gives the English page its English words (the headings stay the keys of the Chinese
table, :data:`urbanrisk.outputs.i18n.ZH`).
"""

from __future__ import annotations

import re

#: Chinese title -> English title, as the tables cite them
TITLES_EN = {
    "危险化学品安全管理条例": "Regulations on the Safe Management of Hazardous Chemicals",
    "城市消防站建设标准": "Construction Standard of Urban Fire Stations",
    "院前医疗急救管理办法": "Administrative Measures for Pre-hospital Emergency Medical Care",
    "急救中心建设标准": "Construction Standard of Emergency Medical Centres",
    "地震应急避难场所 场址及配套设施": "Earthquake emergency shelters: site and supporting facilities",
    "危险化学品目录": "Catalogue of Hazardous Chemicals",
}
#: the construction standards' code (建标, "construction standard") in pinyin, as their English editions
#: print it: 建标152-2017 -> Jianbiao 152-2017
_JIANBIAO = re.compile(r"建标\s?(?=\d)")
#: the tables' Chinese glosses beside English words (only these: a site's own name may hold brackets)
GLOSSES = (" (紧急)", " (重要公共建筑物)")
#: Chinese characters: a text without them is left as it is
_CJK = re.compile(r"[\u3400-\u9fff]")


#: the English words of texts written with a Chinese gloss (the keys are the Chinese table's keys too)
EN_PAGES = {
    "Top hazard sources (危险源点)": "Top hazard sources",
    "Major hazard sources per GB 18218-2018 (重大危险源辨识)": "Major hazard sources per GB 18218-2018",
    "Community register (街道社区), worst first": "Community register, worst first",
    "Risk registers by level (风险清单)": "Risk registers by level",
    "Key districts (重点地区)": "Key districts",
    "Urban villages (城中村)": "Urban villages",
    "Responsibility list (责任清单)": "Responsibility list",
    # GB 18218-2018's grades (一级 the most severe), apart from the risk matrix's I-IV
    "一级": "grade 1",
    "二级": "grade 2",
    "三级": "grade 3",
    "四级": "grade 4",
}


def english_citation(text: str) -> str:
    """``text`` with the Chinese documents it cites by their English titles and its Chinese glosses
    left out (unchanged when it holds no Chinese).

    Examples
    --------
    >>> english_citation("危险化学品安全管理条例 art. 19; screening value")
    'Regulations on the Safe Management of Hazardous Chemicals art. 19; screening value'
    >>> english_citation("GB 21734-2008 地震应急避难场所 场址及配套设施: emergency (紧急) shelter")
    'GB 21734-2008 Earthquake emergency shelters: site and supporting facilities: emergency shelter'
    >>> english_citation("建标152-2017 (城市消防站建设标准): fire station >= 300 m")
    'Jianbiao 152-2017 (Construction Standard of Urban Fire Stations): fire station >= 300 m'
    >>> english_citation("gasoline (listed in 危险化学品目录 2015)")
    'gasoline (listed in Catalogue of Hazardous Chemicals 2015)'
    >>> english_citation("school 清华附中 (北校区) at 40 m < 300 m (危险化学品安全管理条例 art. 19)")[:46]
    'school 清华附中 (北校区) at 40 m < 300 m (Regulations'
    """
    if not _CJK.search(text):
        return text
    for chinese, english in TITLES_EN.items():
        text = text.replace(chinese, english)
    for gloss in GLOSSES:
        text = text.replace(gloss, "")
    return _JIANBIAO.sub("Jianbiao ", text)


__all__ = ["EN_PAGES", "GLOSSES", "TITLES_EN", "english_citation"]
