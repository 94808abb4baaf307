"""Template tags of the health app: the choices of the "ask" form, and the person page's
health section (included by the registry's person page)."""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.errors import ServiceError
from lifeline.health import selectors, services
from lifeline.health.vocab import Capability, Need, Urgency
from lifeline.registry.models import Person

register = template.Library()


@register.simple_tag
def access_choices() -> dict[str, Any]:
    """Urgencies, the needs a caller may declare and the specialist care one may name,
    for the "ask" form."""
    return {
        "urgencies": Urgency.choices,
        "needs": [(n.value, n.label) for n in Need if n != Need.NONE],
        "capabilities": Capability.choices,
    }


@register.inclusion_tag("health/partials/person_section.html", takes_context=True)
def person_health(context: template.Context, person: Person) -> dict[str, Any]:
    """The answer if care is needed now, open transfers and standing needs of ``person``.

    Shown by a GET, so nothing is written: the latest decision while it still holds,
    otherwise the table's answer computed now and not recorded (the "ask" form records
    one, by a POST)."""
    request = context.get("request")
    actor = getattr(request, "user", None)
    section: dict[str, Any] = {"person": person, "request": request}
    section["csrf_token"] = context.get("csrf_token")
    if actor is None or not can(actor, Perm.HEALTH_VIEW, path=person.area_path):
        # Seen in the registry through a membership that shows no health data here.
        section["transfers"] = section["standing_needs"] = []
        return section
    try:
        section["decision"] = services.access_preview(actor=actor, person=person)
    except ServiceError as error:
        section["decision_error"] = str(error.message)
    section["transfers"] = selectors.transfer_list(actor=actor, person=person)[:5]
    section["standing_needs"] = selectors.standing_need_list(
        actor=actor, person=person, active_only=True
    )
    return section
