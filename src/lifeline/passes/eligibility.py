"""Eligibility rules of pass types, and the providers they read.

Testing compliance (issue 4, ``lifeline.screening``) and health codes (issue 5,
``lifeline.health``) belong to other apps. Passes never import them: the default providers
look them up by name when the app is installed, and tests inject fakes.

Expected functions (keyword-only):

- ``lifeline.screening.selectors.tests_in_window(*, person_id: int, days: int,
  at: datetime) -> int`` — negative-or-any completed tests of the person in the ``days``
  days up to ``at``;
- ``lifeline.health.selectors.effective_status(*, person_id: int, at: datetime)`` — an
  object with ``colour`` (``"green"``, ``"yellow"``, ``"red"``).

When a provider cannot answer, a rule that needs it refuses with a clear reason
("testing compliance unknown") rather than letting the pass through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from django.apps import apps
from django.utils.translation import gettext as _

from lifeline.registry.models import Person


class TestingCompliance(Protocol):
    def tests_in_window(self, person: Person, days: int, *, at: dt.datetime) -> int | None:
        """Tests in the last ``days`` days, or None when unknown."""
        ...


class HealthCodeProvider(Protocol):
    def colour(self, person: Person, *, at: dt.datetime) -> str | None:
        """The health-code colour in force, or None when unknown."""
        ...


def _lookup(app: str, module: str, name: str) -> Any:
    if not apps.is_installed(app):
        return None
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


class InstalledTestingCompliance:
    """Asks ``lifeline.screening`` when installed; None (unknown) otherwise."""

    def tests_in_window(self, person: Person, days: int, *, at: dt.datetime) -> int | None:
        func = _lookup("lifeline.screening", "lifeline.screening.selectors", "tests_in_window")
        if func is None:
            return None
        return int(func(person_id=person.pk, days=days, at=at))


class InstalledHealthCodes:
    """Asks ``lifeline.health`` when installed; None (unknown) otherwise."""

    def colour(self, person: Person, *, at: dt.datetime) -> str | None:
        func = _lookup("lifeline.health", "lifeline.health.selectors", "effective_status")
        if func is None:
            return None
        return str(func(person_id=person.pk, at=at).colour)


@dataclass(frozen=True)
class Providers:
    testing: TestingCompliance
    health: HealthCodeProvider


def default_providers() -> Providers:
    return Providers(testing=InstalledTestingCompliance(), health=InstalledHealthCodes())


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


def check_person_rules(
    *, rules: dict[str, Any], person: Person | None, at: dt.datetime, providers: Providers
) -> Refusal | None:
    """The first rule of ``rules`` the holder fails, or None when all pass."""
    if rules.get("needs_person") and person is None:
        return Refusal("person_required", _("This pass is for a registered resident."))
    testing = rules.get("testing")
    if testing and person is not None:
        need, days = int(testing["tests"]), int(testing["days"])
        count = providers.testing.tests_in_window(person, days, at=at)
        if count is None:
            return Refusal("testing_unknown", _("Testing compliance unknown."))
        if count < need:
            return Refusal(
                "testing_policy",
                _("The holder had %(count)d tests in %(days)d days; %(need)d are required.")
                % {"count": count, "days": days, "need": need},
            )
    refuse = rules.get("refuse_colours") or []
    if refuse and person is not None:
        colour = providers.health.colour(person, at=at)
        if colour is None:
            return Refusal("health_unknown", _("Health code unknown."))
        if colour in refuse:
            return Refusal(
                "health_code",
                _("The holder's health code is %(colour)s.") % {"colour": colour},
            )
    return None
