"""What each role may do: the one declaration of permissions.

A membership gives its user one role over an area subtree and/or a unit. A permission
holds only inside the area or unit of a membership whose role grants it: a user who is
community staff in one community and a sampler city-wide may edit the registry of that
community only, and sample city-wide. ``lifeline.accounts.scoping`` builds, for each user,
where each permission holds; every selector and service asks it (``scoped``, ``can``,
``require``). The roles-by-permissions table in docs/security.md is generated from here
(``lifeline permissions --markdown``).

Who sees people at all: the roles that care for residents in their area (grid, community,
street, district and command staff), the hotline (it must find a caller) and samplers (the
people of the sessions they sample, through ``SCREENING_SAMPLE``). A lab sees tubes and
results, not the registry; checkpoint staff see the passes they check; unit staff and
field teams see the work orders routed to their unit; warehouse officers see stock, needs
and donors, not people; building heads see the orders of the buildings they deliver to;
volunteer coordinators see the volunteers of their area, not the registry.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import Role


class Perm:
    """Permission names (``app.verb``), with their labels for the docs and pages."""

    # Any permission at all: the area tree and reference data (facilities, risk areas).
    ANY = "*"

    AREA_VIEW = "area.view"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    REGISTRY_EXPORT_REVEALED = "registry.export_revealed"
    REGISTRY_SEARCH_ID = "registry.search_id"
    REVEAL = "registry.reveal"
    UNIT_MANAGE = "unit.manage"
    ACCOUNTS_MANAGE = "accounts.manage"
    MEMBERSHIP_GRANT = "membership.grant"

    HEALTH_VIEW = "health.view"
    HEALTH_SET_STATUS = "health.set_status"
    HEALTH_SET_RISK = "health.set_risk"
    HEALTH_EDIT_RULES = "health.edit_rules"
    HEALTH_REQUEST_TRANSFER = "health.request_transfer"
    HEALTH_STANDING_NEEDS = "health.standing_needs"

    WORKORDER_VIEW = "workorders.view"
    WORKORDER_FILE = "workorders.file"
    WORKORDER_DISPATCH = "workorders.dispatch"
    WORKORDER_WORK = "workorders.work"
    WORKORDER_SUPERVISE = "workorders.supervise"

    SCREENING_VIEW = "screening.view"
    SCREENING_PLAN = "screening.plan"
    SCREENING_SAMPLE = "screening.sample"
    SCREENING_RESULTS = "screening.results"

    PASS_VIEW = "passes.view"
    PASS_APPLY = "passes.apply"
    PASS_APPROVE = "passes.approve"
    PASS_CHECK = "passes.check"
    PASS_MANAGE_CHECKPOINTS = "passes.manage_checkpoints"
    PASS_KEYS = "passes.keys"

    TEAMS_VIEW = "teams.view"
    TEAMS_DISPATCH = "teams.dispatch"
    TEAMS_RIDE = "teams.ride"

    SUPPLIES_VIEW = "supplies.view"
    SUPPLIES_STOCK = "supplies.stock"
    SUPPLIES_DONATIONS = "supplies.donations"
    SUPPLIES_NEED = "supplies.need"
    SUPPLIES_ALLOCATE = "supplies.allocate"
    SUPPLIES_PACKAGES = "supplies.packages"
    SUPPLIES_DELIVER = "supplies.deliver"
    SUPPLIES_CATALOGUE = "supplies.catalogue"

    VOLUNTEERS_VIEW = "volunteers.view"
    VOLUNTEERS_MANAGE = "volunteers.manage"

    CONTINUITY_VIEW = "continuity.view"
    CONTINUITY_REPORT = "continuity.report"
    CONTINUITY_MANAGE = "continuity.manage"
    CONTINUITY_KEY_USERS = "continuity.key_users"
    CONTINUITY_OUTAGES = "continuity.outages"
    CONTINUITY_OVERRIDE_NOTICE = "continuity.override_notice"

    ENTERPRISES_VIEW = "enterprises.view"
    ENTERPRISES_MANAGE = "enterprises.manage"

    COUNSELLING_TAKE = "counselling.take"
    COUNSELLING_SUPERVISE = "counselling.supervise"

    COMMAND_VIEW = "command.view"
    COMMAND_ALERTS = "command.alerts"
    COMMAND_REPORT = "command.report"

    NOTICES_DRAFT = "notices.draft"
    NOTICES_APPROVE = "notices.approve"
    NOTICES_REACH = "notices.reach"

    OUTBOX_MANAGE = "outbox.manage"


LABELS: dict[str, object] = {
    Perm.AREA_VIEW: _("See the area tree with its counts"),
    Perm.REGISTRY_VIEW: _("See households and people (masked)"),
    Perm.REGISTRY_EDIT: _("Change households, people and vulnerabilities"),
    Perm.REGISTRY_IMPORT: _("Import household lists"),
    Perm.REGISTRY_EXPORT: _("Export household lists (masked)"),
    Perm.REGISTRY_EXPORT_REVEALED: _("Export household lists with full phones and ID numbers"),
    Perm.REGISTRY_SEARCH_ID: _("Find a person by full ID number"),
    Perm.REVEAL: _("Reveal a full phone or ID number"),
    Perm.UNIT_MANAGE: _("Create and change units"),
    Perm.ACCOUNTS_MANAGE: _("Manage any user's memberships and API tokens"),
    Perm.MEMBERSHIP_GRANT: _("Grant and withdraw memberships"),
    Perm.HEALTH_VIEW: _("See health codes, decisions and transfers"),
    Perm.HEALTH_SET_STATUS: _("Set a person's health status"),
    Perm.HEALTH_SET_RISK: _("Declare an area's risk level"),
    Perm.HEALTH_EDIT_RULES: _("Change the medical-access rule table"),
    Perm.HEALTH_REQUEST_TRANSFER: _("Request a medical transfer"),
    Perm.HEALTH_STANDING_NEEDS: _("Record dialysis and chemotherapy needs"),
    Perm.WORKORDER_VIEW: _("See work orders"),
    Perm.WORKORDER_FILE: _("File a work order for a resident"),
    Perm.WORKORDER_DISPATCH: _("Dispatch, transfer and merge work orders"),
    Perm.WORKORDER_WORK: _("Claim and complete work orders"),
    Perm.WORKORDER_SUPERVISE: _("Supervise and reopen work orders"),
    Perm.SCREENING_VIEW: _("See testing lists and progress"),
    Perm.SCREENING_PLAN: _("Plan testing policies, rounds, sites and sessions"),
    Perm.SCREENING_SAMPLE: _("Take samples"),
    Perm.SCREENING_RESULTS: _("Import lab results"),
    Perm.PASS_VIEW: _("See passes and applications"),
    Perm.PASS_APPLY: _("Apply for a pass for a resident"),
    Perm.PASS_APPROVE: _("Approve and revoke passes"),
    Perm.PASS_CHECK: _("Check passes at a checkpoint"),
    Perm.PASS_MANAGE_CHECKPOINTS: _("Set up checkpoints"),
    Perm.PASS_KEYS: _("Rotate a unit's pass signing key"),
    Perm.TEAMS_VIEW: _("See teams and route plans"),
    Perm.TEAMS_DISPATCH: _("Change teams and plan routes"),
    Perm.TEAMS_RIDE: _("Work a route on the crew's phone"),
    Perm.SUPPLIES_VIEW: _("See stock, needs, donations and shipments"),
    Perm.SUPPLIES_STOCK: _("Receive, move, issue and count stock"),
    Perm.SUPPLIES_DONATIONS: _("Record donors, pledges and money donations"),
    Perm.SUPPLIES_NEED: _("Raise needs for supplies"),
    Perm.SUPPLIES_ALLOCATE: _("Match stock to needs and send shipments"),
    Perm.SUPPLIES_PACKAGES: _("Sell supply packages to residents"),
    Perm.SUPPLIES_DELIVER: _("Deliver a building's orders"),
    Perm.SUPPLIES_CATALOGUE: _("Change the item catalogue"),
    Perm.VOLUNTEERS_VIEW: _("See volunteers, posts, shifts and who is on duty"),
    Perm.VOLUNTEERS_MANAGE: _("Approve volunteers, set up posts and shifts, book and roster"),
    Perm.CONTINUITY_VIEW: _(
        "See lifeline units, their figures and problems, key users and outages"
    ),
    Perm.CONTINUITY_REPORT: _("Report a lifeline unit's figures and work its problems"),
    Perm.CONTINUITY_MANAGE: _("Set up lifeline units, their thresholds, and guide their problems"),
    Perm.CONTINUITY_KEY_USERS: _("Register key protected users and their protection plans"),
    Perm.CONTINUITY_OUTAGES: _("Enter planned interruptions and outages"),
    Perm.CONTINUITY_OVERRIDE_NOTICE: _(
        "Publish an interruption without the notice period, with a reason"
    ),
    Perm.ENTERPRISES_VIEW: _("See enterprises in closed loop, their staff and compliance"),
    Perm.ENTERPRISES_MANAGE: _(
        "Whitelist enterprises, seal their staff, record their needs and issues"
    ),
    Perm.COUNSELLING_TAKE: _("Answer the counselling line and log contacts"),
    Perm.COUNSELLING_SUPERVISE: _(
        "Supervise the counselling line: counsellors, high-risk contacts, counts"
    ),
    Perm.COMMAND_VIEW: _("See the dashboard, alerts and daily reports of the area"),
    Perm.COMMAND_ALERTS: _("Set alert thresholds and acknowledge alerts"),
    Perm.COMMAND_REPORT: _(
        "Write and sign the area's daily report, and record review-meeting actions"
    ),
    Perm.NOTICES_DRAFT: _("Draft public notices"),
    Perm.NOTICES_APPROVE: _("Approve and publish public notices drafted by others"),
    Perm.NOTICES_REACH: _("See households that have not acknowledged a notice, and visit them"),
    Perm.OUTBOX_MANAGE: _("See and retry text messages that could not be sent"),
}

_CARE = frozenset(
    {
        Perm.AREA_VIEW,
        Perm.REGISTRY_VIEW,
        Perm.REGISTRY_EDIT,
        Perm.REGISTRY_IMPORT,
        Perm.REGISTRY_EXPORT,
        Perm.REGISTRY_SEARCH_ID,
        Perm.HEALTH_VIEW,
        Perm.HEALTH_REQUEST_TRANSFER,
        Perm.HEALTH_STANDING_NEEDS,
        Perm.WORKORDER_VIEW,
        Perm.WORKORDER_FILE,
        Perm.SCREENING_VIEW,
        Perm.SCREENING_PLAN,
        Perm.SCREENING_SAMPLE,
        Perm.PASS_VIEW,
        Perm.PASS_APPLY,
        Perm.SUPPLIES_VIEW,
        Perm.SUPPLIES_NEED,
        Perm.COMMAND_VIEW,
    }
)
_MANAGE = _CARE | {
    # Held through the unit of the membership (the committee, the street office): those
    # units approve the passes filed with them.
    Perm.PASS_APPROVE,
    Perm.HEALTH_SET_STATUS,
    Perm.WORKORDER_DISPATCH,
    Perm.MEMBERSHIP_GRANT,
    Perm.VOLUNTEERS_VIEW,
    Perm.NOTICES_DRAFT,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: _CARE | {Perm.REVEAL, Perm.NOTICES_REACH},
    Role.COMMUNITY_STAFF: _MANAGE
    | {Perm.REVEAL, Perm.SUPPLIES_PACKAGES, Perm.VOLUNTEERS_MANAGE, Perm.NOTICES_REACH},
    Role.STREET_STAFF: _MANAGE,
    Role.DISTRICT_STAFF: _MANAGE
    | {
        Perm.COMMAND_ALERTS,
        Perm.COMMAND_REPORT,
        Perm.NOTICES_APPROVE,
        Perm.HEALTH_SET_RISK,
        Perm.PASS_MANAGE_CHECKPOINTS,
        Perm.TEAMS_VIEW,
        Perm.CONTINUITY_VIEW,
        Perm.ENTERPRISES_VIEW,
    },
    Role.COMMAND_STAFF: _MANAGE
    | {
        Perm.REVEAL,
        Perm.REGISTRY_EXPORT_REVEALED,
        Perm.UNIT_MANAGE,
        Perm.HEALTH_SET_RISK,
        Perm.HEALTH_EDIT_RULES,
        Perm.WORKORDER_SUPERVISE,
        Perm.SCREENING_RESULTS,
        Perm.PASS_MANAGE_CHECKPOINTS,
        Perm.TEAMS_VIEW,
        Perm.OUTBOX_MANAGE,
        Perm.SUPPLIES_DONATIONS,
        Perm.SUPPLIES_ALLOCATE,
        Perm.SUPPLIES_CATALOGUE,
        Perm.CONTINUITY_VIEW,
        Perm.CONTINUITY_MANAGE,
        Perm.CONTINUITY_KEY_USERS,
        Perm.CONTINUITY_OVERRIDE_NOTICE,
        Perm.ENTERPRISES_VIEW,
        Perm.ENTERPRISES_MANAGE,
        Perm.COMMAND_ALERTS,
        Perm.COMMAND_REPORT,
        Perm.NOTICES_APPROVE,
    },
    Role.HOTLINE_OPERATOR: frozenset(
        {
            Perm.AREA_VIEW,
            Perm.REGISTRY_VIEW,
            Perm.REGISTRY_SEARCH_ID,
            Perm.REVEAL,
            Perm.HEALTH_VIEW,
            Perm.HEALTH_REQUEST_TRANSFER,
            Perm.WORKORDER_VIEW,
            Perm.WORKORDER_FILE,
            Perm.WORKORDER_DISPATCH,
        }
    ),
    Role.UNIT_STAFF: frozenset(
        {
            Perm.WORKORDER_VIEW,
            Perm.WORKORDER_WORK,
            Perm.PASS_VIEW,
            Perm.PASS_APPROVE,
            Perm.PASS_KEYS,
            Perm.TEAMS_VIEW,
            Perm.TEAMS_DISPATCH,
        }
    ),
    Role.FIELD_TEAM: frozenset({Perm.WORKORDER_VIEW, Perm.WORKORDER_WORK, Perm.TEAMS_RIDE}),
    Role.CHECKPOINT_STAFF: frozenset({Perm.PASS_CHECK}),
    Role.SAMPLER: frozenset({Perm.SCREENING_SAMPLE}),
    Role.LAB: frozenset({Perm.SCREENING_RESULTS}),
    # The logistics group and the stock points: a membership of the warehouse's unit (and
    # an area to see the needs of).
    Role.WAREHOUSE_OFFICER: frozenset(
        {
            Perm.SUPPLIES_VIEW,
            Perm.SUPPLIES_STOCK,
            Perm.SUPPLIES_DONATIONS,
            Perm.SUPPLIES_ALLOCATE,
        }
    ),
    # A building's volunteer: the pick lists of the buildings in the membership's area
    # that name them.
    Role.BUILDING_HEAD: frozenset({Perm.SUPPLIES_DELIVER}),
    # The volunteers of the membership's area: approval, posts, shifts, sign-up lists,
    # rosters, and duty passes for those they send out.
    Role.VOLUNTEER_COORDINATOR: frozenset(
        {Perm.PASS_APPLY, Perm.VOLUNTEERS_VIEW, Perm.VOLUNTEERS_MANAGE}
    ),
    # A utility's or a plant's duty desk (a membership of its unit, and of the area it
    # supplies): its figures and problems, its key users and its outages; the work orders
    # routed to it.
    Role.UTILITY_STAFF: frozenset(
        {
            Perm.CONTINUITY_VIEW,
            Perm.CONTINUITY_REPORT,
            Perm.CONTINUITY_KEY_USERS,
            Perm.CONTINUITY_OUTAGES,
            Perm.WORKORDER_VIEW,
            Perm.WORKORDER_WORK,
        }
    ),
    # The enterprises of the membership's area (or unit): whitelist, sealed staff and
    # their testing compliance, passes for their vehicles, supplies and issues.
    Role.ENTERPRISE_LIAISON: frozenset(
        {
            Perm.ENTERPRISES_VIEW,
            Perm.ENTERPRISES_MANAGE,
            Perm.PASS_APPLY,
            Perm.PASS_VIEW,
            Perm.SUPPLIES_NEED,
            Perm.WORKORDER_FILE,
        }
    ),
    # The counselling line's unit: counsellors take calls and log contacts (anonymous by
    # default); the supervisor sees high-risk flags and counts, and runs the roster.
    # Psychological-help work orders route to the line: its people see and work them.
    Role.COUNSELLOR: frozenset({Perm.COUNSELLING_TAKE, Perm.WORKORDER_VIEW, Perm.WORKORDER_WORK}),
    Role.COUNSELLING_SUPERVISOR: frozenset(
        {
            Perm.COUNSELLING_TAKE,
            Perm.COUNSELLING_SUPERVISE,
            # A high-risk caller's referral to medical care is a work order filed by the
            # supervisor (counselling/services/referrals.py).
            Perm.WORKORDER_FILE,
            Perm.WORKORDER_VIEW,
            Perm.WORKORDER_WORK,
        }
    ),
}
# The administrator may do everything, inside the area or unit of their membership, and
# every reveal and change of theirs is audited like anyone's.
ROLE_PERMISSIONS[Role.ADMIN] = frozenset(LABELS)

ALL_PERMISSIONS: frozenset[str] = frozenset(LABELS)


def permissions_of(role: str) -> frozenset[str]:
    """The permissions a membership in ``role`` grants (none for an unknown role)."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(perm: str) -> frozenset[str]:
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def permissions_table_markdown() -> str:
    """The roles-by-permissions table for docs/security.md (in English, whatever the
    active language)."""
    with translation.override("en"):
        return _table()


def _table() -> str:
    roles = [role for role in Role.values if role in ROLE_PERMISSIONS]
    lines = [
        "| permission | " + " | ".join(f"`{r}`" for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for perm, label in LABELS.items():
        marks = " | ".join("✓" if perm in ROLE_PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{perm}` {label} | {marks} |")
    return "\n".join(lines) + "\n"
