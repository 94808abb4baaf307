"""Screening writes. Each public service runs in one transaction and audits. Other apps
import them from here, never from a submodule."""

from lifeline.screening.services.followup import recheck_tasks_for_positive
from lifeline.screening.services.planning import (
    round_create,
    session_create,
    session_create_from_list,
    site_create,
)
from lifeline.screening.services.plans_edit import (
    round_update,
    session_open_for_list,
    session_update,
    site_update,
)
from lifeline.screening.services.policies import policy_create, policy_end, policy_update
from lifeline.screening.services.results import results_import, results_import_csv
from lifeline.screening.services.results_jobs import (
    results_job_create,
    results_job_get,
    results_job_process,
    results_job_start,
    results_template,
)
from lifeline.screening.services.sampling import sample_register, tube_close
from lifeline.screening.services.shipments import session_start, shipment_send

__all__ = [
    "policy_create",
    "policy_end",
    "policy_update",
    "recheck_tasks_for_positive",
    "results_import",
    "results_import_csv",
    "results_job_create",
    "results_job_get",
    "results_job_process",
    "results_job_start",
    "results_template",
    "round_create",
    "round_update",
    "sample_register",
    "session_create",
    "session_create_from_list",
    "session_open_for_list",
    "session_start",
    "session_update",
    "shipment_send",
    "site_create",
    "site_update",
    "tube_close",
]
