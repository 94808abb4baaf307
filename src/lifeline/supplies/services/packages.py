"""Supply packages a community sells to its residents: publishing, ordering under the daily
cap, the building heads' pick lists, delivery, receipt and payment (recorded, not processed).

Invariants:

- ``PackageDay.ordered`` never exceeds ``cap``: it changes only by one compare-and-set
  ``UPDATE ... SET ordered = ordered + 1 WHERE ordered < cap`` (and the database's check
  constraint); a burst of orders queues on that one row and the first ``cap`` win.
- A household holds at most ``per_household`` live orders a day: the unique constraint
  (day, household, seq) settles two orders racing for the same slot.
- Every order sits on its building's pick list; the list closes once no order on it is
  waiting (each one delivered, refused with a reason, or cancelled).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.personal import normalise_phone
from lifeline.core.safetext import has_unsafe
from lifeline.registry.models import Area, Household, Person, Unit
from lifeline.supplies.models import (
    OrderStatus,
    PackageDay,
    PackageOrder,
    Payment,
    PickList,
    SupplyPackage,
)

MAX_PRICE = Decimal("100000")
MAX_CAP = 100_000
MAX_PER_HOUSEHOLD = 20
EDITABLE = (
    "name",
    "contents",
    "price",
    "daily_cap",
    "per_household",
    "opens_at",
    "closes_at",
    "deliver_from",
)


# Reading what was typed ----------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > max_length:
        errors[field] = [_("At most %(n)s characters.") % {"n": max_length}]
    elif has_unsafe(text):
        errors[field] = [_("Control characters are not allowed.")]
    return text


def _price(value: Any, errors: dict[str, list[str]]) -> Decimal:
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        price = Decimal("NaN")
    if not price.is_finite():
        errors["price"] = [_("Enter a number.")]
    elif price < 0:
        errors["price"] = [_("The price cannot be negative.")]
    elif price >= MAX_PRICE:
        errors["price"] = [_("That price is too large.")]
    elif price != price.quantize(Decimal("0.01")):
        errors["price"] = [_("Use at most two decimal places.")]
    else:
        return price.quantize(Decimal("0.01"))
    return Decimal(0)


def _count(value: Any, field: str, top: int, errors: dict[str, list[str]]) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return 0
    if not 1 <= number <= top:
        errors[field] = [_("Enter a number from 1 to %(top)s.") % {"top": top}]
    return number


def _time(value: Any, field: str, errors: dict[str, list[str]]) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return dt.time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
    except ValueError:
        errors[field] = [_("Give a time of day as HH:MM.")]
        return dt.time(0, 0)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """The package's fields read and checked; a ``ServiceError`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        "name": _text(values["name"], "name", 100, errors),
        "contents": _text(values["contents"], "contents", 500, errors),
        "price": _price(values["price"], errors),
        "daily_cap": _count(values["daily_cap"], "daily_cap", MAX_CAP, errors),
        "per_household": _count(
            values["per_household"], "per_household", MAX_PER_HOUSEHOLD, errors
        ),
        "opens_at": _time(values["opens_at"], "opens_at", errors),
        "closes_at": _time(values["closes_at"], "closes_at", errors),
        "deliver_from": _time(values["deliver_from"], "deliver_from", errors),
    }
    both = "opens_at" not in errors and "closes_at" not in errors
    if both and clean["opens_at"] >= clean["closes_at"]:
        errors["closes_at"] = [_("Orders must close after they open.")]
    if errors:
        raise ServiceError(_("The package could not be saved."), fields=errors)
    return clean


def _require_packages(actor: Actor, package_path: str) -> None:
    require(
        actor,
        Perm.SUPPLIES_PACKAGES,
        path=package_path,
        message=_("You may not sell supply packages here."),
    )


# Publishing ----------------------------------------------------------------------------


