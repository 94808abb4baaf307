"""Supplies writes. Other apps import from here: ``from lifeline.supplies.services import
stock_issue``; inside supplies, import the part's module."""

from lifeline.supplies.services.allocation import (
    allocation_approve,
    allocation_discard,
    allocation_edit,
    allocation_propose,
)
from lifeline.supplies.services.counts import count_review, count_start, count_submit
from lifeline.supplies.services.donations import (
    donor_create,
    money_record,
    pledge_create,
    pledge_receive,
)
from lifeline.supplies.services.ledger import (
    Ref,
    Short,
    stock_adjust,
    stock_issue,
    stock_receive,
    stock_transfer,
)
from lifeline.supplies.services.needs import need_cancel, need_create, recurring_create
from lifeline.supplies.services.packages import package_create, package_order
from lifeline.supplies.services.shipments import (
    shipment_cancel,
    shipment_confirm,
    shipment_create,
    shipment_dispatch,
    shipment_resend_code,
)

__all__ = [
    "Ref",
    "Short",
    "allocation_approve",
    "allocation_discard",
    "allocation_edit",
    "allocation_propose",
    "count_review",
    "count_start",
    "count_submit",
    "donor_create",
    "money_record",
    "need_cancel",
    "need_create",
    "package_create",
    "package_order",
    "pledge_create",
    "pledge_receive",
    "recurring_create",
    "shipment_cancel",
    "shipment_confirm",
    "shipment_create",
    "shipment_dispatch",
    "shipment_resend_code",
    "stock_adjust",
    "stock_issue",
    "stock_receive",
    "stock_transfer",
]
