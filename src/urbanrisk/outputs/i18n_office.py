"""Chinese for the notes an office's own registries and unit files raise (a row pasted twice,
overlapping units): English stage text -> Chinese by pattern, gathered by :mod:`.i18n_more`.
Names, file names and ids stay as written. (A census table's notes: :mod:`.i18n_census`.)
"""

from __future__ import annotations

import re
from typing import Any


def zh_rows(listed: str) -> str:
    """A note's list of rows in Chinese.

    >>> zh_rows("sheet '台账' row 5, row 7 and 2 more")
    "工作表 '台账' 第 5 行、第 7 行，另有 2 处"
    """
    text = re.sub(r"sheet '(.+?)' row (\d+)", r"工作表 '\1' 第 \2 行", listed)
    text = re.sub(r"\brow (\d+)", r"第 \1 行", text)
    return re.sub(r" and (\d+) more$", r"，另有 \1 处", text).replace(", ", "、")


#: (pattern, replacement) pairs.
ZH_OFFICE_PATTERNS: tuple[tuple[str, Any], ...] = (
    (
        r"^(\w+): units of (.+) overlap \(share of the smaller unit\): (.*); each cell goes to one of them "
        r"\(the one holding its centre\): check their boundaries$",
        r"\1：\2 中有单元相互重叠（括号内为重叠部分占较小单元的比例）：\3；"
        r"每个网格单元只归入其中一个（中心所在者）：请核对边界",
    ),
    (
        r"^(\w+): (.+) repeats (\d+) rows? word for word( \(.*\))?: counted once; delete the copies, or "
        r"give each row its own id \(id_column\)$",
        r"\1：\2 中有 \3 行与前面的行完全相同\4：只计一次；请删除重复行，或为每行给出各自的编号（id_column）",
    ),
    (
        r"^(\w+): (\d+) quantit(?:y|ies) of (.+) ha(?:s|ve) no unit \((.*)\) and (?:was|were) taken as "
        r"tonnes \(GB 18218's unit\): write the unit in the cell \(800 kg\), in a unit column or in the "
        r"column's header \(quantity \(t\)\)$",
        r"\1：\3 中有 \2 个存量未写单位（\4），已按吨（GB 18218 的单位）计：请在单元格中写明单位（800公斤），"
        r"或写在“单位”列或表头中（最大存量（吨））",
    ),
    (
        r"^(\w+): (\d+) rows? names? in column '(.+?)' of (.+?) another unit than the one the point lies in "
        r"\((.*)\): a typo in the name or in the coordinates; check them \(nothing is re-assigned: each "
        r"point counts where it lies\)$",
        r"\1：\4 的“\3”列中有 \2 行所写单位与其坐标所在单位不同（\5）：名称或坐标有误，请核对"
        r"（不会自动改归：每个点按其坐标所在单位计）",
    ),
    (
        r"^(\w+): removed (\d+) control character\(s\) \(NUL, line breaks\.\.\.\) from the text of (.+?) "
        r"\((.*)\): check those cells$",
        r"\1：已从 \3 的文字中删除 \2 个控制字符（NUL、换行等）（\4）：请核对这些单元格",
    ),
    (  # session 22 (ids23): A\u200b1 read as A1
        r"^(\w+): removed invisible characters \(zero-width space, joiner, BOM\) from (\d+) of the ids of "
        r"(.+?) \((.*)\): each id now reads as it looks; check those cells$",
        lambda m: (
            f"{m[1]}：已从 {m[3]} 的 {m[2]} 个编号中删除不可见字符（零宽空格、连接符、BOM）"
            f"（{zh_rows(m[4]).replace('unit ', '单元 ')}）：编号按其所见读取；请核对这些单元格"
        ),
    ),
    (
        r"^(\w+): filled (\d+) merged cell\(s\) of sheet '(.+?)' of (.+?) down \((.*)\): each row of a merge "
        r"reads the merge's value$",
        lambda m: (
            f"{m[1]}：{m[4]} 的工作表 '{m[3]}' 中有 {m[2]} 处合并单元格跨越多行（"
            + re.sub(r"'(.+?)' rows (\d+)-(\d+)", r"“\1”列第 \2-\3 行", m[5])
            .replace(", ", "、")
            .replace(" and ", "，另有 ")
            .replace(" more", " 处")
            + "），已向下填充：合并范围内每一行均取合并单元格的值"
        ),
    ),
    (
        r"^(\w+): column '(.+?)' of (.+?) was not compared with the units: no unit layer has level (\w+), "
        r"and a layer without `level:` has names that do not all end in (\S+): set `level: (\w+)` on the "
        r"layer of those units to have each row's \S+ checked$",
        r"\1：未将 \3 的“\2”列与单元核对：没有图层声明 level \4，"
        r"而未写 `level:` 的单元图层中名称并非都以“\5”结尾："
        r"请在这些单元的图层上写明 `level: \6`，以便逐行核对所属\5",
    ),
    (  # session 18 (office18): an Excel error in a name cell; an .xls whose formatting xlrd cannot read
        r"^(\w+): (\d+) name\(s\) of (.+?) are Excel errors, not names \((.*)\): read as no name; fix the "
        r"formulas in those cells, or type the names$",
        lambda m: (
            f"{m[1]}：{m[3]} 中有 {m[2]} 个名称是 Excel 错误值，不是名称"
            f"（{zh_rows(m[4]).replace(': ', '：')}）：按无名称处理；请修正这些单元格中的公式，或直接填写名称"
        ),
    ),
    (
        r"^(\w+): the formatting of (.+?) could not be read: cells merged over several rows were not filled "
        r"down \(each row after a merge's first reads empty\); unmerge them in Excel and fill the cells$",
        r"\1：无法读取 \2 的格式信息：跨越多行的合并单元格未能向下填充（合并范围内除第一行外均读作空白）；"
        r"请在 Excel 中取消合并并填写这些单元格",
    ),
    (  # office18: 高德经度 / 百度纬度 read as WGS84 without `coords:`
        r"^(\w+): the columns '(.+?)' / '(.+?)' of (.+?) name (GCJ-02|BD-09) coordinates \(a map service's\) "
        r"but are read as WGS84 \(coords: wgs84, the default\), some 300-700 m off in China: add coords: "
        r"(\w+) to the layer, or rename the columns if they hold WGS84$",
        r"\1：\4 的“\2”/“\3”列名表明是 \5 坐标（地图服务商的坐标），却按 WGS84 读取"
        r"（coords: wgs84，默认值），在中国境内会偏移约 300-700 米：请在该图层上写明 coords: \6；"
        r"若这两列实为 WGS84，请修改列名",
    ),
    (
        r"^(\w+): (\d+) name\(s\) of (.+?) longer than (\d+) characters cut to \d+ \((.*)\): shorten them$",
        lambda m: (
            f"{m[1]}：{m[3]} 中有 {m[2]} 个名称超过 {m[4]} 个字符，"
            f"已截断为 {m[4]} 个字符（{zh_rows(m[5])}）：请缩短这些名称"
        ),
    ),
)
