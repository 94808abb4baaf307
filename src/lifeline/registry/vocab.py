"""Words the registry stores as codes and shows in the reader's language.

Relations to the head of household are kept as codes (``head``, ``spouse`` ...). Lists,
forms and the API accept the code, its English label or the Chinese words communities
write; rows written before the vocabulary (or by tools that write the words directly) still
read translated through ``relation_label``.
"""

from __future__ import annotations

import functools
import re

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


# The Chinese words a list may use for each relation; the first is written back on export.
RELATION_WORDS: dict[str, tuple[str, ...]] = {
    Relation.HEAD: ("户主", "本人", "户主本人"),
    Relation.SPOUSE: ("配偶", "妻子", "丈夫", "妻", "夫", "爱人", "老伴"),
    Relation.CHILD: ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女"),
    Relation.CHILD_IN_LAW: ("儿媳", "女婿", "子女配偶"),
    Relation.PARENT: ("父母", "父亲", "母亲", "父", "母"),
    Relation.PARENT_IN_LAW: ("公婆", "岳父母", "公公", "婆婆", "岳父", "岳母"),
    Relation.GRANDCHILD: ("孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙"),
    Relation.GRANDPARENT: ("祖父母", "外祖父母", "祖父", "祖母", "外祖父", "外祖母"),
    Relation.SIBLING: ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    Relation.TENANT: ("租户", "租客", "承租人"),
    Relation.OTHER: ("其他", "其它", "亲属", "家属", "亲戚", "朋友", "同住人", "借住", "保姆"),
}
RELATION_EXPORT_ZH = {code: words[0] for code, words in RELATION_WORDS.items()}


@functools.cache
def _by_word() -> dict[str, str]:
    """Every accepted spelling -> its code. Built on first use with the English labels read
    in English: at import time the active language may be any, and a label read then would
    be its translation (户主), not the English words a list may hold."""
    with translation.override("en"):
        english = {str(label).lower(): str(code) for code, label in Relation.choices}
    with translation.override("zh-hans"):
        chinese = {str(label): str(code) for code, label in Relation.choices}
    return {
        **chinese,
        **{word: str(code) for code, words in RELATION_WORDS.items() for word in words},
        **{str(code): str(code) for code in Relation.values},
        **english,
    }


def relation_parse(text: str) -> str | None:
    """The code for a relation written as a code, an English label or in Chinese; "" for
    an empty cell, None when the words are not known."""
    text = (text or "").strip()
    if not text:
        return ""
    words = _by_word()
    return words.get(text) or words.get(re.sub(r"\s+", " ", text).lower())


def relation_label(value: str) -> str:
    """The relation in the active language; unknown old text as it was written."""
    if not value:
        return ""
    code = value if value in Relation.values else relation_parse(value)
    if code:
        return str(Relation(code).label)
    return value
