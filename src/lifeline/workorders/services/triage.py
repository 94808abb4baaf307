"""Reading a request's text: the words that mean "call 120 now" (intake marks the order an
emergency; the forms warn as it is typed) and the category its keywords suggest (intake's
choice when none is named)."""

from __future__ import annotations

import re

from lifeline.workorders.models import Category

# Words a caller uses when a life is at stake. Matching is deliberately generous: a false
# alarm costs a phone call, a miss can cost a life.
EMERGENCY_WORDS = (
    "胸痛",
    "胸口痛",
    "胸口疼",
    "昏迷",
    "晕倒",
    "不省人事",
    "叫不醒",
    "大出血",
    "出血不止",
    "临产",
    "要生了",
    "快生了",
    "羊水破",
    "中风",
    "脑卒中",
    "呼吸困难",
    "喘不上气",
    "抽搐",
    "心脏骤停",
    "没有呼吸",
    "休克",
    "chest pain",
    "unconscious",
    "passed out",
    "heavy bleeding",
    "bleeding heavily",
    "in labour",
    "in labor",
    "going into labour",
    "going into labor",
    "waters broke",
    "stroke",
    "can't breathe",
    "cannot breathe",
    "not breathing",
    "seizure",
    "cardiac arrest",
)
_EMERGENCY_RE = re.compile(
    "|".join(
        re.escape(w) if not w.isascii() else r"\b" + re.escape(w) + r"\b" for w in EMERGENCY_WORDS
    ),
    re.IGNORECASE,
)


def emergency_words_in(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in _EMERGENCY_RE.finditer(text or "")})


def suggest_category(text: str, categories: list[Category]) -> Category | None:
    """The category whose keywords occur most often in ``text`` (ties: earlier category)."""
    lowered = (text or "").lower()
    best, best_hits = None, 0
    for category in categories:
        hits = sum(1 for word in category.keywords or [] if word.lower() in lowered)
        if hits > best_hits:
            best, best_hits = category, hits
    return best
