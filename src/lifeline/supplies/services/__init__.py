"""Supplies writes. Other apps import from here: ``from lifeline.supplies.services import
stock_issue``."""

from lifeline.supplies.services.ledger import (
    Ref,
    Short,
    stock_adjust,
    stock_issue,
    stock_receive,
    stock_transfer,
)

__all__ = [
    "Ref",
    "Short",
    "stock_adjust",
    "stock_issue",
    "stock_receive",
    "stock_transfer",
]
