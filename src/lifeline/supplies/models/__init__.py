"""Supplies models, one module per part: the catalogue, stock, donations, needs and
allocations, shipments, supply packages."""

from lifeline.supplies.models.catalogue import Item, ItemCategory, MeasureUnit
from lifeline.supplies.models.donations import (
    Donor,
    DonorKind,
    MoneyDonation,
    Pledge,
    PledgeLine,
    PledgeStatus,
)
from lifeline.supplies.models.needs import (
    Allocation,
    AllocationRun,
    ForWhom,
    Need,
    NeedStatus,
    Priority,
    RecurringNeed,
    RunStatus,
)
from lifeline.supplies.models.packages import (
    OrderStatus,
    PackageDay,
    PackageOrder,
    Payment,
    PickList,
    SupplyPackage,
)
from lifeline.supplies.models.shipments import Shipment, ShipmentLine, ShipmentStatus
from lifeline.supplies.models.stock import (
    DONATION_KINDS,
    CountStatus,
    EntryKind,
    LedgerEntry,
    Lot,
    StockCount,
    StockCountLine,
    Warehouse,
    WarehouseKind,
)

__all__ = [
    "DONATION_KINDS",
    "Allocation",
    "AllocationRun",
    "CountStatus",
    "Donor",
    "DonorKind",
    "EntryKind",
    "ForWhom",
    "Item",
    "ItemCategory",
    "LedgerEntry",
    "Lot",
    "MeasureUnit",
    "MoneyDonation",
    "Need",
    "NeedStatus",
    "OrderStatus",
    "PackageDay",
    "PackageOrder",
    "Payment",
    "PickList",
    "Pledge",
    "PledgeLine",
    "PledgeStatus",
    "Priority",
    "RecurringNeed",
    "RunStatus",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "StockCount",
    "StockCountLine",
    "SupplyPackage",
    "Warehouse",
    "WarehouseKind",
]
