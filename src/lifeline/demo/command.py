"""The command centre in the demo city: today's and yesterday's figures computed, and two
alert rules the command staff would set first (more than 5 overdue requests in a grid;
a community's testing compliance below 90 %), told to the city's command centre."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifeline.command.models import AlertRule
from lifeline.command.services import alert_rule_create, alerts_evaluate, figures_refresh
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
    return _("Dashboard: figures of yesterday and today counted, %(rules)s alert rules set.") % {
        "rules": result["rules"]
    }
