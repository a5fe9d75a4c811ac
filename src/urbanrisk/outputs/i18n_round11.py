"""Chinese for what hostile input round 11 (session 17, office17) made the office's files say: coordinate
cells that tell what went wrong (an Excel error, a decimal comma, the header pasted again, 0, 0, lon and lat
swapped in a few rows, two lon columns that differ), sheets written out of order or damaged, and the
encoding a wrongly declared file reads as. Templates merged into :data:`.i18n_hostile.ZH_HOSTILE_CHECKS`.

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("h.csv: '#N/A' in row 3 is an Excel error, not a coordinate (a formula that "
...            "failed): fix the formula, or type the coordinates as numbers", "zh")
"h.csv：第 3 行 中的 '#N/A' 是 Excel 错误值，不是坐标（公式出错）：请修正公式，或直接填写坐标数值"
"""

from __future__ import annotations

ZH_ROUND11_CHECKS: dict[str, str] = {
    "{file}: '{value}' in {where} is an Excel error, not a coordinate (a formula that failed): fix the "
    "formula, or type the coordinates as numbers": (
        "{file}：{where} 中的 '{value}' 是 Excel 错误值，不是坐标（公式出错）：请修正公式，或直接填写坐标数值"
    ),
    "{file}: '{value}' in {where} writes its decimals after a comma: write {fixed} (a point before the "
    "decimals)": "{file}：{where} 中的 '{value}' 用逗号作小数点：请写成 {fixed}（小数点用“.”）",
    "{file}: {where} repeats the header ('{lon}', '{lat}'): two tables pasted together? delete that row": (
        "{file}：{where} 重复了表头（'{lon}'、'{lat}'）：是否把两张表粘贴在了一起？请删除该行"
    ),
    "{file}: '{lon}' / '{lat}' are 0, 0 in {where} (no place: empty coordinates written as 0?): fix or "
    "remove those rows": (
        "{file}：{where} 的 '{lon}' / '{lat}' 为 0, 0（不是实际地点：空坐标被写成了 0？）：请修正或删除这些行"
    ),
    "{file}: '{lon}' and '{lat}' look swapped in {where} ('{lat_again}' {y} is no latitude, "
    "'{lon_again}' {x} would be one): swap the two cells in those rows": (
        "{file}：{where} 的 '{lon}' 与 '{lat}' 似乎填反了（'{lat_again}' {y} 不是纬度，'{lon_again}' {x} "
        "才像纬度）：请在这些行中对调两个单元格"
    ),
    "{file}: the columns '{chosen}' and '{other}' both name the {key} and differ ({where}: {a} / {b}); "
    "'{chosen_again}' would be read: set `{key_again}:` to the right one, or delete the other column": (
        "{file}：'{chosen}' 与 '{other}' 两列都表示 {key}，但数值不同（{where}：{a} / {b}）；"
        "将读取 '{chosen_again}'：请用 `{key_again}:` 指定正确的一列，或删除另一列"
    ),
    "{file}: sheet '{sheet}' writes row {after} after row {before} (rows out of order: written by a "
    "program, not saved by Excel), so rows would be lost: open it in Excel and save it, or save the registry "
    "as CSV": (
        "{file}：工作表 '{sheet}' 把第 {after} 行写在第 {before} 行之后"
        "（行序错乱：由程序生成，未经 Excel 保存），会丢失行：请用 Excel 打开并保存，或将台账另存为 CSV"
    ),
    "cannot read sheet '{sheet}' of {file} ({problem}): the workbook is damaged; open it in Excel and save "
    "it, or save the registry as CSV": (
        "无法读取 {file} 的工作表 '{sheet}'（{problem}）：工作簿已损坏；"
        "请用 Excel 打开并保存，或将台账另存为 CSV"
    ),
    "{path} is not {codec} text (byte {byte} cannot be read); set `encoding:` to the file's encoding (e.g. "
    "gbk, gb18030, utf-8); it reads as {found}: set `encoding: {found_again}`, or leave `encoding:` out (it "
    "is detected)": (
        "{path} 不是 {codec} 编码的文本（第 {byte} 字节无法读取）；它可按 {found} 读取："
        "请设置 `encoding: {found_again}`，或删去 `encoding:`（会自动识别）"
    ),
    # the run's own messages that had no Chinese yet (validate's say the same in other words)
    "{file}: non-numeric lon/lat ('{lon}', '{lat}') in {where} (text, empty or infinite); fix or remove "
    "those rows": (
        "{file}：{where} 的经纬度（'{lon}'、'{lat}'）不是数值（文字、空白或无穷大）；请修正或删除这些行"
    ),
    "{file}: latitudes outside [-90, 90] (e.g. {value}) while the longitudes would be valid latitudes: the "
    "lon and lat columns look swapped; swap `lon:` and `lat:` in the recipe": (
        "{file}：有纬度超出 [-90, 90]（如 {value}），而经度都像是有效的纬度：经度列与纬度列似乎填反了；"
        "请在配方中对调 `lon:` 与 `lat:`"
    ),
    "{file} holds no points; remove the layer from the recipe if there are none (a resource registry that "
    "lists every one of a kind, and none here, says so: complete_for: [kind])": (
        "{file} 中没有任何点；若确实没有，请从配方中删去该图层（若资源台账列全了某一类而此处一个也没有，"
        "请写明：complete_for: [kind]）"
    ),
    "{file}: line {line} holds a cell of more than {limit} characters (a text pasted into one cell?): "
    "shorten it": (
        "{file}：第 {line} 行有一个单元格超过 {limit} 个字符（整段文字粘贴进了一个单元格？）：请缩短"
    ),
}
