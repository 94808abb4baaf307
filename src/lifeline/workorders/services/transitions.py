"""The order's lifecycle as one table: for each step a person may take on the order page,
the statuses it may be taken from and the permissions (any of them, at the order's place)
it needs. The services check their transitions against it, and the order page shows only
the steps it allows, so a button is never offered that its service would refuse for the
status or the role."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.accounts.permissions import Perm
from lifeline.core.actors import Actor
from lifeline.workorders.models import CLAIMABLE, Status, WorkOrder
from lifeline.workorders.services import common

# Open and not yet resolved: the work is still owed.
UNRESOLVED = (
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.REOPENED,
)
ANY_STATUS = tuple(Status)


@dataclass(frozen=True)
class Transition:
    allowed_from: tuple[str, ...]
    perms: tuple[str, ...]


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(CLAIMABLE, common.HANDLE),
    "accept": Transition((Status.DISPATCHED, Status.REOPENED), common.HANDLE),
    "start": Transition((Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED), common.HANDLE),
    "resolve": Transition((Status.ACCEPTED, Status.IN_PROGRESS), common.HANDLE),
    "close": Transition((Status.RESOLVED,), common.HANDLE),
    "reopen": Transition((Status.RESOLVED, Status.CLOSED), common.REOPEN),
    "cancel": Transition(UNRESOLVED, common.HANDLE),
    "dispatch": Transition((Status.RECEIVED,), (Perm.WORKORDER_DISPATCH,)),
    "transfer": Transition(UNRESOLVED, common.HANDLE),
    "return": Transition((Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED), common.HANDLE),
    "merge": Transition(
        tuple(s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)),
        (Perm.WORKORDER_DISPATCH,),
    ),
    "comment": Transition(ANY_STATUS, common.ADD_TO),
    "photo": Transition(ANY_STATUS, common.ADD_TO),
}


def allowed_from(step: str) -> tuple[str, ...]:
    """The statuses ``step`` may be taken from (what the service's check uses)."""
    return TRANSITIONS[step].allowed_from


def workorder_actions(*, actor: Actor, order: WorkOrder) -> frozenset[str]:
    """The steps ``actor`` may take on ``order`` now: its status allows them and a
    membership granting their permission covers the order. A claim also needs the order
    to be unclaimed. The services check again when a step is taken."""
    allowed = set()
    granted: dict[tuple[str, ...], bool] = {}
    for name, transition in TRANSITIONS.items():
        if order.status not in transition.allowed_from:
            continue
        if transition.perms not in granted:
            granted[transition.perms] = common.can_at(actor, transition.perms, order)
        if granted[transition.perms]:
            allowed.add(name)
    if order.claimed_by_id is not None:
        allowed.discard("claim")
    return frozenset(allowed)
