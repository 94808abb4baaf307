"""Work-order writes. Import services from here: ``from lifeline.workorders.services import
workorder_create``."""

from lifeline.workorders.services.closing import (
    workorder_close,
    workorder_confirm,
    workorder_reopen,
    workorder_resolve,
)
from lifeline.workorders.services.field import (
    sla_policy_activate,
    stop_complete,
    workorder_claim,
    workorder_escalate,
    workorder_handover,
    workorder_merge,
    workorder_warn,
)
from lifeline.workorders.services.intake import Intake, workorder_create
from lifeline.workorders.services.lifecycle import (
    workorder_accept,
    workorder_cancel,
    workorder_comment,
    workorder_dispatch,
    workorder_return,
    workorder_start,
    workorder_transfer,
)
from lifeline.workorders.services.lists import workorder_list_import
from lifeline.workorders.services.photos import photo_add, workorder_complete
from lifeline.workorders.services.resident import verification_check, verification_send

__all__ = [
    "Intake",
    "photo_add",
    "sla_policy_activate",
    "stop_complete",
    "verification_check",
    "verification_send",
    "workorder_accept",
    "workorder_cancel",
    "workorder_claim",
    "workorder_close",
    "workorder_comment",
    "workorder_complete",
    "workorder_confirm",
    "workorder_create",
    "workorder_dispatch",
    "workorder_escalate",
    "workorder_handover",
    "workorder_list_import",
    "workorder_merge",
    "workorder_reopen",
    "workorder_resolve",
    "workorder_return",
    "workorder_start",
    "workorder_transfer",
    "workorder_warn",
]