def package_create(
    *,
    actor: Actor,
    unit: Unit,
    area: Area,
    name: str,
    contents: str,
    price: Any,
    daily_cap: Any,
    per_household: Any = 1,
    opens_at: Any,
    closes_at: Any,
    deliver_from: Any,
) -> SupplyPackage:
    """Publish a package of ``unit`` for the households of ``area`` (SUPPLIES_PACKAGES at
    the area; the unit must serve the area or a place above it)."""
    _require_packages(actor, area.path)
    clean = _clean(
        {
            "name": name,
            "contents": contents,
            "price": price,
            "daily_cap": daily_cap,
            "per_household": per_household,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "deliver_from": deliver_from,
        }
    )
    served = unit.areas.values_list("path", flat=True)
    if not any(area.path.startswith(path) for path in served):
        message = _("That unit does not serve this area.")
        raise ServiceError(message, fields={"unit": [message]})
    with transaction.atomic():
        package = SupplyPackage.objects.create(
            unit=unit,
            area=area,
            area_path=area.path,
            created_by=user_of(actor),
            created_at=clock.now(),
            **clean,
        )
        audit_log(actor=actor, action="supplies.package_create", obj=package, area_path=area.path)
    return package


def package_update(*, actor: Actor, package: SupplyPackage, **changes: Any) -> SupplyPackage:
    """Change a package. A new daily cap applies to today as well, unless more than it
    have already been ordered today (refused: cancel orders first)."""
    _require_packages(actor, package.area_path)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ServiceError(
            _("These fields cannot be changed."), fields={k: [_("Unknown field.")] for k in unknown}
        )
    clean = _clean({field: changes.get(field, getattr(package, field)) for field in EDITABLE})
    with transaction.atomic():
        locked = SupplyPackage.objects.select_for_update().get(pk=package.pk)
        if clean["daily_cap"] != locked.daily_cap:
            today = PackageDay.objects.filter(package=locked, day=clock.today())
            fits = today.filter(ordered__lte=clean["daily_cap"]).update(
                cap=clean["daily_cap"], closed_at=None
            )
            if not fits and today.exists():
                message = _("More packages than that have already been ordered today.")
                raise Conflict(message, code="cap_below_orders", fields={"daily_cap": [message]})
            today.filter(ordered__gte=F("cap"), closed_at__isnull=True).update(
                closed_at=clock.now()
            )
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(clean))
        audit_log(
            actor=actor,
            action="supplies.package_update",
            obj=locked,
            area_path=locked.area_path,
            fields=sorted(changes),
        )
    return locked


def package_stop(*, actor: Actor, package: SupplyPackage) -> SupplyPackage:
    """Take a package off sale; orders already placed stay and are delivered."""
    _require_packages(actor, package.area_path)
    with transaction.atomic():
        SupplyPackage.objects.filter(pk=package.pk).update(active=False)
        package.active = False
        audit_log(
            actor=actor, action="supplies.package_stop", obj=package, area_path=package.area_path
        )
    return package


# Ordering ------------------------------------------------------------------------------


def household_of_phone(*, phone: str, household_id: Any) -> Household:
    """The household ``household_id`` if ``phone`` (proven by a one-time code) is its
    phone, its second phone or the own phone of one of its people; NotFound otherwise,
    exactly as for a household that does not exist."""
    phone = normalise_phone(phone or "")
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        pk = 0
    if not phone or not 0 < pk < 2**63:
        raise NotFound(_("No household of yours was found."))
    members = Person.objects.filter(household_id=pk, phone=phone)
    household = (
        Household.objects.select_related("building")
        .filter(pk=pk)
        .filter(Q(phone=phone) | Q(phone_alt=phone) | Q(pk__in=members.values("household_id")))
        .first()
    )
    if household is None:
        raise NotFound(_("No household of yours was found."))
    return household


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def window_open(package: SupplyPackage, moment: dt.datetime) -> bool:
    local = _local(moment).time()
    return package.opens_at <= local < package.closes_at


def _sold_out(cap: int) -> Conflict:
    return Conflict(
        _("Sold out today: all %(cap)s packages have been ordered. Try again tomorrow.")
        % {"cap": cap},
        code="sold_out",
    )


def _already_ordered() -> Conflict:
    return Conflict(_("Your household has already ordered this today."), code="already_ordered")


def _day_of(package: SupplyPackage, day: dt.date) -> PackageDay:
    """Today's counter, made on the first order (``get_or_create`` retries the read when
    another order made it first)."""
    found, _created = PackageDay.objects.get_or_create(
        package=package,
        day=day,
        defaults={
            "cap": package.daily_cap,
            "unit_id": package.unit_id,
            "area_path": package.area_path,
        },
    )
    return found


