"""Plausible agency names built from real region and organ name parts.

The parts are real words, the combinations are random: a generated name may or may not
exist, and no generated document is a copy of a real one.
"""

from __future__ import annotations

import random
from collections.abc import Callable

CITIES: tuple[str, ...] = (
    "南平",
    "宜昌",
    "绵阳",
    "赣州",
    "遵义",
    "曲靖",
    "邢台",
    "临沂",
    "株洲",
    "柳州",
    "天水",
    "九江",
    "湖州",
    "芜湖",
    "泉州",
    "襄阳",
    "常德",
    "德阳",
    "洛阳",
    "淮安",
)
DISTRICTS: tuple[str, ...] = (
    "城关",
    "新华",
    "东城",
    "西湖",
    "江北",
    "河西",
    "长安",
    "青山",
    "金水",
    "鼓楼",
    "龙华",
    "白云",
    "高新",
    "经开",
    "临江",
    "北塘",
)
COUNTIES: tuple[str, ...] = (
    "永安",
    "宁化",
    "安福",
    "石城",
    "兴山",
    "平江",
    "宁乡",
    "大安",
    "桐庐",
    "高安",
    "崇义",
    "凤凰",
    "泰和",
    "武义",
    "长汀",
    "建宁",
)
TOWNS: tuple[str, ...] = (
    "城南",
    "桥头",
    "白沙",
    "清河",
    "高桥",
    "双溪",
    "石门",
    "河口",
    "新塘",
    "黄田",
)
DEPARTMENTS: tuple[str, ...] = (
    "财政局",
    "教育局",
    "民政局",
    "司法局",
    "审计局",
    "统计局",
    "水利局",
    "商务局",
    "自然资源和规划局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "生态环境局",
    "卫生健康委员会",
    "交通运输局",
    "农业农村局",
    "应急管理局",
    "文化和旅游局",
    "地方金融工作局",
    "医疗保障局",
    "退役军人事务局",
    "人民政府办公室",
    "发展和改革委员会",
    "城市管理局",
)
# Only a region's own government issues 规章, so section 二 row 规章 is non-zero only for these.
GOVERNMENT_SUFFIX = "人民政府"


def _city_government(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}市{GOVERNMENT_SUFFIX}"


def _district_government(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}区{GOVERNMENT_SUFFIX}"


def _city_department(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}市{rng.choice(DEPARTMENTS)}"


def _district_department(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}区{rng.choice(DEPARTMENTS)}"


def _county_department(rng: random.Random) -> str:
    return f"{rng.choice(COUNTIES)}县{rng.choice(DEPARTMENTS)}"


def _town_government(rng: random.Random) -> str:
    return f"{rng.choice(COUNTIES)}县{rng.choice(TOWNS)}镇{GOVERNMENT_SUFFIX}"


def _street_office(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}区{rng.choice(TOWNS)}街道办事处"


# Departments outnumber governments on the real disclosure platforms, hence the repeats.
_PATTERNS: tuple[Callable[[random.Random], str], ...] = (
    _city_government,
    _district_government,
    _city_department,
    _city_department,
    _district_department,
    _district_department,
    _county_department,
    _county_department,
    _town_government,
    _street_office,
)


def random_agency(rng: random.Random) -> str:
    """One agency name such as ``宜昌市西湖区财政局`` or ``永安县白沙镇人民政府``."""
    return rng.choice(_PATTERNS)(rng)


def is_government(agency: str) -> bool:
    """True for a region's own government (the only issuer of 规章 among our names)."""
    return agency.endswith(GOVERNMENT_SUFFIX) and "镇" not in agency


def random_phone(rng: random.Random) -> str:
    """A made-up landline number in the usual ``0xxx-xxxxxxx`` form."""
    return f"0{rng.randint(100, 999)}-{rng.randint(2000000, 8999999)}"
