"""Continuity writes. Other apps import only from here."""

from lifeline.continuity.services.problems import problem_open, problem_resolve, problem_update
from lifeline.continuity.services.reports import figure_report, staff_report
from lifeline.continuity.services.setup import (
    critical_role_create,
    figure_create,
    lifeline_unit_create,
    threshold_create,
)
from lifeline.continuity.services.sweep import run_periodic

__all__ = [
    "critical_role_create",
    "figure_create",
    "figure_report",
    "lifeline_unit_create",
    "problem_open",
    "problem_resolve",
    "problem_update",
    "run_periodic",
    "staff_report",
    "threshold_create",
]
