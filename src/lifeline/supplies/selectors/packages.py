"""Supply package reads: what a household may order today with the live counts, a
community's packages, the building heads' pick lists.

Live counts are the day's counter (``PackageDay.ordered``), one row per package, never a
count of orders per page view. Households are shown as building and unit number, phones
masked; no name of a person is read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_phone, normalise_phone
from lifeline.registry.models import Household, Person
from lifeline.supplies.models import (
    OrderStatus,
    PackageDay,
    PackageOrder,
    PickList,
    SupplyPackage,
)

M = TypeVar("M", bound=Model)


@dataclass
class Live:
    """A package with today's count: ``ordered`` of ``cap``, ``left``, sold out or not."""

    package: SupplyPackage
    ordered: int
    cap: int
    window_open: bool = False
    mine: list[PackageOrder] = field(default_factory=list)

    @property
    def left(self) -> int:
        return max(self.cap - self.ordered, 0)

    @property
    def sold_out(self) -> bool:
        return self.ordered >= self.cap


def area_ancestors(path: str) -> list[str]:
    """``/a/b/c/`` → ``/a/``, ``/a/b/``, ``/a/b/c/``: the places a package may be for."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def _one(qs: QuerySet[M], actor: Actor, pk: int) -> M:
    """The row ``pk`` where the actor holds the model's permission; NotFound otherwise,
    as for a row that does not exist."""
    found = scoped(qs, actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def local_day(moment: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(moment or clock.now()).date()


def counts_for(packages: list[SupplyPackage], day: dt.date) -> dict[int, tuple[int, int]]:
    """``package id → (ordered, cap)`` for ``day``, from the counters (a package nobody
    ordered yet today: 0 of its daily cap)."""
    rows = PackageDay.objects.filter(package__in=packages, day=day).values_list(
        "package_id", "ordered", "cap"
    )
    found = {pk: (ordered, cap) for pk, ordered, cap in rows}
    return {p.pk: found.get(p.pk, (0, p.daily_cap)) for p in packages}


def _live(packages: list[SupplyPackage], day: dt.date, moment: dt.datetime) -> list[Live]:
    counts = counts_for(packages, day)
    local = timezone.localtime(moment).time()
    return [Live(p, *counts[p.pk], window_open=p.opens_at <= local < p.closes_at) for p in packages]


# Residents (a proven phone, no actor) ------------------------------------------------


def households_of_phone(*, phone: str) -> list[Household]:
    """The households whose phone, second phone or member's own phone is ``phone``: for a
    resident who proved that phone with a one-time code, and for nobody else."""
    phone = normalise_phone(phone or "")
    if not phone:
        return []
    members = Person.objects.filter(phone=phone).values("household_id")
    return list(
        Household.objects.select_related("building")
        .filter(Q(phone=phone) | Q(phone_alt=phone) | Q(pk__in=members))
        .order_by("pk")[:10]
    )


def packages_for_household(
    *, household: Household, moment: dt.datetime | None = None
) -> list[Live]:
    """The packages on sale for the household's place, with today's live counts and the
    household's own orders of today."""
    moment = moment or clock.now()
    day = local_day(moment)
    packages = list(
        SupplyPackage.objects.filter(active=True, area_path__in=area_ancestors(household.area_path))
    )
    live = _live(packages, day, moment)
    orders = PackageOrder.objects.filter(household=household, day__day=day).exclude(
        status=OrderStatus.CANCELLED
    )
    by_package: dict[int, list[PackageOrder]] = {}
    for order in orders.select_related("day"):
        by_package.setdefault(order.day.package_id, []).append(order)
    for row in live:
        row.mine = by_package.get(row.package.pk, [])
    return live


def orders_of_households(*, households: list[Household], days: int = 7) -> list[PackageOrder]:
    """The households' orders of the last ``days`` days, newest first."""
    since = local_day() - dt.timedelta(days=days)
    return list(
        PackageOrder.objects.filter(household__in=households, day__day__gte=since)
        .select_related("day__package", "household__building")
        .order_by("-ordered_at")[:50]
    )


# Community staff -----------------------------------------------------------------------


def package_list(*, actor: Actor, active_only: bool = False) -> QuerySet[SupplyPackage]:
    qs = scoped(SupplyPackage.objects.select_related("area", "unit"), actor)
    return qs.filter(active=True) if active_only else qs


def package_list_live(*, actor: Actor) -> list[Live]:
    """The actor's packages with today's live counts ("143 / 200")."""
    moment = clock.now()
    return _live(list(package_list(actor=actor)), local_day(moment), moment)


def live_rows(*, packages: list[SupplyPackage]) -> list[Live]:
    """``packages`` with today's live counts."""
    moment = clock.now()
    return _live(packages, local_day(moment), moment)


def package_live(*, package: SupplyPackage) -> Live:
    """One package with today's live count."""
    moment = clock.now()
    return _live([package], local_day(moment), moment)[0]


def package_get(*, actor: Actor, pk: int) -> SupplyPackage:
    return _one(SupplyPackage.objects.select_related("area", "unit"), actor, pk)


_TALLY = {
    "collected": Count("orders", filter=~Q(orders__status=OrderStatus.CANCELLED)),
    "delivered": Count("orders", filter=Q(orders__status=OrderStatus.DELIVERED)),
    "refused": Count("orders", filter=Q(orders__status=OrderStatus.REFUSED)),
    "waiting": Count("orders", filter=Q(orders__status=OrderStatus.ORDERED)),
    "paid": Count("orders", filter=Q(orders__payment="paid") & ~Q(orders__status="cancelled")),
    "confirmed": Count("orders", filter=Q(orders__confirmed_at__isnull=False)),
}


def package_pick_lists(
    *, actor: Actor, package: SupplyPackage, day: dt.date | None = None
) -> list[PickList]:
    """The package's pick lists of ``day`` (today), one per building, with their tallies."""
    qs = scoped(PickList.objects.select_related("building"), actor).filter(
        day__package=package, day__day=day or local_day()
    )
    return list(qs.annotate(**_TALLY).order_by("building__name_sort", "building__name"))


# Building heads ------------------------------------------------------------------------


def picklists_for_head(*, actor: Actor, day: dt.date | None = None) -> list[PickList]:
    """Today's pick lists of the buildings where the actor delivers, with tallies."""
    qs = scoped(
        PickList.objects.select_related("building", "day__package"), actor, Perm.SUPPLIES_DELIVER
    ).filter(day__day=day or local_day())
    return list(qs.annotate(**_TALLY).order_by("building__name_sort", "day__package__name"))


def picklist_get(*, actor: Actor, pk: int) -> PickList:
    qs = PickList.objects.select_related("building", "day__package").annotate(**_TALLY)
    return _one(qs, actor, pk)


def picklist_lines(*, pick_list: PickList) -> list[dict[str, Any]]:
    """One line per order: unit number, package, quantity, payment, status; the phone
    masked. The caller already holds the list (``picklist_get``)."""
    orders = (
        PackageOrder.objects.filter(pick_list=pick_list)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("household")
        .order_by("household__unit_sort", "household__unit_no", "seq")
    )
    return [
        {
            "order": order,
            "unit_no": order.household.unit_no,
            "phone": mask_phone(order.phone),
            "quantity": 1,
        }
        for order in orders
    ]


def order_get(*, actor: Actor, pk: int) -> PackageOrder:
    """An order for whoever may see its pick list (the building head, community staff)."""
    return _one(
        PackageOrder.objects.select_related("pick_list", "day__package", "household"), actor, pk
    )
