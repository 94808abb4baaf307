"""The decision partial that the person page and the hotline console include."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from lifeline.health.services import access_decide, health_status_set


def test_partial_shows_where_how_who_and_the_version(city, hospitals, command_staff):
    # given a decision for a red-code resident
    person = city.people_a[0]
    health_status_set(actor=command_staff, person=person, colour="red")
    decision = access_decide(actor=command_staff, person=person, urgency="necessary")
    # when the partial is rendered in Chinese and in English
    with translation.override("zh-hans"):
        zh = render_to_string("health/partials/access_decision.html", {"decision": decision})
    with translation.override("en"):
        en = render_to_string("health/partials/access_decision.html", {"decision": decision})
    # then it names the hospital, its phone and notes, the instructions, and the version
    assert "天元区定点医院" in zh and "0731-22000000" in zh and "透析患者请提前一天预约" in zh
    assert decision.instructions_zh in zh
    assert decision.instructions_en in en
    assert "120 closed-loop transfer" in en
    assert "community or quarantine-site lead" in en
    assert "version 1" in en
