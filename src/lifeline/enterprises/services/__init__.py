"""Enterprises writes. Other apps import from here: ``from lifeline.enterprises.services
import positive_report``; inside enterprises, import the part's module."""

from lifeline.enterprises.services.closure import bubble_positives_sweep, positive_report
from lifeline.enterprises.services.lifecycle import enterprise_status_change
from lifeline.enterprises.services.requests import (
    issue_raise,
    supply_need_raise,
    vehicle_pass_apply,
)
from lifeline.enterprises.services.setup import (
    bubble_create,
    enterprise_create,
    staff_add,
    staff_link,
    vehicle_add,
)

__all__ = [
    "bubble_create",
    "bubble_positives_sweep",
    "enterprise_create",
    "enterprise_status_change",
    "issue_raise",
    "positive_report",
    "staff_add",
    "staff_link",
    "supply_need_raise",
    "vehicle_add",
    "vehicle_pass_apply",
]
