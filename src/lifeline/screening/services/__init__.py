"""Screening writes. Each public service runs in one transaction and audits."""

from lifeline.screening.services.followup import recheck_tasks_for_positive
from lifeline.screening.services.planning import (
    policy_create,
    round_create,
    session_create,
    session_create_from_list,
    site_create,
)
from lifeline.screening.services.results import results_import, results_import_csv
from lifeline.screening.services.sampling import sample_register, tube_close

__all__ = [
    "policy_create",
    "recheck_tasks_for_positive",
    "results_import",
    "results_import_csv",
    "round_create",
    "sample_register",
    "session_create",
    "session_create_from_list",
    "site_create",
    "tube_close",
]
