"""How well the GBK-read-as-UTF-8 check (urbanrisk.layers.encoding.gbk_read_as_utf8) tells GBK from UTF-8.

    PYTHONPATH=src python benchmarks/gbk_names.py

Missed: GBK rows whose bytes happen to be valid UTF-8 (they read as garbage without an error) that the
check does not flag. False positives: honest UTF-8 lines it flags (the file would be refused). Measured on
real Chinese place and facility names (composed by hand, each a row ``1,<name>,116.3,39.9`` pasted into a
UTF-8 registry), every GB2312 level-1 character as a one-character name, honest names in other alphabets
and units (° ² ³ μ), and the CSV tables the project ships. Run it with a base tree's src to compare.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from urbanrisk.layers.encoding import gbk_read_as_utf8

ROOT = Path(__file__).resolve().parents[1]
#: real names: Beijing's districts, 街道 and 镇, communities and villages, facilities, other cities' places
PLACES = """
东城区 西城区 朝阳区 丰台区 石景山区 海淀区 门头沟区 房山区 通州区 顺义区 昌平区
大兴区 怀柔区 平谷区 密云区 延庆区 万寿路街道 永定路街道 羊坊店街道 甘家口街道
八里庄街道 紫竹院街道 北下关街道 北太平庄街道 学院路街道 中关村街道 海淀街道 青龙桥街道
清华园街道 燕园街道 香山街道 清河街道 花园路街道 西三旗街道 马连洼街道 田村路街道
上地街道 万柳地区 东升地区 曙光街道 温泉镇 四季青镇 西北旺镇 苏家坨镇 上庄镇 双榆树
五道口 成府路 蓝旗营 六道口 志新村 学清路 荷清路 双清路 展春园 东王庄 西王庄 石板房
八家村 清华东路 北四环西路 知春路 知春里 科学院南路 保福寺 北京大学 清华大学
北京邮电大学 北京语言大学 北京林业大学 中国农业大学 北京航空航天大学 中国人民大学
北京师范大学 海淀医院 北医三院 航天中心医院 中关村医院 清华大学玉泉医院 海淀区妇幼保健院
社区卫生服务中心 学院路社区卫生服务中心 中关村消防站 海淀消防支队 五道口派出所 清华园派出所
学院路派出所 北太平庄派出所 应急避难场所 紫竹院公园 玉渊潭公园 中国石化加油站
中国石油加油站 壳牌加油站 液化气站 燃气调压站 变电站 储气罐 危险化学品仓库 油库 液氨储罐
加气站 五道口购物中心 华联商厦 当代商城 双安商场 中关村广场 海龙大厦 鼎好大厦 新中关
华清嘉园 清华园小区 荷清苑 蓝旗营小区 石景山游乐园 首钢园 永定河 昆明湖 颐和园 圆明园
香山公园 八大处 西山 百望山 凤凰岭 阳台山 妙峰山 上方山 天安门 王府井 前门 大栅栏
南锣鼓巷 什刹海 后海 鼓楼 雍和宫 地坛 天坛 先农坛 陶然亭 龙潭湖 朝阳公园 奥林匹克公园
望京 酒仙桥 三里屯 国贸 双井 劲松 潘家园 十里河 方庄 宋家庄 亦庄 旧宫 西红门 黄村
天通苑 回龙观 沙河 南口 小汤山 上海 浦东新区 黄浦区 徐汇区 静安区 长宁区 普陀区
虹口区 杨浦区 闵行区 宝山区 嘉定区 松江区 青浦区 奉贤区 金山区 崇明区 广州 天河区
越秀区 荔湾区 海珠区 白云区 番禺区 花都区 南沙区 深圳 福田区 罗湖区 南山区 宝安区
龙岗区 盐田区 龙华区 成都 锦江区 青羊区 金牛区 武侯区 成华区 武汉 江岸区 江汉区
硚口区 汉阳区 武昌区 洪山区 南京 玄武区 秦淮区 鼓楼区 建邺区 杭州 西湖区 上城区
拱墅区 滨江区 萧山区 余杭区 西安 雁塔区 碑林区 莲湖区 新城区 未央区 灞桥区 长安区
重庆 渝中区 江北区 沙坪坝区 九龙坡区 南岸区 天津 和平区 河西区 南开区 河北区 红桥区
滨海新区 沈阳 大连 长春 哈尔滨 济南 青岛 郑州 长沙 南昌 合肥 福州 厦门 南宁 海口
昆明 贵阳 拉萨 兰州 西宁 银川 乌鲁木齐 呼和浩特 太原 石家庄 苏州 无锡 宁波 温州
佛山 东莞 城关镇 新华街道 解放路街道 人民路街道 中山路街道 建设路街道 胜利街道 东风街道
红旗街道 光明街道 前进街道 和平街道 东关社区 西关社区 南关社区 北关社区 幸福里社区
花园社区 文化社区 育才社区 新村社区 河东村 河西村 李家庄 王家庄 张家湾
""".split()  # noqa: SIM905
#: names of one character and short facility names an office writes in a column of its own
SHORT = list("院站库厂所校局店场馆园村镇乡区县市街路巷桥山河湖井塔楼仓罐池坝闸堤")

#: honest UTF-8 lines beyond Chinese: names in other alphabets, units, signs
OTHER = [
    "Пожарная часть № 5,Москва",
    "Уфа",
    "Омск",
    "Ереван,Երևան",
    "и",
    "Αθήνα",
    "Πυροσβεστική",
    "αβγ",
    "מכבי אש,תל אביב",
    "باب",
    "دبي",
    "إطفاء",
    "Café,Zürich",
    "Nguyễn Trãi,Hà Nội",
    "Kraków,Łódź",
    "Škoda,Žilina",
    "Lưu,Hương",
    "Ōsaka,Tōkyō",
    "Ağrı,Iğdır",
    "São Paulo",
    "tank 3,500 m³",
    "area,1200 m²",
    "116°18′,39°59′",
    "benzene,5 μg",
    "μ",
    "买买提·艾力",
    "±0.5",
]


def rows(names: list[str]) -> list[str]:
    return [f"1,{name},116.3,39.9" for name in names]


def gb2312_level1() -> list[str]:
    """Every GB2312 level-1 character (3,755, the commonest), each as a name of one character."""
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def pasted(row: str) -> bytes:
    """A UTF-8 registry (BOM, Chinese header and row) with one GBK row pasted at its end."""
    head = "\ufeffid,名称,经度,纬度\n1,中关村消防站,116.31,39.98\n".encode()
    return head + row.encode("gbk") + b"\n"


def gbk_rows(names: list[str]) -> tuple[int, int]:
    """(rows whose GBK bytes are valid UTF-8, of them the ones flagged)."""
    valid = flagged = 0
    for row in rows(names):
        data = pasted(row)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        valid += 1
        flagged += bool(gbk_read_as_utf8(data))
    return valid, flagged


def honest(lines: list[str]) -> list[str]:
    """The honest UTF-8 lines flagged (each alone in a file with a Chinese header, and all in one file)."""
    wrong = [line for line in lines if gbk_read_as_utf8(f"id,名称,经度,纬度\n{line}\n".encode())]
    together = gbk_read_as_utf8(("\n".join(lines) + "\n").encode())
    return wrong + [lines[number - 1] for number, *_ in together if lines[number - 1] not in wrong]


def shipped() -> tuple[int, list[str]]:
    """(the project's CSV / TSV / TXT tables read, the ones flagged)."""
    found = [
        p
        for where in ("layers", "recipes", "src/urbanrisk/tables", "tests/data")
        for p in sorted((ROOT / where).rglob("*"))
        if p.suffix.lower() in (".csv", ".tsv", ".txt")
    ]
    found += sorted(p for p in Path("/work/shared/data").rglob("*") if p.suffix.lower() in (".csv", ".txt"))
    flagged = []
    for path in found:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not UTF-8: the check is not asked
        if gbk_read_as_utf8(data.removeprefix(codecs.BOM_UTF8)):
            flagged.append(str(path))
    return len(found), flagged


def cpu_of_a_megabyte(rounds: int = 5) -> float:
    """The check's CPU seconds (best of ``rounds``) over the first MB of a UTF-8 registry of these names
    (what a run reads to tell a file's encoding)."""
    import time

    names = sorted(set(PLACES))
    rows = [
        f"{i},{names[i % len(names)]},{116 + i % 997 / 1e3:.4f},{39 + i % 991 / 1e3:.4f},容纳{i % 500}人"
        for i in range(40_000)
    ]
    data = ("id,名称,经度,纬度,备注\n" + "\n".join(rows) + "\n").encode()[: 1 << 20]
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        gbk_read_as_utf8(data, complete=False)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    names = sorted(set(PLACES))
    groups = (("places", names), ("short names", SHORT), ("GB2312 level 1, one each", gb2312_level1()))
    for label, group in groups:
        valid, flagged = gbk_rows(group)
        missed = valid - flagged
        print(
            f"{label}: {len(group)} names, {valid} GBK rows valid UTF-8, {flagged} flagged, {missed} missed"
        )
    utf8 = honest(rows(names) + rows(SHORT))
    print(f"honest UTF-8 Chinese rows flagged: {len(utf8)} of {len(names) + len(SHORT)}")
    other = honest(rows(OTHER))
    print(f"honest UTF-8 lines in other alphabets / signs flagged: {len(other)} of {len(OTHER)} {other}")
    count, flagged = shipped()
    print(f"shipped tables flagged: {len(flagged)} of {count} {flagged}")
    print(f"CPU over 1 MB of UTF-8 Chinese rows (best of 5): {cpu_of_a_megabyte():.3f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
