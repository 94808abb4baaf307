"""A person's recent tests and recheck tasks, for the registry's person page.

Registered in ``apps.py`` into ``registry.panels``. Everything is read through
``accounts.scoping.scoped`` with ``screening.view``, the permission that names people in
screening: an actor without it at the person's place gets no panel (not an empty one).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, scoped
from lifeline.core.actors import Actor
from lifeline.registry.panels import PanelRow, PersonPanel
from lifeline.screening.models import PersonResult, RecheckStatus, RecheckTask

SHOWN = 10
_POOLED = {True: gettext_lazy("pooled"), False: gettext_lazy("single tube")}


def tests_panel(*, actor: Actor, person: Any) -> PersonPanel | None:
    if not can(actor, Perm.SCREENING_VIEW, path=person.area_path):
        return None
    results = (
        scoped(PersonResult.objects.all(), actor, Perm.SCREENING_VIEW)
        .filter(person_id=person.pk)
        .order_by("-sampled_on", "-pk")[:SHOWN]
    )
    rechecks = (
        scoped(RecheckTask.objects.all(), actor, Perm.SCREENING_VIEW)
        .filter(person_id=person.pk)
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    rows = [
        PanelRow(
            label=_("Recheck"),
            value=str(RecheckStatus(task.status).label),
            when=task.created_at,
        )
        for task in rechecks
    ]
    rows += [
        PanelRow(
            label=_("Test (%(kind)s)") % {"kind": _POOLED[result.pooled]},
            value=result.get_outcome_display(),
            when=result.sampled_on,
        )
        for result in results
    ]
    return PersonPanel(
        title=_("Tests and rechecks"),
        rows=rows,
        empty=_("No tests recorded."),
        order=10,
    )
