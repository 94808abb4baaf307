"""Health writes: status and risk, rule tables, access decisions."""

from lifeline.health.services.access import access_decide, resolve_hospital
from lifeline.health.services.status import area_risk_set, health_status_set
from lifeline.health.services.tables import rule_table_publish, rule_table_validate

__all__ = [
    "access_decide",
    "area_risk_set",
    "health_status_set",
    "resolve_hospital",
    "rule_table_publish",
    "rule_table_validate",
]
