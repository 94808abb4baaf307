"""What work-order pages show for stored codes: a category's name, an extra field's value
of a choice, the person who took a step. In the page's language, never a key or a login
name. Pages and templates call these (templates through ``{% load workorder_labels %}``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lifeline.accounts.models import Role

# The values of the seeded categories' choice fields (migration 0002), as shown.
CHOICE_LABELS = {
    "visit": gettext_lazy("Doctor's visit"),
    "transfer": gettext_lazy("Transfer to hospital"),
    "dialysis": gettext_lazy("Dialysis"),
    "chemo": gettext_lazy("Chemotherapy"),
    "maternity": gettext_lazy("Maternity"),
    "other": gettext_lazy("Other"),
    "outage": gettext_lazy("Outage"),
    "prepaid_low": gettext_lazy("Prepaid balance low"),
    "low_pressure": gettext_lazy("Low pressure"),
    "quality": gettext_lazy("Quality"),
    "immobile": gettext_lazy("Cannot get out"),
    "missed": gettext_lazy("Missed a round"),
    "yellow_code": gettext_lazy("Yellow code"),
    "barrier": gettext_lazy("Barrier"),
    "gathering": gettext_lazy("Gathering"),
    "dispute": gettext_lazy("Dispute"),
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def category_label(category: Any) -> str:
    """A category's name in the page's language (``name_en`` in English, when known)."""
    if category is None:
        return "—"
    english = getattr(category, "name_en", "")
    if english and _english():
        return str(english)
    return str(getattr(category, "name", category))


def choice_label(value: Any) -> str:
    """A choice field's stored value as shown."""
    text = str(value)
    return str(CHOICE_LABELS[text]) if text in CHOICE_LABELS else text


def role_label(user: Any) -> str:
    """The role of the user's first active membership, as shown ("Community staff")."""
    roles = [
        m.role
        for m in getattr(getattr(user, "memberships", None), "all", list)()
        if getattr(m, "active", False)
    ]
    labels = dict(Role.choices)
    return str(labels[roles[0]]) if roles and roles[0] in labels else _("Staff")


def person_label(user: Any) -> str:
    """Who a staff member is on a page: their display name, or their role when the display
    name is missing or only repeats the login name (never the login name itself)."""
    if user is None:
        return _("System")
    name = (getattr(user, "display_name", "") or "").strip()
    if name and name != getattr(user, "username", None):
        return name
    return role_label(user)
