"""The command centre's writes: the figures' refresh (the worker's sweep), alert rules
and acknowledgements, daily reports (generate, narrative, sign) and review meetings."""

from lifeline.command.services.alerts import (
    alert_acknowledge,
    alert_rule_create,
    alert_rule_deactivate,
    alerts_evaluate,
)
from lifeline.command.services.meetings import (
    meeting_create,
    meeting_update,
    review_action_add,
)
from lifeline.command.services.refresh import figures_refresh, run_periodic
from lifeline.command.services.reports import (
    report_generate,
    report_sections_save,
    report_sign,
)

__all__ = [
    "alert_acknowledge",
    "alert_rule_create",
    "alert_rule_deactivate",
    "alerts_evaluate",
    "figures_refresh",
    "meeting_create",
    "meeting_update",
    "report_generate",
    "report_sections_save",
    "report_sign",
    "review_action_add",
    "run_periodic",
]
