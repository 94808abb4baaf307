"""The demo city's supplies: warehouses, the Red Cross donation of the seeds, needs,
an allocation, shipments, a sealed canteen short of vegetables and a community's
vegetable packages with tonight's pick lists.

Everything goes through the supplies services as the demo logins (the warehouse officer
of the logistics group, command staff, the community staff), so the demo shows what those
services allow, and each role has work waiting when they sign in:

- the warehouse officer: stock in the logistics warehouse, the Red Cross pledge received
  (3,000 suits, 11,000 N95 masks, 3,500 bottles of alcohol, about ¥180,000) and traced,
  a supermarket's pledge of rice still to receive, shipments to dispatch, and a proposal
  for the community's needs to review;
- the community staff: the vegetable package (200 a day) with today's orders;
- the building head: tonight's pick lists of the buildings in their grid;
- the canteen's recurring need below two days of cover (an alert).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership, Role, User
from lifeline.core import clock
from lifeline.registry.models import Area, AreaLevel, Facility, Household, Unit
from lifeline.supplies.models import (
    DonorKind,
    ForWhom,
    Item,
    Priority,
    ShipmentStatus,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import allocation, catalogue, donations, needs, packages
from lifeline.supplies.services import shipments as shipping
from lifeline.supplies.services.ledger import stock_receive

DEMO_EMAIL = "@demo.lifeline.invalid"
TIANYUAN = "430211"


def _user(role: str) -> tuple[User, Membership] | None:
    m = (
        Membership.objects.filter(role=role, user__email__endswith=DEMO_EMAIL)
        .select_related("user", "area", "unit")
        .first()
    )
    return (m.user, m) if m else None


def _items(*codes: str) -> dict[str, Item]:
    return {i.code: i for i in Item.objects.filter(code__in=codes)}


def seed_demo_supplies() -> str:
    """Seed once (nothing when warehouses exist or the demo logins are missing); a line to
    print."""
    if Warehouse.objects.exists():
        return ""
    found = {
        role: _user(role)
        for role in (Role.WAREHOUSE_OFFICER, Role.COMMAND_STAFF, Role.COMMUNITY_STAFF)
    }
    if any(v is None for v in found.values()):
        return ""
    officer, _om = found[Role.WAREHOUSE_OFFICER]  # type: ignore[misc]
    command, _cm = found[Role.COMMAND_STAFF]  # type: ignore[misc]
    community_staff, cm = found[Role.COMMUNITY_STAFF]  # type: ignore[misc]
    district = Area.objects.filter(code=TIANYUAN).first()
    community = cm.area
    if district is None or community is None:
        return ""
    with transaction.atomic():
        houses = _warehouses(command, officer, district, community)
        _stock(officer, houses)
        pledge = _donations(officer, houses)
        shipped = _needs_and_allocation(command, officer, district, community, houses)
        alerts = _canteen(command, houses)
        ordered = _packages(community_staff, cm.unit, community)
    return _(
        "Supplies: %(w)s warehouses; the Red Cross pledge of %(lines)s lines received; "
        "%(s)s shipments; %(a)s low-cover alerts; %(o)s package orders today."
    ) % {"w": len(houses), "lines": pledge, "s": shipped, "a": alerts, "o": ordered}


def _point(area: Area, facility_name: str = "") -> tuple[float | None, float | None, str]:
    if facility_name:
        f = Facility.objects.filter(name=facility_name).first()
        if f is not None:
            return f.lat, f.lng, f.address
    return area.lat, area.lng, ""


def _warehouses(
    command: User, officer: User, district: Area, community: Area
) -> dict[str, Warehouse]:
    logistics = Unit.objects.get(code="LOGISTICS")
    red_cross = Unit.objects.get(code=f"REDCROSS-{TIANYUAN}")
    officer_phone = "13907330001"
    houses: dict[str, Warehouse] = {}

    def make(key: str, code: str, name: str, kind: str, unit: Unit, area: Area, **kw: Any) -> None:
        lat, lng, address = _point(area, kw.pop("facility", ""))
        houses[key] = catalogue.warehouse_create(
            actor=command,
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            area=area,
            address=address or f"株洲市{area.name}",
            lat=lat,
            lng=lng,
            **kw,
        )

    make(
        "logistics",
        "LOG-01",
        "株洲市应急物资储备库",
        WarehouseKind.LOGISTICS,
        logistics,
        district,
        facility="株洲市应急物资储备库",
        contact_name=officer.display_name,
        contact_phone=officer_phone,
    )
    make(
        "red_cross",
        "RC-430211",
        "天元区红十字会物资库",
        WarehouseKind.RED_CROSS,
        red_cross,
        district,
        contact_name="周红",
        contact_phone="13907330002",
    )
    for number, street in enumerate(district.children.order_by("code")[:3], start=1):
        unit = Unit.objects.filter(code=f"S{street.code}").first()
        if unit is not None:
            make(
                f"street{number}",
                f"ST-{street.code}",
                f"{street.name}物资周转点",
                WarehouseKind.STREET,
                unit,
                street,
                contact_name=f"{street.name}物资员",
                contact_phone=f"1390733{1000 + number:04d}",
            )
    committee = Unit.objects.filter(code=f"C{community.code}").first()
    if committee is not None:
        make(
            "community",
            f"CS-{community.code}",
            f"{community.name}便民物资点",
            WarehouseKind.COMMUNITY,
            committee,
            community,
            contact_name=f"{community.name}物资员",
            contact_phone="13907332001",
        )
    enterprise = Facility.objects.filter(
        kind=Facility.Kind.ENTERPRISE, area__path__startswith=district.path
    ).first()
    bureau = Unit.objects.get(code=f"D{TIANYUAN}")
    if enterprise is not None:
        make(
            "canteen",
            "CANTEEN-01",
            f"{enterprise.name}职工食堂（闭环）",
            WarehouseKind.CANTEEN,
            bureau,
            enterprise.area,
            facility=enterprise.name,
            contact_name="食堂负责人",
            contact_phone="13907333001",
        )
    return houses


def _stock(officer: User, houses: dict[str, Warehouse]) -> None:
    items = _items("rice", "vegetables", "meat", "fever_medicine", "gas_cylinder", "cooking_oil")
    expires = clock.today() + dt.timedelta(days=400)
    for code, quantity, lot_no in (
        ("rice", "6000", ""),
        ("vegetables", "1500", ""),
        ("meat", "400", ""),
        ("fever_medicine", "800", "FM2211"),
        ("gas_cylinder", "60", ""),
        ("cooking_oil", "300", ""),
    ):
        item = items[code]
        stock_receive(
            actor=officer,
            warehouse=houses["logistics"],
            item=item,
            quantity=quantity,
            lot_no=lot_no,
            expires_on=expires if item.tracks_expiry else None,
            reason="采购入库",
        )
    if "canteen" in houses:
        # 1.5 days of vegetables for 100 people at 100 kg a day: below the 2-day alert.
        stock_receive(
            actor=officer,
            warehouse=houses["canteen"],
            item=items["vegetables"],
            quantity="150",
            reason="第三方配送（已消杀）",
        )
        stock_receive(
            actor=officer,
            warehouse=houses["canteen"],
            item=items["meat"],
            quantity="60",
            reason="第三方配送（已消杀）",
        )


def _donations(officer: User, houses: dict[str, Warehouse]) -> int:
    logistics = houses["logistics"]
    red_cross = Unit.objects.get(code=f"REDCROSS-{TIANYUAN}")
    items = _items("protective_suit", "n95", "alcohol_500ml", "rice")
    donor = donations.donor_create(
        actor=officer,
        unit=logistics.unit,
        kind=DonorKind.ORGANISATION,
        name="株洲新材料科技有限公司",
        contact_name="刘经理",
        contact_phone="13807331234",
    )
    pledge = donations.pledge_create(
        actor=officer,
        donor=donor,
        warehouse=logistics,
        channel=red_cross,
        value="180000",
        note="经天元区红十字会捐赠，定向街道、社区",
        lines=[
            (items["protective_suit"], "3000", None, "105000"),
            (items["n95"], "11000", None, "38500"),
            (items["alcohol_500ml"], "3500", None, "28000"),
        ],
    )
    expires = clock.today() + dt.timedelta(days=720)
    donations.pledge_receive(
        actor=officer,
        pledge=pledge,
        lines=[
            {
                "line_id": line.pk,
                "received": str(line.quantity),
                "damaged": "0",
                "lot_no": f"RC{line.pk:04d}",
                "expires_on": expires.isoformat(),
            }
            for line in pledge.lines.all()
        ],
    )
    market = donations.donor_create(
        actor=officer,
        unit=logistics.unit,
        kind=DonorKind.ORGANISATION,
        name="步步高超市株洲店",
        contact_name="王店长",
        contact_phone="13807335678",
    )
    donations.pledge_create(
        actor=officer,
        donor=market,
        warehouse=logistics,
        lines=[(items["rice"], "4000", "jin", None)],
        note="明日送达物资储备库",
    )
    donations.money_record(
        actor=officer,
        donor=market,
        amount="50000",
        received_on=clock.today(),
        use="采购蔬菜，供应封控社区",
    )
    return pledge.lines.count()


def _needs_and_allocation(
    command: User, officer: User, district: Area, community: Area, houses: dict[str, Warehouse]
) -> int:
    items = _items("protective_suit", "n95", "alcohol_500ml", "rice", "fever_medicine")
    needed_by = clock.today() + dt.timedelta(days=1)
    streets = list(district.children.order_by("code")[:5])
    for number, street in enumerate(streets, start=1):
        for code, quantity in (("protective_suit", 500), ("n95", 2000), ("alcohol_500ml", 600)):
            needs.need_create(
                actor=command,
                area=street,
                item=items[code],
                quantity=str(quantity + 100 * number),
                needed_by=needed_by,
                priority=Priority.HIGH if number <= 2 else Priority.NORMAL,
                for_whom=ForWhom.STREET,
                for_label=f"{street.name}各社区防疫一线",
                contact_name=f"{street.name}物资员",
                contact_phone=f"1390734{1000 + number:04d}",
            )
    run = allocation.allocation_propose(actor=officer, unit=houses["logistics"].unit)
    allocation.allocation_approve(actor=officer, run=run)
    made = list(houses["logistics"].shipments_out.filter(status=ShipmentStatus.PREPARED))
    for shipment in made[: max(1, len(made) // 2)]:
        shipping.shipment_dispatch(actor=officer, shipment=shipment)
    # The community's needs wait in a new proposal for the officer to review.
    for code, amount, label in (
        ("rice", "300", "独居老人、困难家庭"),
        ("fever_medicine", "40", "慢病、发热居民"),
    ):
        needs.need_create(
            actor=command,
            area=community,
            item=items[code],
            quantity=amount,
            needed_by=clock.today(),
            priority=Priority.CRITICAL,
            vulnerable=True,
            for_whom=ForWhom.COMMUNITY,
            for_label=label,
            contact_name=f"{community.name}物资员",
            contact_phone="13907332001",
        )
    allocation.allocation_propose(actor=officer, unit=houses["logistics"].unit)
    return len(made)


def _canteen(command: User, houses: dict[str, Warehouse]) -> int:
    canteen = houses.get("canteen")
    if canteen is None:
        return 0
    items = _items("vegetables", "meat")
    for code, per_day in (("vegetables", "200"), ("meat", "50")):
        needs.recurring_create(
            actor=command,
            area=canteen.area,
            label=canteen.name,
            item=items[code],
            per_day=per_day,
            unit_code="jin",
            people=100,
            warehouse=canteen,
            alert_below_days=Decimal(2),
            contact_name="食堂负责人",
            contact_phone="13907333001",
        )
    swept = needs.recurring_sweep(now=clock.now())
    return int(swept.get("alerts", 0))


def _packages(staff: User, committee: Unit | None, community: Area) -> int:
    if committee is None:
        return 0
    package = packages.package_create(
        actor=staff,
        unit=committee,
        area=community,
        name="平价蔬菜包",
        contents="青菜2斤、萝卜2斤、土豆2斤、西红柿1斤、鸡蛋10个",
        price="30",
        daily_cap=200,
        opens_at=dt.time(6, 0),
        closes_at=dt.time(22, 0),
        deliver_from=dt.time(18, 0),
    )
    tz = timezone.get_current_timezone()
    morning = dt.datetime.combine(clock.today(), dt.time(9, 0), tzinfo=tz)
    grid = community.children.filter(level=AreaLevel.GRID).order_by("code").first() or community
    ordered = 0
    households = Household.objects.filter(area_path__startswith=grid.path).exclude(phone="")
    for household in households.order_by("pk")[:60]:
        packages.package_order(
            phone=household.phone, household_id=household.pk, package_id=package.pk, now=morning
        )
        ordered += 1
    return ordered
