"""Alert rules (thresholds on figures) and the alerts they raise.

A rule watches one figure at one level of the tree inside the area it was set on (every
grid of a district, say). Each area breaking it on a day raises one ``Alert`` (unique by
rule, area and day), told once to the rule's unit through the outbox when that unit has
a phone; the alert shows on the dashboard until someone acknowledges it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.command.catalogue import Figure, figures_by_key
from lifeline.command.models import Alert, AlertRule, AreaFigure, Comparison
from lifeline.command.naming import area_titles
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.registry.models import LEVEL_ORDER, Area, Unit

MAX_THRESHOLD = 10**9
SMS_AREAS = 5  # areas named in one text; the rest are counted


LEVELS: list[str] = [str(level) for level in LEVEL_ORDER]


def stored_threshold(figure: Figure, value: Any) -> int:
    """The threshold as entered (a percent for ratios) in the stored scale."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        message = _("Enter a number.")
        raise ServiceError(message, fields={"threshold": [str(message)]}) from None
    if not number.is_finite() or number < 0 or number > MAX_THRESHOLD:
        message = _("Enter a number from 0 to 1,000,000,000.")
        raise ServiceError(message, fields={"threshold": [str(message)]})
    return int(number * 100) if figure.is_ratio else int(number)


def alert_rule_create(
    *,
    actor: Actor,
    area: Area,
    key: str,
    level: str,
    comparison: str,
    threshold: Any,
    unit_id: Any,
) -> AlertRule:
    """A threshold on ``key`` for every area of ``level`` inside ``area`` (COMMAND_ALERTS
    there). Checked against today's figures on the next sweep."""
    require(actor, Perm.COMMAND_ALERTS, path=area.path)
    errors: dict[str, list[Any]] = {}
    figure = figures_by_key().get(str(key))
    if figure is None:
        errors["key"] = [_("Choose a figure from the list.")]
    if level not in LEVELS or LEVELS.index(level) < LEVELS.index(area.level):
        errors["level"] = [_("Choose this area's level or one below it.")]
    if comparison not in Comparison.values:
        errors["comparison"] = [_("Choose below or above.")]
    unit = None
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        unit = Unit.objects.filter(pk=int(unit_id)).first()
    if unit is None:
        errors["unit_id"] = [_("Choose the unit to notify.")]
    if errors:
        raise ServiceError(_("The rule has errors; see below."), fields=errors)
    assert figure is not None and unit is not None
    value = stored_threshold(figure, threshold)
    with transaction.atomic():
        rule = AlertRule.objects.create(
            area_path=area.path,
            key=figure.key,
            level=level,
            comparison=comparison,
            threshold=value,
            unit=unit,
            created_by=user_of(actor),
        )
        audit_log(actor=actor, action="command.alert_rule.create", obj=rule, area_path=area.path)
    return rule


def alert_rule_deactivate(*, actor: Actor, rule: AlertRule) -> AlertRule:
    require(actor, Perm.COMMAND_ALERTS, path=rule.area_path)
    with transaction.atomic():
        AlertRule.objects.filter(pk=rule.pk).update(active=False)
        rule.active = False
        audit_log(
            actor=actor,
            action="command.alert_rule.deactivate",
            obj=rule,
            area_path=rule.area_path,
            fields=["active"],
        )
    return rule


def alert_acknowledge(*, actor: Actor, alert: Alert) -> Alert:
    """Mark the alert seen (COMMAND_ALERTS at its area); acknowledging twice changes
    nothing the second time."""
    require(actor, Perm.COMMAND_ALERTS, path=alert.area_path)
    with transaction.atomic():
        done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=clock.now(), acknowledged_by=actor
        )
        if done:
            audit_log(
                actor=actor,
                action="command.alert.acknowledge",
                obj=alert,
                area_path=alert.area_path,
                fields=["acknowledged_at"],
            )
    alert.refresh_from_db()
    return alert


def _breaking(rule: AlertRule, figure: Figure, day: dt.date) -> dict[str, int]:
    values = dict(
        AreaFigure.objects.filter(
            day=day, key=rule.key, level=rule.level, area_path__startswith=rule.area_path
        ).values_list("area_path", "value")
    )
    if not figure.is_ratio and rule.comparison == Comparison.BELOW:
        # A missing count is zero: every area of the level is checked.
        for path in Area.objects.filter(
            level=rule.level, path__startswith=rule.area_path
        ).values_list("path", flat=True):
            values.setdefault(path, 0)
    return {path: value for path, value in values.items() if rule.broken_by(value)}


def _tell(rule: AlertRule, figure: Figure, raised: dict[str, int]) -> None:
    if not rule.unit.phone or not raised:
        return
    titles = area_titles(raised)
    named = sorted(raised)[:SMS_AREAS]
    places = "、".join(f"{titles.get(p, p)} {figure.show(raised[p])}" for p in named)
    if len(raised) > SMS_AREAS:
        places += gettext(" and %(n)d more") % {"n": len(raised) - SMS_AREAS}
    body = gettext("Lifeline alert: %(figure)s %(comparison)s %(threshold)s at %(places)s.") % {
        "figure": figure.label,
        "comparison": rule.get_comparison_display(),
        "threshold": figure.show(rule.threshold),
        "places": places,
    }
    enqueue_sms(
        recipient=rule.unit.phone,
        body=body,
        object_type="command.alertrule",
        object_id=str(rule.pk),
    )


def alerts_evaluate(*, day: dt.date) -> dict[str, int]:
    """Raise the alerts of ``day``'s figures: one per rule, area and day, told once."""
    catalogue = figures_by_key()
    raised_total = 0
    actor = system("dashboard alerts")
    rules = AlertRule.objects.filter(active=True).select_related("unit")
    for rule in rules:
        figure = catalogue.get(rule.key)
        if figure is None:
            continue
        breaking = _breaking(rule, figure, day)
        known = set(Alert.objects.filter(rule=rule, day=day).values_list("area_path", flat=True))
        raised: dict[str, int] = {}
        with transaction.atomic():
            for path, value in sorted(breaking.items()):
                if path in known:
                    continue
                alert, created = Alert.objects.get_or_create(
                    rule=rule,
                    area_path=path,
                    day=day,
                    defaults={"value": value, "raised_at": clock.now()},
                )
                if created:
                    raised[path] = value
                    audit_log(actor=actor, action="command.alert.raise", obj=alert, area_path=path)
            with translation.override(settings.LANGUAGE_CODE):
                _tell(rule, figure, raised)
        raised_total += len(raised)
    return {"raised": raised_total}
