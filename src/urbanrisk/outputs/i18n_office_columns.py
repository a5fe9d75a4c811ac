"""The column headers of the office's Excel copies (``responsibility.csv``, ``register_<level>.csv``) in the
report's language: a 街道 clerk opening 责任清单 in Excel read ``item_type_zh``, ``street_also_names``,
``response_level_zh``. In Chinese every header is Chinese; a column urbanrisk does not know (an office's
own) keeps its name. The Parquet tables keep their names: programs read those.

Examples
--------
>>> excel_headers(["item_type_zh", "street_name", "community_also_ids", "uncovered_fire", "值班电话"], "zh")
['风险事项', '街道', '另涉及的社区代码', '未覆盖人口（消防）', '值班电话']
>>> excel_headers(["street_name"], "en")
['street_name']
"""

from __future__ import annotations

from .i18n import standard_name

#: unit levels as the outputs name them -> Chinese
LEVELS_ZH = {"district": "区", "street": "街道", "community": "社区", "grid": "网格"}
#: fixed columns of the responsibility list and the registers -> Chinese headers
COLUMNS_ZH = {
    # responsibility list (责任清单)
    "item_type": "事项类型代码",
    "item_type_zh": "风险事项",
    "item_id": "编号",
    "kind": "类别代码",
    "name": "名称",
    "residents": "常住人口",
    "residents_unknown_share": "常住人口未知比例",
    "grade": "等级",
    "factors": "主要因素",
    "department_zh": "行业主管部门",
    "department_en": "行业主管部门（英文）",
    "department_basis": "职责依据",
    "response_level_zh": "响应级别",
    "response_level_en": "响应级别（英文）",
    "lon": "经度",
    "lat": "纬度",
    # registers (分级风险清单)
    "id": "单元代码",
    "level": "层级代码",
    "level_zh": "层级",
    "parent_id": "上级单元代码",
    "parent_name": "上级单元",
    "cells": "网格单元数",
    "cells_residents_unknown": "常住人口未知的网格单元数",
    "residents_I": "I级（重大）常住人口",
    "residents_II": "II级（较大）常住人口",
    "residents_III": "III级（一般）常住人口",
    "residents_IV": "IV级（低）常住人口",
    "residents_no_data": "无数据单元常住人口",
    "red_cells": "红色单元数",
    "orange_cells": "橙色单元数",
    "worst_grade": "最高等级",
    "hazards": "影响到的危险源（英文）",
    "hazards_zh": "影响到的危险源",
    "hazard_ids": "影响到的危险源编号",
    "census_residents": "统计表人数",
    "residents_note": "常住人口说明（英文）",
    "residents_note_zh": "常住人口说明",
}
#: columns per unit level (``street_also_names``) and per coverage standard (``uncovered_fire``)
_LEVEL_COLUMNS = {"id": "{}代码", "name": "{}", "also_ids": "另涉及的{}代码", "also_names": "另涉及的{}"}
_STANDARD_COLUMNS = {
    "uncovered_": "未覆盖人口（{}）",
    "unknown_uncovered_": "未覆盖人口未知的网格单元数（{}）",
    "coverage_unknown_": "覆盖情况未知的网格单元数（{}）",
}


def kept_zh(column: str) -> str:
    """A register's column of a hazard registry's kept one (``hazard_负责人``: the 负责人 of the sources
    reaching the unit) in Chinese, 危险源负责人: a 社区 register's bare 负责人 reads as the 社区's own.

    >>> kept_zh("hazard_负责人"), kept_zh("值班电话")
    ('危险源负责人', '值班电话')
    """
    return "危险源" + column[len("hazard_") :] if column.startswith("hazard_") else column


def _zh(column: str) -> str:
    if column in COLUMNS_ZH:
        return COLUMNS_ZH[column]
    if column.startswith("hazard_"):
        return kept_zh(column)
    level, _, rest = column.partition("_")
    if level in LEVELS_ZH and rest in _LEVEL_COLUMNS:
        return _LEVEL_COLUMNS[rest].format(LEVELS_ZH[level])
    for head in sorted(_STANDARD_COLUMNS, key=len, reverse=True):  # unknown_uncovered_ before uncovered_
        if column.startswith(head):
            return _STANDARD_COLUMNS[head].format(standard_name(column.removeprefix(head), "zh"))
    return column


def excel_headers(columns: list[str], language: str) -> list[str]:
    """``columns`` as the Excel copy's headers in ``language`` (English: as they are)."""
    return [_zh(str(c)) for c in columns] if language == "zh" else [str(c) for c in columns]
