"""Screening reads, all through ``accounts.scoping``. Other apps import them from here,
never from a submodule:

- ``lists``: the screening lists of an area and their counts, recheck tasks;
- ``doors``: the door-to-door households of a grid, and as visits for a field team;
- ``plans``: policies, rounds, sites and sessions;
- ``progress``: round progress from the day masks;
- ``review``: the daily review (counts, no one named);
- ``people``: a person behind a scanned code, tests in a window (passes asks).

Whatever names or counts people needs ``screening.view`` at the area asked for (404 when
no membership covers it, 403 when one does without it); the daily review counts tubes and
samples for whoever samples, results or views there (see ``screening.permissions``)."""

from lifeline.screening.selectors.doors import (
    SAMPLING_SKILL,
    SERVICE_BASE,
    SERVICE_PER_PERSON,
    DoorStop,
    HomeVisit,
    as_team_visits,
    door_service_seconds,
    door_to_door_list,
    door_to_door_stops,
)
from lifeline.screening.selectors.lists import (
    LIST_KINDS,
    NO_AREA,
    PAGE_LIST_KINDS,
    STATUS_LIST_KINDS,
    recheck_list,
    root_areas,
    screening_counts,
    screening_list,
    status_counts,
    status_list,
    staying_home_list,
    yellow_code_list,
)
from lifeline.screening.selectors.people import (
    person_by_code,
    positives_since,
    tests_in_window,
    tests_in_window_for,
    workers_policy_at,
)
from lifeline.screening.selectors.plans import (
    PLAN_READERS,
    policies_above,
    policy_get,
    policy_list,
    round_get,
    round_list,
    session_get,
    session_list,
    sessions_to_staff,
    site_get,
    site_list,
)
from lifeline.screening.selectors.progress import Progress, RoundProgress, round_progress
from lifeline.screening.selectors.review import (
    REVIEWERS,
    daily_review,
    review_per_site,
    sampled_to_result_minutes,
)
from lifeline.screening.selectors.shipments import (
    console_sessions,
    console_sites,
    lab_units,
    shipments_incoming,
    shipments_of_day,
)

__all__ = [
    "LIST_KINDS",
    "NO_AREA",
    "PAGE_LIST_KINDS",
    "PLAN_READERS",
    "REVIEWERS",
    "SAMPLING_SKILL",
    "SERVICE_BASE",
    "SERVICE_PER_PERSON",
    "STATUS_LIST_KINDS",
    "DoorStop",
    "HomeVisit",
    "Progress",
    "RoundProgress",
    "as_team_visits",
    "console_sessions",
    "console_sites",
    "daily_review",
    "door_service_seconds",
    "door_to_door_list",
    "door_to_door_stops",
    "lab_units",
    "person_by_code",
    "policies_above",
    "policy_get",
    "policy_list",
    "positives_since",
    "recheck_list",
    "review_per_site",
    "root_areas",
    "round_get",
    "round_list",
    "round_progress",
    "sampled_to_result_minutes",
    "screening_counts",
    "screening_list",
    "session_get",
    "session_list",
    "sessions_to_staff",
    "shipments_incoming",
    "shipments_of_day",
    "site_get",
    "site_list",
    "status_counts",
    "status_list",
    "staying_home_list",
    "tests_in_window",
    "tests_in_window_for",
    "workers_policy_at",
    "yellow_code_list",
]
