"""The household list's columns, as communities name them, and the parsing of single cells.

One row per person; rows that share grid code, building and unit number form one household.
Headers are matched loosely (case, spaces, a leading ``*`` and a trailing ``(...)`` hint are
ignored) because every community's spreadsheet spells them a little differently.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.core.spreadsheets import normalise_header
from lifeline.registry.models import VulnerabilityKind


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    label: str | Promise
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("grid_code", "网格编码", "grid_code", _("grid code"), ("网格代码", "网格编号")),
    Column("building", "楼栋", "building", _("building"), ("楼栋号", "楼号", "楼栋名称")),
    Column("address", "地址", "address", _("address"), ("楼栋地址", "详细地址")),
    Column("unit_no", "房号", "unit_no", _("unit number"), ("房间号", "门牌号", "室")),
    Column(
        "household_phone",
        "户联系电话",
        "household_phone",
        _("household phone"),
        ("户电话", "家庭电话", "户主电话"),
    ),
    Column("name", "姓名", "name", pgettext_lazy("person", "name")),
    Column("sex", "性别", "sex", _("sex")),
    Column("birth_date", "出生日期", "birth_date", _("birth date"), ("出生年月日", "生日")),
    Column("phone", "手机", "phone", _("phone"), ("手机号", "手机号码", "个人电话")),
    Column(
        "id_number",
        "身份证号",
        "id_number",
        _("ID number"),
        ("身份证号码", "公民身份号码", "证件号码"),
    ),
    Column("relation", "与户主关系", "relation", _("relation to household"), ("关系",)),
    Column(
        "vulnerabilities",
        "特殊人群",
        "vulnerabilities",
        _("vulnerabilities"),
        ("特殊人群类别", "重点人群"),
    ),
    Column("gas_account", "燃气户号", "gas_account", _("gas account"), ("燃气账号",)),
    Column(
        "power_account", "电户号", "power_account", _("power account"), ("电力户号", "用电户号")
    ),
    Column("water_account", "水户号", "water_account", _("water account"), ("用水户号",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_COLUMNS = ("grid_code", "building", "unit_no", "name")
PERSON_KEYS = ("name", "sex", "birth_date", "phone", "id_number", "relation", "vulnerabilities")
HOUSEHOLD_KEYS = ("household_phone", "gas_account", "power_account", "water_account")
MAX_LENGTH = {
    "grid_code": 32,
    "building": 100,
    "address": 255,
    "unit_no": 30,
    "name": 50,
    "relation": 20,
    "gas_account": 32,
    "power_account": 32,
    "water_account": 32,
}


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.zh, column.en, column.key, *column.aliases):
            index[normalise_header(name)] = column.key
    for column in COLUMNS:  # English labels as a human would type them ("Grid code")
        index.setdefault(normalise_header(str(column.en).replace("_", " ")), column.key)
    return index


HEADER_INDEX = _header_index()


@functools.cache
def header_index() -> dict[str, str]:
    """``HEADER_INDEX`` with each column's label as the pages show it, in English and in
    Chinese ("Unit number", "房号"): a sheet whose headers were typed from the page reads."""
    index = dict(HEADER_INDEX)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for column in COLUMNS:
                index.setdefault(normalise_header(str(column.label)), column.key)
    return index


VULNERABILITY_LABELS: dict[str, str] = {
    "独居老人": VulnerabilityKind.ELDERLY_ALONE,
    "独居": VulnerabilityKind.ELDERLY_ALONE,
    "空巢老人": VulnerabilityKind.ELDERLY_ALONE,
    "残疾": VulnerabilityKind.DISABLED,
    "残疾人": VulnerabilityKind.DISABLED,
    "卧床": VulnerabilityKind.BEDRIDDEN,
    "失能": VulnerabilityKind.BEDRIDDEN,
    "行动不便": VulnerabilityKind.BEDRIDDEN,
    "孕妇": VulnerabilityKind.PREGNANT,
    "孕产妇": VulnerabilityKind.PREGNANT,
    "婴幼儿": VulnerabilityKind.INFANT,
    "新生儿": VulnerabilityKind.INFANT,
    "透析": VulnerabilityKind.DIALYSIS,
    "血透": VulnerabilityKind.DIALYSIS,
    "放化疗": VulnerabilityKind.CHEMO,
    "化疗": VulnerabilityKind.CHEMO,
    "放疗": VulnerabilityKind.CHEMO,
    "慢病用药": VulnerabilityKind.CHRONIC_MEDICATION,
    "长期服药": VulnerabilityKind.CHRONIC_MEDICATION,
    "精神障碍": VulnerabilityKind.MENTAL_ILLNESS,
    "精神疾病": VulnerabilityKind.MENTAL_ILLNESS,
    "无人监护未成年人": VulnerabilityKind.UNGUARDED_MINOR,
    "事实无人抚养儿童": VulnerabilityKind.UNGUARDED_MINOR,
}
# The label written back on export, so an exported file re-imports unchanged.
VULNERABILITY_EXPORT_ZH: dict[str, str] = {
    VulnerabilityKind.ELDERLY_ALONE: "独居老人",
    VulnerabilityKind.DISABLED: "残疾",
    VulnerabilityKind.BEDRIDDEN: "卧床",
    VulnerabilityKind.PREGNANT: "孕妇",
    VulnerabilityKind.INFANT: "婴幼儿",
    VulnerabilityKind.DIALYSIS: "透析",
    VulnerabilityKind.CHEMO: "放化疗",
    VulnerabilityKind.CHRONIC_MEDICATION: "慢病用药",
    VulnerabilityKind.MENTAL_ILLNESS: "精神障碍",
    VulnerabilityKind.UNGUARDED_MINOR: "无人监护未成年人",
}
_VULN_SPLIT = re.compile(r"[,，、;；/|\s]+")


def parse_vulnerabilities(text: str) -> tuple[list[str], list[str]]:
    """(kinds, unknown labels) from '独居老人、残疾' or 'elderly_alone,disabled'."""
    kinds: list[str] = []
    unknown: list[str] = []
    english = {str(label).lower(): value for value, label in VulnerabilityKind.choices}
    for part in _VULN_SPLIT.split(text.strip()):
        if not part:
            continue
        kind = (
            VULNERABILITY_LABELS.get(part)
            or english.get(part.lower())
            or (part.lower() if part.lower() in VulnerabilityKind.values else None)
        )
        if kind is None:
            unknown.append(part)
        elif kind not in kinds:
            kinds.append(str(kind))
    return kinds, unknown


_SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}


def parse_sex(text: str) -> str | None:
    return _SEX.get(text.strip().lower())
