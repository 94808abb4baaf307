"""Key-users writes. Other apps import from here: ``from lifeline.keyusers.services import
interruption_publish``; inside keyusers, import the part's module."""

from lifeline.keyusers.services.interruptions import (
    interruption_cancel,
    interruption_plan,
    interruption_publish,
    notice_given,
    outage_record,
)
from lifeline.keyusers.services.register import (
    building_supply_set,
    building_supply_unset,
    keyuser_register,
    keyuser_update,
    supply_point_create,
)

__all__ = [
    "building_supply_set",
    "building_supply_unset",
    "interruption_cancel",
    "interruption_plan",
    "interruption_publish",
    "keyuser_register",
    "keyuser_update",
    "notice_given",
    "outage_record",
    "supply_point_create",
]
