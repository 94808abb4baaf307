"""Door-to-door field teams (S3, S7): teams, their people, shifts and vehicles; the day's
visits they are asked to make (time windows for work orders, supply-package deliveries);
and the route plans the planner makes of them.

A team belongs to a unit (the gas company's 17 service groups are units under the
company) and covers service areas, each an area subtree. Its rows carry ``area_path``, the
common ancestor of its service areas, so the command centre sees it by area, and
``SCOPE_UNIT_FIELD`` so the unit's staff see it by unit. A plan copies both.

A plan stores a snapshot of every visit it was made from (place, window, service time,
skill, size): the plan stays readable and editable when the queues move on, and an urgent
visit can be inserted into it without reading the queues again.
"""

from lifeline.teams.models.job import PlanJob
from lifeline.teams.models.plan import Plan, PlanRoute, PlanStop, PlanUnserved, VisitSnapshot
from lifeline.teams.models.queue import Appointment, Delivery, VisitKind
from lifeline.teams.models.team import Shift, Skill, Team, TeamMember, Vehicle, local_midnight

__all__ = [
    "Appointment",
    "Delivery",
    "Plan",
    "PlanJob",
    "PlanRoute",
    "PlanStop",
    "PlanUnserved",
    "Shift",
    "Skill",
    "Team",
    "TeamMember",
    "Vehicle",
    "VisitKind",
    "VisitSnapshot",
    "local_midnight",
]
