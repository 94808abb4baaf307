"""Donations' rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the donation tests share.

Two logistics groups keep donor files: group A and group B (the district's, under the
command centre). Group B's donor, pledge and money are refused to group A's officer, to
the grid workers (who see needs, not donations) and to a user with no membership; group
B's officer reaches them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Unit
from lifeline.supplies.models import (
    Donor,
    Item,
    Lot,
    MoneyDonation,
    Pledge,
    PledgeLine,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import donations
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies"
EXPIRY = dt.date(2030, 12, 31)


@dataclass
class DonationsWorld(World):
    command: Unit
    red_cross: Unit
    logistics_a: Unit
    logistics_b: Unit
    officer_a: User
    officer_b: User
    warehouse_a: Warehouse
    warehouse_b: Warehouse
    red_cross_store: Warehouse
    community_store: Warehouse
    donor_a: Donor
    donor_b: Donor
    pledge_a: Pledge
    pledge_b: Pledge
    money_b: MoneyDonation

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "officer_a")
    controls: ClassVar[tuple[str, ...]] = ("officer_b",)
    viewers: ClassVar[tuple[str, ...]] = ("officer_a",)

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        return bool(row.get("unit_id") == self.logistics_a.pk)

    def snapshot(self) -> Any:
        lines = list(PledgeLine.objects.order_by("pk").values_list("pk", "received", "damaged"))
        pledges = list(Pledge.objects.order_by("pk").values_list("pk", "status", "thanked_at"))
        money = list(MoneyDonation.objects.order_by("pk").values_list("pk", "use"))
        return lines, pledges, money, Donor.objects.count(), Lot.objects.count()


def item(code: str) -> Item:
    return Item.objects.select_related("base_unit").get(code=code)


def make_warehouse(
    code: str, name: str, kind: str, unit: Unit, area: Any, contact: str = "", phone: str = ""
) -> Warehouse:
    return Warehouse.objects.create(
        code=code,
        name=name,
        kind=kind,
        unit=unit,
        area=area,
        area_path=area.path,
        contact_name=contact,
        contact_phone=phone,
    )


def make_donations_world(city: SmallCity) -> DonationsWorld:
    command = Unit.objects.create(
        code="U-CMD", name="区疫情防控指挥部", kind=Unit.Kind.COMMAND_CENTRE
    )
    red_cross = Unit.objects.create(
        code="U-RC", name="天元区红十字会", name_en="District Red Cross", kind=Unit.Kind.RED_CROSS
    )
    logistics_b = Unit.objects.create(
        code="U-LOG",
        name="指挥部物资保障组",
        kind=Unit.Kind.LOGISTICS,
        parent=command,
        phone="0731-22334455",
    )
    logistics_a = Unit.objects.create(code="U-LOG-A", name="市物资保障组", kind=Unit.Kind.LOGISTICS)
    officer_a = make_user("officer_a", role=Role.WAREHOUSE_OFFICER, unit=logistics_a)
    officer_b = make_user("officer_b", role=Role.WAREHOUSE_OFFICER, unit=logistics_b)
    warehouse_b = make_warehouse(
        "WH-LOG", "区物资保障仓库", WarehouseKind.LOGISTICS, logistics_b, city.district,
        "王保障", "0731-22338899",
    )  # fmt: skip
    warehouse_a = make_warehouse(
        "WH-LOG-A", "市物资仓库", WarehouseKind.LOGISTICS, logistics_a, city.city
    )
    red_cross_store = make_warehouse(
        "WH-RC", "红十字会仓库", WarehouseKind.RED_CROSS, red_cross, city.district
    )
    community_store = make_warehouse(
        "WH-COMM", "泰山路社区物资点", WarehouseKind.COMMUNITY, city.units["committee"],
        city.community,
    )  # fmt: skip
    donor_a = donations.donor_create(
        actor=officer_a, unit=logistics_a, kind="organisation", name="甲公司"
    )
    donor_b = donations.donor_create(
        actor=officer_b,
        unit=logistics_b,
        kind="organisation",
        name="某科技有限公司",
        contact_name="李经理",
        contact_phone="13812345678",
    )
    pledge_a = donations.pledge_create(
        actor=officer_a,
        donor=donor_a,
        warehouse=warehouse_a,
        lines=[(item("rice"), "100", "kg", None)],
    )
    pledge_b = donations.pledge_create(
        actor=officer_b,
        donor=donor_b,
        warehouse=warehouse_b,
        channel=red_cross,
        lines=[
            (item("protective_suit"), "100", None, "3500"),
            (item("n95"), "10", "n95_box20", None),
        ],
    )
    money_b = donations.money_record(
        actor=officer_b, donor=donor_b, amount="50000", received_on=clock.today()
    )
    return DonationsWorld(
        **base_personas(city),
        command=command,
        red_cross=red_cross,
        logistics_a=logistics_a,
        logistics_b=logistics_b,
        officer_a=officer_a,
        officer_b=officer_b,
        warehouse_a=warehouse_a,
        warehouse_b=warehouse_b,
        red_cross_store=red_cross_store,
        community_store=community_store,
        donor_a=donor_a,
        donor_b=donor_b,
        pledge_a=pledge_a,
        pledge_b=pledge_b,
        money_b=money_b,
    )


def pledge_body(w: DonationsWorld) -> dict[str, Any]:
    return {
        "donor_id": w.donor_b.pk,
        "warehouse_id": w.warehouse_b.pk,
        "channel_id": w.red_cross.pk,
        "note": "第二批",
        "lines": [{"item": "alcohol_500ml", "quantity": "20", "unit": "alcohol_case24"}],
    }


def receive_body(w: DonationsWorld) -> dict[str, Any]:
    line = w.pledge_b.lines.order_by("pk").first()
    assert line is not None
    return {
        "lines": [
            {"line_id": line.pk, "received": "40", "lot_no": "L1", "expires_on": "2030-12-31"}
        ]
    }


def _donor_b(w: DonationsWorld) -> dict[str, Any]:
    return {"donor_id": w.donor_b.pk}


def _pledge_b(w: DonationsWorld) -> dict[str, Any]:
    return {"pledge_id": w.pledge_b.pk}


DONATIONS_CASES = [
    Case("get", f"{API}/donors", "list"),
    Case(
        "post",
        f"{API}/donors",
        "create",
        label="group B's file",
        created=Donor,
        body=lambda w: {"unit_id": w.logistics_b.pk, "kind": "person", "name": "张先生"},
    ),
    Case("get", f"{API}/donors/{{donor_id}}", "object", _donor_b),
    Case("get", f"{API}/donors/{{donor_id}}/trace", "object", _donor_b),
    Case("get", f"{API}/pledges", "list"),
    Case(
        "post",
        f"{API}/pledges",
        "create",
        label="group B's donor",
        created=Pledge,
        body=pledge_body,
    ),
    Case("get", f"{API}/pledges/{{pledge_id}}", "object", _pledge_b),
    Case("post", f"{API}/pledges/{{pledge_id}}/receive", "object", _pledge_b, body=receive_body),
    Case(
        "post",
        f"{API}/money",
        "create",
        label="group B's donor",
        created=MoneyDonation,
        body=lambda w: {
            "donor_id": w.donor_b.pk,
            "amount": "1000",
            "received_on": clock.today().isoformat(),
        },
    ),
    Case(
        "post",
        f"{API}/money/{{money_id}}/use",
        "object",
        lambda w: {"money_id": w.money_b.pk},
        body=lambda w: {"use": "购买蔬菜"},
    ),
]
