"""Work-order writes. Import services from here: ``from lifeline.workorders.services import
workorder_create``. Other apps may use only the names listed in ``__all__`` (never a module
of this package), and hear of settled orders through ``workorder_settled``."""

from lifeline.workorders.services.claims import workorder_claim, workorder_handover
from lifeline.workorders.services.closing import (
    workorder_close,
    workorder_complete,
    workorder_confirm,
    workorder_reopen,
    workorder_resolve,
    workorder_resolve_from_route,
)
from lifeline.workorders.services.contact import workorder_contact_reveal
from lifeline.workorders.services.escalation import workorder_escalate, workorder_warn
from lifeline.workorders.services.intake import Intake, workorder_create
from lifeline.workorders.services.lifecycle import (
    workorder_accept,
    workorder_annotate,
    workorder_cancel,
    workorder_comment,
    workorder_dispatch,
    workorder_merge,
    workorder_raise_priority,
    workorder_return,
    workorder_start,
    workorder_transfer,
)
from lifeline.workorders.services.lists import workorder_list_import
from lifeline.workorders.services.photos import photo_add
from lifeline.workorders.services.policies import sla_policy_activate
from lifeline.workorders.services.resident import verification_check, verification_send
from lifeline.workorders.services.stops import order_stop_complete
from lifeline.workorders.signals import workorder_settled

__all__ = [
    "Intake",
    "order_stop_complete",
    "photo_add",
    "sla_policy_activate",
    "verification_check",
    "verification_send",
    "workorder_accept",
    "workorder_annotate",
    "workorder_cancel",
    "workorder_claim",
    "workorder_close",
    "workorder_comment",
    "workorder_complete",
    "workorder_confirm",
    "workorder_contact_reveal",
    "workorder_create",
    "workorder_dispatch",
    "workorder_escalate",
    "workorder_handover",
    "workorder_list_import",
    "workorder_merge",
    "workorder_raise_priority",
    "workorder_reopen",
    "workorder_resolve",
    "workorder_resolve_from_route",
    "workorder_return",
    "workorder_settled",
    "workorder_start",
    "workorder_transfer",
    "workorder_warn",
]
