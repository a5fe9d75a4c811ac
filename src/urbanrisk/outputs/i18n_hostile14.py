"""Chinese for what hostile input round 14 (session 20, hostile21) made the layer and recipe checks say: a
stray cell far below a registry or far right of its header.
Templates merged into :data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> said = check_text("r.yaml:9: layers.h.path: h.xlsx: its header names 'x' in column XFD, 16,379 "
...                   "empty columns right of the name before it ('纬度'): a stray cell? delete column XFD "
...                   "(in Excel, Ctrl+End goes to the last cell used) and save", "zh")
>>> said[25:76]
"h.xlsx：其表头在 XFD 列写有 'x'，与前一个列名（'纬度'）之间隔着 16,379 个空列"
"""

from __future__ import annotations

ZH_HOSTILE14_CHECKS: dict[str, str] = {
    "{path}: sheet '{sheet}' holds a value at row {n} (cell {cell}), {gap} empty rows below the value "
    "before it: a stray cell? delete row {n} (in Excel, Ctrl+End goes to it) and save, or save the "
    "registry as CSV": (
        "{path}：工作表 '{sheet}' 在第 {n} 行（单元格 {cell}）有一个值，与上一个值之间隔着 {gap} 个空行："
        "是误输入的单元格吗？请删除第 {n} 行（在 Excel 中按 Ctrl+End 可跳到该处）并保存，或把台账另存为 CSV"
    ),
    "{path}: its header names '{name}' in column {column}, {gap} empty columns right of the name before it "
    "('{before}'): a stray cell? delete column {column} (in Excel, Ctrl+End goes to the last cell used) "
    "and save": (
        "{path}：其表头在 {column} 列写有 '{name}'，与前一个列名（'{before}'）之间隔着 {gap} 个空列："
        "是误输入的单元格吗？请删除 {column} 列（在 Excel 中按 Ctrl+End 可跳到最后使用的单元格）并保存"
    ),
}
