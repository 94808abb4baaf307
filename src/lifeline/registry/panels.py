"""The slot for what apps above the registry show on a person's page.

The registry sits below screening and work orders, so it never imports them. Each of them
registers a provider when the apps are ready (``screening/apps.py``, ``workorders/apps.py``):
``provider(*, actor, person)`` returns a small ``PersonPanel`` the actor may see, or None
when the actor may not read that app's records of the person (each provider checks its own
permission and fails closed). A provider refusing with a ``ServiceError`` (not found, not
allowed) is left out of the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError


@dataclass(frozen=True)
class PanelRow:
    """One line of a panel: what it is, its state, when, and where to read more."""

    label: str
    value: str = ""
    when: Any = None  # a date or an aware datetime, shown in local time
    url: str = ""

    @property
    def when_text(self) -> str:
        if isinstance(self.when, dt.datetime):
            return timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M")
        if isinstance(self.when, dt.date):
            return self.when.isoformat()
        return ""


@dataclass(frozen=True)
class PersonPanel:
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    empty: str = ""  # said when there are no rows
    more_url: str = ""
    order: int = 100  # panels are shown by this, then by title


PersonPanelProvider = Callable[..., PersonPanel | None]
_providers: dict[str, PersonPanelProvider] = {}


def register_person_panel(name: str, provider: PersonPanelProvider) -> None:
    """Install ``provider(*, actor, person)`` under ``name`` (registering again replaces)."""
    _providers[name] = provider


def person_panels(*, actor: Actor, person: Any) -> list[PersonPanel]:
    """The panels every registered provider offers the actor for ``person``."""
    panels = []
    for _name, provider in sorted(_providers.items()):
        try:
            panel = provider(actor=actor, person=person)
        except ServiceError:  # a refusal hides the panel, as no permission does
            continue
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda p: (p.order, p.title))
