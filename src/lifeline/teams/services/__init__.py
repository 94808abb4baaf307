"""Field-team writes. Import services from here: ``from lifeline.teams.services import
plan_create``."""

from lifeline.teams.services.edits import UrgentResult, plan_insert_urgent, plan_move_stop
from lifeline.teams.services.jobs import plan_job_create, plan_job_run
from lifeline.teams.services.plans import Solved, plan_create, plan_publish, plan_solve
from lifeline.teams.services.setup import (
    appointment_set,
    delivery_cancel,
    delivery_create,
    delivery_create_at_place,
    shift_add,
    team_areas_set,
    team_create,
    team_member_add,
    vehicle_create,
)
from lifeline.teams.services.stops import stop_arrive, stop_complete, stop_contact_reveal

__all__ = [
    "Solved",
    "UrgentResult",
    "appointment_set",
    "delivery_cancel",
    "delivery_create",
    "delivery_create_at_place",
    "plan_create",
    "plan_insert_urgent",
    "plan_job_create",
    "plan_job_run",
    "plan_move_stop",
    "plan_publish",
    "plan_solve",
    "shift_add",
    "stop_arrive",
    "stop_complete",
    "stop_contact_reveal",
    "team_areas_set",
    "team_create",
    "team_member_add",
    "vehicle_create",
]