def package_order(
    *, phone: str, household_id: Any, package_id: Any, now: dt.datetime | None = None
) -> PackageOrder:
    """One package for a household, ordered from a proven phone inside the order window.

    Refused with 409: the window is closed (``window_closed``), the day's cap is reached
    (``sold_out``), the household already holds its orders for the day
    (``already_ordered``). Nothing is written by a refusal. The order joins its building's
    pick list; the day closes (``closed_at``) when the order that reaches the cap is placed.
    """
    household = household_of_phone(phone=phone, household_id=household_id)
    try:
        package_pk = int(package_id)
    except (TypeError, ValueError):
        package_pk = 0
    package = (
        SupplyPackage.objects.filter(pk=package_pk, active=True).first()
        if 0 < package_pk < 2**63
        else None
    )
    if package is None or not household.area_path.startswith(package.area_path):
        raise NotFound(_("That package is not on sale for your household."))
    moment = now or clock.now()
    if not window_open(package, moment):
        raise Conflict(
            _("Orders for %(name)s are taken from %(opens)s to %(closes)s.")
            % {
                "name": package.name,
                "opens": package.opens_at.strftime("%H:%M"),
                "closes": package.closes_at.strftime("%H:%M"),
            },
            code="window_closed",
        )
    day = _local(moment).date()
    mine = PackageOrder.objects.filter(day__package=package, day__day=day, household=household)
    # Read before the counter's lock, so the lock is held briefly; two orders of one
    # household read alike and the unique (day, household, seq) refuses the second.
    seen = mine.aggregate(live=Count("pk", filter=~Q(status=OrderStatus.CANCELLED)), top=Max("seq"))
    if seen["live"] >= package.per_household:
        raise _already_ordered()
    seq = (seen["top"] or 0) + 1
    with transaction.atomic():
        counter = _day_of(package, day)
        if counter.ordered >= counter.cap:
            raise _sold_out(counter.cap)
        # The one compare-and-set: a burst queues on this row and the first ``cap`` win.
        won = PackageDay.objects.filter(pk=counter.pk, ordered__lt=F("cap")).update(
            ordered=F("ordered") + 1
        )
        if not won:
            raise _sold_out(counter.cap)
        building = household.building
        pick_list, _created = PickList.objects.get_or_create(
            day=counter, building=building, defaults={"area_path": building.area_path}
        )
        try:
            with transaction.atomic():
                order = PackageOrder.objects.create(
                    day=counter,
                    household=household,
                    pick_list=pick_list,
                    area_path=household.area_path,
                    phone=normalise_phone(phone),
                    seq=seq,
                    ordered_at=moment,
                )
        except IntegrityError:
            # Leaving the outer block by this error undoes the counter's increment too.
            raise _already_ordered() from None
        if pick_list.closed_at is not None:
            PickList.objects.filter(pk=pick_list.pk).update(closed_at=None)
        PackageDay.objects.filter(
            pk=counter.pk, ordered__gte=F("cap"), closed_at__isnull=True
        ).update(closed_at=moment)
        audit_log(
            actor=system("resident's package order"),
            action="supplies.package_order",
            obj=order,
            area_path=order.area_path,
        )
    return order


def _order_of_phone(phone: str, order_id: Any) -> PackageOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        pk = 0
    order = (
        PackageOrder.objects.select_related("day__package", "household").filter(pk=pk).first()
        if 0 < pk < 2**63
        else None
    )
    if order is None:
        raise NotFound(_("That order was not found."))
    household_of_phone(phone=phone, household_id=order.household_id)
    return order


def order_cancel(*, phone: str, order_id: Any, now: dt.datetime | None = None) -> PackageOrder:
    """The household takes back an order before the window closes; its package goes
    back on sale (the counter drops by one in the same transaction)."""
    order = _order_of_phone(phone, order_id)
    moment = now or clock.now()
    package = order.day.package
    if _local(moment).date() != order.day.day or not window_open(package, moment):
        raise Conflict(
            _("Orders can only be cancelled while the order window is open."),
            code="window_closed",
        )
    with transaction.atomic():
        taken = PackageOrder.objects.filter(pk=order.pk, status=OrderStatus.ORDERED).update(
            status=OrderStatus.CANCELLED
        )
        if not taken:
            raise Conflict(_("This order can no longer be cancelled."), code="not_open")
        PackageDay.objects.filter(pk=order.day_id).update(ordered=F("ordered") - 1, closed_at=None)
        _close_if_done(order.pick_list_id, moment)
        audit_log(
            actor=system("resident's package order"),
            action="supplies.order_cancel",
            obj=order,
            area_path=order.area_path,
        )
    order.status = OrderStatus.CANCELLED
    return order


