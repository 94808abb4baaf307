"""The command centre in the demo city: today's and yesterday's figures computed, two
alert rules the command staff would set first (more than 5 overdue requests in a grid;
a community's testing compliance below 90 %), told to the city's command centre; then
yesterday's city report, signed, yesterday's review meeting of the district with two
actions (work orders filed to their owners), and today's district report as a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifeline.command.models import AlertRule, DailyReport
from lifeline.command.services import (
    alert_rule_create,
    alerts_evaluate,
    figures_refresh,
    meeting_create,
    report_generate,
    report_sections_save,
    report_sign,
    review_action_add,
)
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.registry.models import Area, AreaLevel, Unit

RULES = (
    ("workorders.overdue", AreaLevel.GRID, "above", 5),
    ("screening.compliance", AreaLevel.COMMUNITY, "below", 90),
)


def seed_demo_command(*, actor: Actor) -> dict[str, Any]:
    """Refresh the figures of today and yesterday and set the two rules once (on the
    city, told to its command centre, or the first unit when there is none). ``actor``
    must hold COMMAND_ALERTS on the city (the demo's command staff)."""
    today = clock.today()
    result: dict[str, Any] = {}
    for day in (today - dt.timedelta(days=1), today):
        result[day.isoformat()] = figures_refresh(day=day)
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
    unit = (
        Unit.objects.filter(kind=Unit.Kind.COMMAND_CENTRE).order_by("pk").first()
        or Unit.objects.order_by("pk").first()
    )
    rules = 0
    if city is not None and unit is not None:
        for key, level, comparison, threshold in RULES:
            if AlertRule.objects.filter(area_path=city.path, key=key, active=True).exists():
                continue
            alert_rule_create(
                actor=actor,
                area=city,
                key=key,
                level=level,
                comparison=comparison,
                threshold=threshold,
                unit_id=unit.pk,
            )
            rules += 1
    result["rules"] = rules
    result["alerts"] = alerts_evaluate(day=today)
    return result


CITY_NARRATIVE = {
    "methods": "全市完成一轮全员核酸采样；独居老人、行动不便等重点人群上门采样和送药全覆盖。",
    "problems": "部分小区物资配送不及时；夜间采样点不足，下班人员排队时间长。",
    "plan": "继续开展全员核酸检测；加密重点人群回访；增设夜间采样点。",
}
MEETING = {
    "attendees": "区防控办、各街道办、区卫健局、区商务局",
    "notes": "复盘当日核酸采样、物资配送和重点人群服务情况，明确两项整改事项。",
}


def _owners(district: Area) -> list[Unit]:
    kinds = (Unit.Kind.STREET_OFFICE, Unit.Kind.DISTRICT_BUREAU)
    found = []
    for kind in kinds:
        unit = (
            Unit.objects.filter(kind=kind, areas__path__startswith=district.path)
            .order_by("code")
            .first()
        )
        if unit is not None:
            found.append(unit)
    return found


def seed_demo_reports(*, command: Actor, district_staff: Actor, district: Area) -> dict[str, int]:
    """Once (nothing when a report exists): yesterday's city report written and signed by
    ``command``; yesterday's review meeting of ``district`` with an action for its street
    office and one for its bureau; today's district report as a draft, which lists them."""
    if DailyReport.objects.exists():
        return {"reports": 0, "actions": 0}
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
    if city is None:
        return {"reports": 0, "actions": 0}
    today = clock.today()
    yesterday = today - dt.timedelta(days=1)
    signed = report_generate(actor=command, area=city, day=yesterday)
    signed = report_sections_save(actor=command, report=signed, sections=CITY_NARRATIVE)
    report_sign(actor=command, report=signed, expected_hash=signed.content_hash)
    meeting = meeting_create(actor=district_staff, area=district, day=yesterday, **MEETING)
    texts = ("增设两个夜间采样点，延长采样时间至22:00", "协调物资配送车辆通行证，次日送达滞留订单")
    actions = 0
    for n, (owner, text) in enumerate(zip(_owners(district), texts, strict=False), start=1):
        due = clock.now() + dt.timedelta(days=n)
        review_action_add(
            actor=district_staff, meeting=meeting, text=text, owner_id=owner.pk, due_at=due
        )
        actions += 1
    draft = report_generate(actor=district_staff, area=district, day=today)
    report_sections_save(
        actor=district_staff,
        report=draft,
        sections={"methods": "上午完成辖区第一轮采样，下午上门采样重点人群。"},
    )
    return {"reports": 2, "actions": actions}


def seed_demo_dashboard() -> str:
    """The demo's dashboard: figures and rules set by its command staff (nothing when the
    demo has no command-centre login). Returns a line for the demo's summary."""
    from django.utils.translation import gettext as _

    from lifeline.accounts.models import Membership, Role

    membership = (
        Membership.objects.filter(role=Role.COMMAND_STAFF, area__isnull=False)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return ""
    result = seed_demo_command(actor=membership.user)
    line = _("Dashboard: figures of yesterday and today counted, %(rules)s alert rules set.") % {
        "rules": result["rules"]
    }
    district = (
        Membership.objects.filter(role=Role.DISTRICT_STAFF, area__isnull=False)
        .select_related("user", "area")
        .order_by("pk")
        .first()
    )
    if district is not None and district.area is not None:
        made = seed_demo_reports(
            command=membership.user, district_staff=district.user, district=district.area
        )
        if made["reports"]:
            line += " " + _(
                "Daily reports: yesterday's city report signed, today's district report "
                "drafted, %(actions)s review actions filed."
            ) % {"actions": made["actions"]}
    return line
