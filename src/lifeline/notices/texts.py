"""The templates of the seed's notices, in both languages, and the ready texts a draft
starts from. A template's ``{place}`` and ``{times}`` are filled by the drafter."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.notices.models import NoticeCategory


@dataclass(frozen=True)
class NoticeTemplate:
    category: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    must_reach: bool


# The notices of the seed: test times, what reopens, and hygiene. Texts are kept in both
# languages here rather than through gettext: a notice is published in both at once,
# whatever the drafter's page language.
TEMPLATES: dict[str, NoticeTemplate] = {
    NoticeCategory.TESTING: NoticeTemplate(
        NoticeCategory.TESTING,
        "核酸检测通知",
        "Testing notice",
        "明日采样时间 7:00-11:00，地点：{place}。请全体居民持身份证、佩戴口罩、保持一米间距，"
        "按楼栋分批下楼。",
        "Sampling tomorrow 7:00-11:00 at {place}. Every resident: bring your ID card, wear a "
        "mask, keep one metre apart and come down building by building.",
        True,
    ),
    NoticeCategory.REOPENING: NoticeTemplate(
        NoticeCategory.REOPENING,
        "有序恢复营业通知",
        "What reopens",
        "{place}最多开放 3 家商店。每户每天限一人凭通行证外出购物，须持 7 天内 5 次阴性核酸"
        "检测结果。",
        "At most 3 shops reopen in {place}. One person per household a day may go shopping, "
        "with a pass and 5 negative tests in the last 7 days.",
        False,
    ),
    NoticeCategory.HYGIENE: NoticeTemplate(
        NoticeCategory.HYGIENE,
        "个人防护提示",
        "Protect yourself",
        "勤洗手、常通风、戴口罩、不聚集。",
        "Wash hands, ventilate, wear a mask, don't gather.",
        False,
    ),
}


def template_for(category: str, *, place: str = "", place_en: str = "") -> dict[str, object]:
    """A draft's starting fields for ``category`` (empty for an unknown one)."""
    found = TEMPLATES.get(category)
    if found is None:
        return {}
    return {
        "category": found.category,
        "title_zh": found.title_zh,
        "title_en": found.title_en,
        "body_zh": found.body_zh.format(place=place or "……"),
        "body_en": found.body_en.format(place=place_en or place or "..."),
        "must_reach": found.must_reach,
    }