def order_confirm(*, phone: str, order_id: Any) -> PackageOrder:
    """The household says it received a delivered order (once; again changes nothing)."""
    order = _order_of_phone(phone, order_id)
    if order.status != OrderStatus.DELIVERED:
        raise Conflict(_("This order has not been delivered yet."), code="not_delivered")
    if order.confirmed_at is not None:
        return order
    with transaction.atomic():
        moment = clock.now()
        PackageOrder.objects.filter(pk=order.pk, confirmed_at__isnull=True).update(
            confirmed_at=moment
        )
        order.confirmed_at = moment
        audit_log(
            actor=system("resident's package order"),
            action="supplies.order_confirm",
            obj=order,
            area_path=order.area_path,
        )
    return order


# Delivering ----------------------------------------------------------------------------


def _close_if_done(pick_list_id: int, moment: dt.datetime) -> None:
    waiting = PackageOrder.objects.filter(pick_list_id=pick_list_id, status=OrderStatus.ORDERED)
    if not waiting.exists():
        PickList.objects.filter(pk=pick_list_id, closed_at__isnull=True).update(closed_at=moment)


def order_deliver(
    *, actor: Actor, order: PackageOrder, delivered: bool, reason: str = ""
) -> PackageOrder:
    """The building head marks an order delivered, or not delivered with a reason (a
    mistaken mark may be changed until the household confirms receipt). The pick list
    closes when none of its orders is waiting."""
    require(
        actor,
        Perm.SUPPLIES_DELIVER,
        path=order.pick_list.area_path,
        message=_("You may not deliver this building's orders."),
    )
    reason = str(reason or "").strip()
    if not delivered:
        if not reason:
            message = _("Say why it was not delivered.")
            raise ServiceError(message, fields={"reason": [message]})
        if len(reason) > 200 or has_unsafe(reason):
            message = _("At most 200 characters, no control characters.")
            raise ServiceError(message, fields={"reason": [message]})
    with transaction.atomic():
        # The list's lock first: two heads marking its last two orders see each other.
        pick_list = PickList.objects.select_for_update().get(pk=order.pick_list_id)
        locked = PackageOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            raise Conflict(_("The household cancelled this order."), code="cancelled")
        if locked.confirmed_at is not None:
            raise Conflict(_("The household has already confirmed receipt."), code="confirmed")
        moment = clock.now()
        locked.status = OrderStatus.DELIVERED if delivered else OrderStatus.REFUSED
        locked.refusal = "" if delivered else reason
        locked.delivered_at = moment
        locked.delivered_by = user_of(actor)
        locked.save(update_fields=["status", "refusal", "delivered_at", "delivered_by"])
        if pick_list.head_id is None:
            PickList.objects.filter(pk=pick_list.pk).update(head=user_of(actor))
        _close_if_done(pick_list.pk, moment)
        audit_log(
            actor=actor,
            action="supplies.order_deliver" if delivered else "supplies.order_refuse",
            obj=locked,
            area_path=locked.area_path,
        )
    return locked


def order_payment_set(*, actor: Actor, order: PackageOrder, payment: str) -> PackageOrder:
    """Record how an order was paid (paid, unpaid, waived); nothing is charged. Community
    staff of the package's area or the building's head."""
    if payment not in Payment.values:
        message = _("Choose paid, unpaid or waived.")
        raise ServiceError(message, fields={"payment": [message]})
    package_path = order.day.package.area_path
    if not (
        can(actor, Perm.SUPPLIES_PACKAGES, path=package_path)
        or can(actor, Perm.SUPPLIES_DELIVER, path=order.pick_list.area_path)
    ):
        require(actor, Perm.SUPPLIES_PACKAGES, path=order.pick_list.area_path)
        raise PermissionDenied()
    with transaction.atomic():
        PackageOrder.objects.filter(pk=order.pk).update(payment=payment)
        order.payment = payment
        audit_log(
            actor=actor,
            action="supplies.order_payment",
            obj=order,
            area_path=order.area_path,
            fields=["payment"],
        )
    return order
