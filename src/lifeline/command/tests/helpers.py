"""The command tests' small world: the small city with its command staff and a few work
orders (two in grid A, one of them for its vulnerable resident; one in grid B)."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.accounts.models import Role, User
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import workorder_create


@dataclass
class Desk:
    city: SmallCity
    command: User
    district: User
    worker_a: User
    orders: list[WorkOrder]


def order(actor: User, grid: object, text: str, **extra: object) -> WorkOrder:
    return workorder_create(
        actor=actor, category_code="other", area=grid, description=text, **extra
    ).order


def make_desk(city: SmallCity) -> Desk:
    command = make_user("cmd_staff", role=Role.COMMAND_STAFF, area=city.city)
    orders = [
        order(command, city.grid_a, "第一网格独居老人要买药", person=city.people_a[0]),
        order(command, city.grid_a, "第一网格要送菜"),
        order(command, city.grid_b, "第二网格要送菜"),
    ]
    return Desk(
        city=city,
        command=command,
        district=make_user("cmd_district", role=Role.DISTRICT_STAFF, area=city.district),
        worker_a=make_user("cmd_worker_a", role=Role.GRID_WORKER, area=city.grid_a),
        orders=orders,
    )
