"""Names for the demo city: people, streets, communities, places.

Surname weights follow the published frequency of Chinese surnames, nudged towards Hunan
(刘, 李, 陈, 彭, 谭, 罗, 唐, 邓, 易, 贺 are more common there than nationally). Given names
are drawn from pools by sex and by generation, since a name like 桂英 is typical of someone
born in the 1950s and 梓涵 of someone born after 2010.
"""

from __future__ import annotations

import random
from itertools import accumulate

SURNAMES: tuple[tuple[str, float], ...] = (
    ("刘", 7.2),
    ("李", 7.0),
    ("陈", 6.0),
    ("王", 5.6),
    ("张", 5.2),
    ("周", 3.2),
    ("彭", 2.4),
    ("谭", 2.2),
    ("罗", 2.2),
    ("唐", 2.1),
    ("黄", 2.0),
    ("邓", 1.9),
    ("杨", 1.9),
    ("易", 1.4),
    ("贺", 1.3),
    ("曾", 1.3),
    ("胡", 1.3),
    ("吴", 1.2),
    ("肖", 1.2),
    ("谢", 1.1),
    ("赵", 1.1),
    ("文", 1.0),
    ("朱", 1.0),
    ("何", 1.0),
    ("袁", 0.9),
    ("龙", 0.9),
    ("蒋", 0.9),
    ("廖", 0.9),
    ("郭", 0.8),
    ("欧阳", 0.5),
    ("徐", 0.8),
    ("孙", 0.7),
    ("马", 0.7),
    ("许", 0.7),
    ("宋", 0.6),
    ("邹", 0.7),
    ("汤", 0.6),
    ("夏", 0.6),
    ("颜", 0.5),
    ("段", 0.5),
    ("尹", 0.5),
    ("钟", 0.5),
    ("田", 0.5),
    ("丁", 0.4),
    ("汪", 0.4),
    ("蔡", 0.4),
    ("郑", 0.5),
    ("梁", 0.5),
    ("林", 0.5),
    ("高", 0.5),
    ("韩", 0.4),
    ("冯", 0.4),
    ("曹", 0.4),
    ("董", 0.4),
    ("潘", 0.4),
    ("于", 0.3),
    ("余", 0.4),
    ("杜", 0.3),
    ("叶", 0.4),
    ("程", 0.3),
    ("苏", 0.3),
    ("魏", 0.3),
    ("吕", 0.3),
    ("任", 0.3),
    ("沈", 0.3),
    ("姚", 0.3),
    ("卢", 0.3),
    ("姜", 0.3),
    ("陆", 0.2),
    ("范", 0.3),
    ("石", 0.3),
    ("贾", 0.2),
    ("方", 0.3),
    ("白", 0.2),
    ("孟", 0.2),
    ("熊", 0.4),
    ("秦", 0.2),
    ("邱", 0.3),
    ("江", 0.3),
    ("侯", 0.2),
    ("史", 0.2),
    ("陶", 0.3),
    ("黎", 0.3),
    ("顾", 0.2),
    ("毛", 0.3),
    ("龚", 0.3),
    ("邵", 0.2),
    ("万", 0.2),
    ("严", 0.2),
    ("向", 0.3),
    ("阳", 0.3),
    ("伍", 0.3),
    ("符", 0.2),
    ("凌", 0.2),
    ("左", 0.2),
    ("聂", 0.2),
    ("戴", 0.2),
    ("莫", 0.2),
)

# Given names by (sex, generation): generation 0 born before 1965, 1 from 1965 to 1994,
# 2 from 1995.
_GIVEN = {
    ("M", 0): "建国 国强 建华 志明 德明 正华 国庆 建军 卫东 爱民 振华 水生 春生 长根 桂生 "
    "福生 国平 运来 光辉 铁军 胜利 新民 跃进 援朝 红军 德胜 有才 金生 汉生 "
    "明 华 军 强 平",
    ("F", 0): "桂英 秀英 淑珍 玉兰 桂兰 秀兰 凤英 金莲 翠兰 冬梅 春梅 秀珍 玉梅 菊英 爱华 "
    "美华 秋菊 淑华 腊梅 满秀 月娥 桂香 凤 英 兰 珍 芳 梅",
    ("M", 1): "伟 勇 军 磊 涛 斌 杰 鹏 浩 刚 辉 亮 波 超 明 俊 建平 志强 海波 永红 晓东 "
    "建波 文军 立新 小平 志勇 剑 锋 峰 湘平 湘军 卫平 宏伟 国华",
    ("F", 1): "丽 娟 艳 敏 静 芳 玲 燕 红 霞 萍 琴 慧 婷 洁 晓燕 丽娟 海燕 小红 春燕 "
    "湘华 湘玲 丽萍 美玲 雪梅 晓玲 红梅 桂芳 立平 莉",
    ("M", 2): "子轩 浩然 宇轩 梓豪 俊杰 博文 皓轩 一鸣 子墨 铭泽 宇航 思远 天佑 嘉豪 "
    "睿 轩 浩 宸 泽宇 梓睿 奕辰 沐阳 承泽 明轩 锦程 亦凡 俊熙 子豪",
    ("F", 2): "梓涵 欣怡 诗涵 紫涵 一诺 雨桐 可馨 语嫣 思琪 梦瑶 若曦 子萱 佳怡 欣妍 "
    "雨萱 诗琪 梓萱 悦 彤 琪 瑶 怡 芷若 佳琪 婉清 语桐 心怡 安琪",
}
GIVEN_NAMES = {key: tuple(text.split()) for key, text in _GIVEN.items()}

