"""Chinese for the notes an office's own files raise (a census table, a registry's repeated rows):
English stage text -> Chinese by pattern, merged into :data:`urbanrisk.outputs.i18n_pages.ZH_PAGE_PATTERNS`.
Names, file names and sheet names stay as written.
"""

from __future__ import annotations

_LAYER = r"layer '([^']*)'"

#: (pattern, replacement) pairs, tried in order after the page patterns before them.
ZH_OFFICE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^census table: (.+?) \(([\d,]+) residents in (\d+) units? of " + _LAYER + r"\), "
        r"spread by residential floor area$",
        r"人口统计表 \1（图层 '\4' 的 \3 个单元共 \2 人），按居住建筑面积分配到网格",
    ),
    (
        r"^census table: (.+?) \(([\d,]+) residents in (\d+) units? of (.+)\), "
        r"spread by residential floor area$",
        r"人口统计表 \1（\4 的 \3 个单元共 \2 人），按居住建筑面积分配到网格",
    ),
    (
        r"^(\w+): skipped the total rows \(sheet '([^']*)' row (\d+)\) of (.+)$",
        r"\1：已跳过 \4 中的合计行（工作表 '\2' 第 \3 行），不计入常住人口",
    ),
    (
        r"^(\w+): skipped the total rows \(row (\d+)\) of (.+)$",
        r"\1：已跳过 \3 中的合计行（第 \2 行），不计入常住人口",
    ),
    (r"^(\w+): skipped the total rows \((.+)\) of (.+)$", r"\1：已跳过 \3 中的合计行（\2），不计入常住人口"),
    (
        r"^population table: units outside the study area \((\d+)\), their ([\d,]+) residents not "
        r"counted: (.*)$",
        r"人口统计表：\1 个单元在研究区外，其 \2 人不计入：\3",
    ),
    (
        r"^population table: units reaching outside the study area \((\d+)\): each counts its residents "
        r"times the share of its area inside \((.*)\)$",
        r"人口统计表：\1 个单元部分在研究区外，各按其在研究区内的面积比例计入常住人口（\2）",
    ),
    (
        r"^population table: no mapped residential floor area in (.*)$",
        r"人口统计表：以下单元无已测绘的居住建筑面积，改按栅格或面积分配：\1",
    ),
    (
        r"^(\w+): units of " + _LAYER + r" without a row in the table \((\d+)\), their residents unknown "
        r"\(not 0\): (.*)$",
        r"\1：图层 '\2' 中 \3 个单元在人口统计表中没有对应行，其常住人口未知（并非 0）：\4",
    ),
    (
        r"^(\w+): units without a readable count \((\d+)\), their residents unknown \(not 0\): (.*)$",
        r"\1：\2 个单元的人口数无法读取，其常住人口未知（并非 0）：\3",
    ),
    (
        r"^(\w+): units of (.+) overlap \(share of the smaller unit\): (.*); each cell goes to one of them "
        r"\(the one holding its centre\): "
        r"check their boundaries$",
        r"\1：\2 中有单元相互重叠（括号内为重叠部分占较小单元的比例）：\3；"
        r"每个网格单元只归入其中一个（中心所在者）：请核对边界",
    ),
    (
        r"^(\w+): (.+) repeats (\d+) rows? word for word( \(.*\))?: counted once; delete the copies, or "
        r"give each row its own id \(id_column\)$",
        r"\1：\2 中有 \3 行与前面的行完全相同\4：只计一次；请删除重复行，或为每行给出各自的编号（id_column）",
    ),
)
