"""The command centre's writes: the figures' refresh (the worker's sweep), alert rules
and acknowledgements."""

from lifeline.command.services.alerts import (
    alert_acknowledge,
    alert_rule_create,
    alert_rule_deactivate,
    alerts_evaluate,
)
from lifeline.command.services.refresh import figures_refresh, run_periodic

__all__ = [
    "alert_acknowledge",
    "alert_rule_create",
    "alert_rule_deactivate",
    "alerts_evaluate",
    "figures_refresh",
    "run_periodic",
]