_SURNAME_VALUES = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(accumulate(w for _, w in SURNAMES))


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_VALUES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    generation = 0 if birth_year < 1965 else 1 if birth_year < 1995 else 2
    return rng.choice(GIVEN_NAMES[(sex, generation)])


def full_name(rng: random.Random, sex: str, birth_year: int, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, sex, birth_year)


# The five urban districts of Zhuzhou with their GB/T 2260 codes, centroid and a weight
# close to their share of the urban population.
DISTRICTS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("430202", "荷塘区", "Hetang", 27.858, 113.170, 0.22),
    ("430203", "芦淞区", "Lusong", 27.800, 113.160, 0.20),
    ("430204", "石峰区", "Shifeng", 27.895, 113.115, 0.16),
    ("430211", "天元区", "Tianyuan", 27.830, 113.080, 0.26),
    ("430212", "渌口区", "Lukou", 27.700, 113.145, 0.16),
)

STREETS: dict[str, tuple[str, ...]] = {
    "430202": (
        "月塘街道",
        "茨菇塘街道",
        "宋家桥街道",
        "桂花街道",
        "金山街道",
        "明照街道",
        "仙庾街道",
    ),
    "430203": (
        "建设街道",
        "贺家土街道",
        "建宁街道",
        "庆云街道",
        "枫溪街道",
        "龙泉街道",
        "董家塅街道",
        "白关街道",
    ),
    "430204": (
        "清水塘街道",
        "响石岭街道",
        "铜塘湾街道",
        "井龙街道",
        "田心街道",
        "龙头铺街道",
        "云田街道",
    ),
    "430211": (
        "嵩山路街道",
        "泰山路街道",
        "栗雨街道",
        "马家河街道",
        "群丰街道",
        "雷打石街道",
        "三门街道",
    ),
    "430212": ("渌口街道", "南洲街道", "朱亭街道", "龙船街道", "淦田街道", "古岳峰街道"),
}

_COMMUNITY_STEMS_TEXT = (
    "泰山路 新华 建设 和平 幸福 湘江 桂花 东方 红旗 向阳 友谊 光明 人民 金桥 文化 滨江 "
    "翠竹 枫林 曙光 朝阳 南华 北湖 长江 黄河 珠江 华山 衡山 白石港 荷花 樟树 栗雨 "
    "天台 滨湖 新塘 何家坳 合泰 八达 钻石 星光 丽景 体育 航空 金钩山 石宋 响石 田心 "
    "清水 井墈 铜锣 红港 龙泉 庆云 枫溪 月塘 茨菇 仙庾 金山 明照 宋家 戴家岭 太阳 "
    "建宁 董家 白关 南洲 朱亭 龙船 淦田 古岳 荷塘 芦淞 石峰 神农 炎帝 云龙 湘水"
)
COMMUNITY_STEMS = tuple(_COMMUNITY_STEMS_TEXT.split())
COMMUNITY_SUFFIXES = ("", "东", "西", "南", "北", "新村", "花园", "中")

BRIDGES = (
    # (name, east-bank district code); the west bank is 天元区 for every bridge.
    ("株洲湘江大桥", "430204"),
    ("建宁大桥", "430203"),
    ("枫溪大桥", "430203"),
    ("石峰大桥", "430204"),
    ("清水塘大桥", "430204"),
    ("渌口湘江大桥", "430212"),
)

HOSPITALS: tuple[tuple[str, str, str], ...] = (
    # (name, district code, kind): one "designated_hospital" per district.
    ("株洲市中心医院", "430211", "designated_hospital"),
    ("株洲市三医院", "430202", "designated_hospital"),
    ("湖南省直中医医院", "430203", "designated_hospital"),
    ("株洲市二医院", "430204", "designated_hospital"),
    ("渌口区人民医院", "430212", "designated_hospital"),
    ("株洲市妇幼保健院", "430203", "hospital"),
    ("株洲市中医伤科医院", "430202", "hospital"),
    ("天元区人民医院", "430211", "hospital"),
    ("石峰区人民医院", "430204", "hospital"),
    ("荷塘区人民医院", "430202", "hospital"),
)
MATERNITY_HOSPITAL = "株洲市中心医院"

ENTERPRISES: tuple[tuple[str, str], ...] = (
    ("中车株洲电力机车有限公司", "430204"),
    ("中车株洲电机有限公司", "430204"),
    ("株洲中车时代电气股份有限公司", "430204"),
    ("中国航发南方工业有限公司", "430203"),
    ("株洲冶炼集团股份有限公司", "430204"),
    ("株洲硬质合金集团有限公司", "430202"),
    ("株洲千金药业股份有限公司", "430211"),
    ("湖南华升株洲雪松有限公司", "430202"),
    ("株洲湘江大桥改建工程项目部", "430211"),
    ("渌口经开区食品产业园", "430212"),
)

PHARMACY_CHAINS = ("老百姓大药房", "益丰大药房", "养天和大药房")
SHOP_NAMES = ("便民超市", "生鲜超市", "步步高超市")
HOTELS = ("锦江之星", "维也纳酒店", "城市便捷酒店", "7天酒店")
PHONE_PREFIXES = (
    "138",
    "139",
    "135",
    "136",
    "137",
    "150",
    "151",
    "152",
    "158",
    "159",
    "187",
    "188",
    "182",
    "183",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "176",
    "199",
    "191",
)
