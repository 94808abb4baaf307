"""What a resident must do at once when their words say a life may be at stake: the one
table of emergencies (kind, words, what to tell them, whom to call).

The resident form checks the text as it arrives in the browser (``resident.js``, from the
table rendered into the page as JSON) and the server checks it again when the form is
posted, so a resident without JavaScript still reads the banner on the answer page. The
medical words are intake's own (``triage.EMERGENCY_WORDS``): the banner says "call 120"
exactly when intake files a critical medical order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lifeline.workorders.services.triage import EMERGENCY_WORDS

# The national numbers, in one place. 12356 is the national psychological support line.
AMBULANCE = "120"
FIRE = "119"  # the fire brigade also answers gas leaks
CRISIS_LINE = "12356"

GAS_WORDS = (
    "煤气味",
    "燃气味",
    "天然气味",
    "煤气泄漏",
    "煤气泄露",
    "燃气泄漏",
    "燃气泄露",
    "天然气泄漏",
    "天然气泄露",
    "闻到煤气",
    "闻到燃气",
    "漏气",
    "gas leak",
    "leaking gas",
    "gas is leaking",
    "smell of gas",
    "smell gas",
    "smells of gas",
    "smells like gas",
    "gas smell",
)

SELF_HARM_WORDS = (
    "不想活",
    "活不下去",
    "想自杀",
    "要自杀",
    "自杀",
    "轻生",
    "想死",
    "结束生命",
    "结束自己",
    "割腕",
    "想跳楼",
    "kill myself",
    "killing myself",
    "suicide",
    "suicidal",
    "end my life",
    "want to die",
    "don't want to live",
    "don’t want to live",
    "hurt myself",
    "self-harm",
    "self harm",
)


@dataclass(frozen=True)
class Number:
    phone: str
    label: Promise


@dataclass(frozen=True)
class Emergency:
    kind: str
    words: tuple[str, ...]
    title: Promise
    message: Promise
    numbers: tuple[Number, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.words)


EMERGENCIES: tuple[Emergency, ...] = (
    Emergency(
        kind="medical",
        words=EMERGENCY_WORDS,
        title=_("Call 120 now"),
        message=_("What you wrote sounds like an emergency. Call 120 now; do not wait for us."),
        numbers=(Number(AMBULANCE, _("Ambulance")),),
    ),
    Emergency(
        kind="gas",
        words=GAS_WORDS,
        title=_("Smell of gas: get out now"),
        message=_(
            "Leave the building now and leave the door open. Do not switch any light or "
            "appliance on or off, do not light a flame, do not use a phone inside. Once "
            "outside, call 119 or your gas company's emergency line."
        ),
        numbers=(Number(FIRE, _("Fire and gas emergency")),),
    ),
    Emergency(
        kind="self_harm",
        words=SELF_HARM_WORDS,
        title=_("You are not alone"),
        message=_(
            "It sounds like you are going through something very hard. Please talk to "
            "someone now: the psychological support line 12356 answers day and night. If "
            "you have hurt yourself or are in danger right now, call 120."
        ),
        numbers=(
            Number(CRISIS_LINE, _("Psychological support line")),
            Number(AMBULANCE, _("Ambulance")),
        ),
    ),
)

_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _compiled(words: tuple[str, ...]) -> re.Pattern[str]:
    # ASCII words match whole words only ("stroke", not "strokes of luck" inside a word);
    # Chinese has no spaces, so its words match anywhere.
    if words not in _PATTERNS:
        _PATTERNS[words] = re.compile(
            "|".join(re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}\b" for w in words),
            re.IGNORECASE,
        )
    return _PATTERNS[words]


def emergencies_in(text: str) -> list[Emergency]:
    """The emergencies ``text`` speaks of, in the table's order (most urgent first)."""
    text = (text or "")[:4000]
    return [e for e in EMERGENCIES if e.pattern.search(text)]


def emergency_table() -> list[dict[str, Any]]:
    """The table as the browser's check reads it: each kind and its words."""
    return [{"kind": e.kind, "words": list(e.words)} for e in EMERGENCIES]
