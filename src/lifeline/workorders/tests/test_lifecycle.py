import re

import pytest
from django.db import IntegrityError, transaction

from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import EventKind, Status, WorkOrder
from lifeline.workorders.services import (
    workorder_accept,
    workorder_cancel,
    workorder_close,
    workorder_comment,
    workorder_confirm,
    workorder_create,
    workorder_dispatch,
    workorder_reopen,
    workorder_resolve,
    workorder_return,
    workorder_start,
    workorder_transfer,
)


@pytest.fixture
def order(city, ladder, categories, grid_worker_a):
    return workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        person=city.people_a[1],
        description="没菜了",
        extra={"items": "菜"},
    ).order


def _code_sent(order):
    body = OutboxMessage.objects.filter(object_id=str(order.pk)).order_by("-pk").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_full_life_closes_only_after_the_resident_confirms_with_the_code(order, committee_staff):
    # given the committee accepts, starts and resolves the order
    order = workorder_accept(actor=committee_staff, order=order)
    order = workorder_start(actor=committee_staff, order=order)
    order = workorder_resolve(actor=committee_staff, order=order, note="已送菜上门")
    assert order.status == Status.RESOLVED and order.paused_at is not None
    # when the resident types a wrong code, then the right one
    with pytest.raises(ServiceError):
        workorder_confirm(
            number=order.number, code="000000" if _code_sent(order) != "000000" else "111111"
        )
    closed = workorder_confirm(number=order.number, code=_code_sent(order), satisfaction=5)
    # then the order is closed with the resident's satisfaction, every step on the timeline
    assert closed.status == Status.CLOSED and closed.satisfaction == 5
    kinds = list(closed.events.values_list("kind", flat=True))
    assert kinds == ["created", "dispatched", "accepted", "started", "resolved", "closed"]
    assert closed.events.last().data == {"via": "code", "satisfaction": 5}


def test_code_stops_working_after_five_wrong_tries(order, committee_staff):
    order = workorder_accept(actor=committee_staff, order=order)
    order = workorder_resolve(actor=committee_staff, order=order, note="done")
    right = _code_sent(order)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(5):
        with pytest.raises(ServiceError):
            workorder_confirm(number=order.number, code=wrong)
    with pytest.raises(ServiceError):
        workorder_confirm(number=order.number, code=right)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.RESOLVED


def test_resident_saying_not_solved_reopens_with_fresh_clocks(order, committee_staff):
    order = workorder_accept(actor=committee_staff, order=order)
    order = workorder_resolve(actor=committee_staff, order=order, note="done")
    reopened = workorder_confirm(
        number=order.number, code=_code_sent(order), satisfied=False, note="菜没送到"
    )
    assert reopened.status == Status.REOPENED
    assert reopened.responded_at is None and reopened.paused_at is None


def test_callback_closes_a_resolved_order_but_not_an_open_one(order, committee_staff):
    with pytest.raises(Conflict):
        workorder_close(actor=committee_staff, order=order, satisfaction=4)
    order = workorder_accept(actor=committee_staff, order=order)
    order = workorder_resolve(actor=committee_staff, order=order, note="done")
    closed = workorder_close(actor=committee_staff, order=order, satisfaction=4, note="回访满意")
    assert closed.status == Status.CLOSED
    reopened = workorder_reopen(actor=committee_staff, order=closed, reason="居民又来电")
    assert reopened.status == Status.REOPENED


def test_transfer_needs_a_reason_and_return_goes_back_to_the_sender(
    order, committee_staff, ladder, street_staff
):
    with pytest.raises(ServiceError):
        workorder_transfer(actor=committee_staff, order=order, unit=ladder["street"], reason="")
    # when the committee transfers to the street office, which returns it
    moved = workorder_transfer(
        actor=committee_staff, order=order, unit=ladder["street"], reason="需要街道协调"
    )
    assert moved.responsible_unit == ladder["street"]
    back = workorder_return(actor=street_staff, order=moved, reason="社区可以处理")
    # then it is back with the committee, waiting to be dispatched again
    assert back.responsible_unit == ladder["committee"] and back.status == Status.RECEIVED
    ev = back.events.get(kind=EventKind.RETURNED)
    assert (ev.from_unit, ev.unit, ev.note) == (
        ladder["street"],
        ladder["committee"],
        "社区可以处理",
    )
    again = workorder_dispatch(actor=street_staff, order=back)
    assert again.status == Status.DISPATCHED and again.responsible_unit == ladder["committee"]


def test_open_order_without_a_unit_is_refused_by_the_database(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(responsible_unit=None)
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CANCELLED)
    WorkOrder.objects.filter(pk=order.pk).update(responsible_unit=None)  # closed: allowed


def test_step_on_a_stale_version_is_refused(order, committee_staff):
    # given two staff who read the order at the same version
    read_version = order.version
    # when one accepts it
    workorder_accept(actor=committee_staff, order=order, expected_version=read_version)
    # then the other's cancel, based on what they read, is refused
    with pytest.raises(Conflict):
        workorder_cancel(
            actor=committee_staff, order=order, reason="重复", expected_version=read_version
        )


def test_staff_outside_the_area_and_unit_do_not_see_the_order(order, grid_worker_b, outsider):
    for actor in (grid_worker_b, outsider):
        with pytest.raises(NotFound):
            workorder_accept(actor=actor, order=order)
        with pytest.raises(NotFound):
            workorder_comment(actor=actor, order=order, note="看看")


def test_grid_worker_of_the_grid_may_comment_but_not_dispatch(order, grid_worker_a):
    workorder_comment(actor=grid_worker_a, order=order, note="已上门")
    assert order.events.filter(kind=EventKind.COMMENTED).count() == 1
    from lifeline.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        workorder_dispatch(actor=grid_worker_a, order=order)


def test_cancel_writes_status_event_and_tells_the_resident(order, committee_staff):
    cancelled = workorder_cancel(actor=committee_staff, order=order, reason="居民已自行解决")
    assert cancelled.status == Status.CANCELLED and cancelled.closed_at is not None
    assert "居民已自行解决" in OutboxMessage.objects.order_by("-pk").first().body
