"""Health writes: status and risk, positive results, rule tables, medical-access decisions,
transfers, standing needs. Other apps import them from here, never from a submodule."""

from lifeline.health.services.cases import clear_suspected, mark_positive
from lifeline.health.services.hospitals import hospital_for, resolve_hospital
from lifeline.health.services.medical_access import (
    access_current,
    access_decide,
    access_decide_for_resident,
    access_preview,
)
from lifeline.health.services.standing import (
    standing_need_create,
    standing_need_end,
    standing_trips_create,
)
from lifeline.health.services.status import area_risk_set, health_status_set
from lifeline.health.services.tables import rule_table_publish, rule_table_validate
from lifeline.health.services.transfers import medical_transfer_record, medical_transfer_request

__all__ = [
    "access_current",
    "access_decide",
    "access_decide_for_resident",
    "access_preview",
    "area_risk_set",
    "clear_suspected",
    "health_status_set",
    "hospital_for",
    "mark_positive",
    "medical_transfer_record",
    "medical_transfer_request",
    "resolve_hospital",
    "rule_table_publish",
    "rule_table_validate",
    "standing_need_create",
    "standing_need_end",
    "standing_trips_create",
]
