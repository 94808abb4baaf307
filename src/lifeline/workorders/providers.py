"""What work orders offer to the apps above them, and the slots those apps may fill.

Work orders sit below health, so they never import it. Where a work-order page shows
something only health knows, health registers a provider here when the apps are ready
(``health/apps.py``); without one the slot stays empty and the page shows nothing there.

- ``register_medical_guidance(fn)`` / ``medical_guidance(actor=, person=)``: the latest
  medical-access answer for a person, shown in the hotline console (None when no provider
  is registered or the provider has none).
- ``verified_phone(request)``: the phone this browser proved with a one-time code on the
  resident form (``/r/``), while the proof holds; "" otherwise. Health's "can I go to
  hospital" page answers for the people registered with that phone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lifeline.core.actors import Actor
from lifeline.workorders.pages.resident import verified_phone

__all__ = ["medical_guidance", "register_medical_guidance", "verified_phone"]

MedicalGuidance = Callable[..., Any]
_medical_guidance: MedicalGuidance | None = None


def register_medical_guidance(provider: MedicalGuidance) -> None:
    """Install ``provider(*, actor, person)``: the person's latest medical-access answer
    the actor may see, or None."""
    global _medical_guidance
    _medical_guidance = provider


def medical_guidance(*, actor: Actor, person: Any) -> Any:
    """The person's latest medical-access answer, or None (no provider, or none given)."""
    if _medical_guidance is None or person is None:
        return None
    return _medical_guidance(actor=actor, person=person)
