"""The order page offers only the steps the lifecycle table allows for the order's status
and the user's permissions, a refused step is said once, and timelines name people by
their display name or role, never their login name."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.actors import system
from lifeline.testing.factories import make_user
from lifeline.workorders.models import Status
from lifeline.workorders.services import (
    workorder_accept,
    workorder_annotate,
    workorder_create,
    workorder_resolve,
)
from lifeline.workorders.services.transitions import TRANSITIONS, workorder_actions


def _order(actor, area, text="需要买药"):
    return workorder_create(
        actor=actor, category_code="other", area=area, description=text, address="1栋"
    ).order


def _buttons(page: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', page))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.DISPATCHED, {"claim", "accept", "start", "transfer", "return", "cancel"}),
        (Status.ACCEPTED, {"claim", "start", "resolve", "transfer", "return", "cancel"}),
        (Status.IN_PROGRESS, {"claim", "resolve", "transfer", "cancel"}),
        (Status.RESOLVED, {"close", "reopen"}),
        (Status.CLOSED, {"reopen"}),
        (Status.CANCELLED, set()),
    ],
)
def test_each_status_offers_only_its_steps(
    city, ladder, categories, grid_worker_a, committee_staff, status, expected
):
    # given an order of the committee in ``status``
    order = _order(grid_worker_a, city.grid_a)
    order.status = status
    order.save(update_fields=["status"])
    # when the committee's staff ask which steps they may take
    steps = workorder_actions(actor=committee_staff, order=order)
    # then exactly the lifecycle's steps for that status (comments and photos always)
    assert steps - {"comment", "photo"} == expected
    # and the page shows those buttons and no other
    page = client_for(committee_staff).get(f"/workorders/{order.pk}/").content.decode()
    assert _buttons(page) == expected


def test_a_role_without_the_permission_sees_no_step_buttons(
    city, ladder, categories, grid_worker_a
):
    # given a dispatched order and the grid worker who filed it (files, does not work it)
    order = _order(grid_worker_a, city.grid_a)
    # then the grid worker may add to it but not take a step
    steps = workorder_actions(actor=grid_worker_a, order=order)
    assert steps == {"comment", "photo"}
    page = client_for(grid_worker_a).get(f"/workorders/{order.pk}/").content.decode()
    assert _buttons(page) == set()


def test_the_services_check_the_same_table(city, ladder, categories, grid_worker_a):
    # the table is the one source: each step's statuses are what its service accepts
    assert set(TRANSITIONS["resolve"].allowed_from) == {Status.ACCEPTED, Status.IN_PROGRESS}
    assert Status.RESOLVED not in TRANSITIONS["cancel"].allowed_from


def test_a_refused_step_is_said_once_without_a_field_name(
    city, ladder, categories, grid_worker_a, committee_staff
):
    order = _order(grid_worker_a, city.grid_a)
    client = client_for(committee_staff)
    with translation.override("en"):
        response = client.post(
            f"/workorders/{order.pk}/act/transfer/",
            {"reason": ""},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    messages = re.findall(r'<li class="message error">(.*?)</li>', response.content.decode())
    assert len(messages) == 1
    assert "unit:" not in messages[0] and "reason:" not in messages[0]


def test_timeline_names_people_by_role_and_the_system_with_its_reason(
    city, ladder, categories, grid_worker_a, committee_staff
):
    # given steps by a grid worker, the committee's staff and the system
    order = _order(grid_worker_a, city.grid_a)
    workorder_accept(actor=committee_staff, order=order)
    workorder_annotate(actor=system("escalation sweep"), order=order, note="提醒")
    named = make_user("wang_fang", role=Role.UNIT_STAFF, unit=ladder["committee"])
    named.display_name = "王芳"
    named.save()
    order.refresh_from_db()
    workorder_resolve(actor=named, order=order, note="送到了")
    # when the English page is opened
    page = (
        client_for(committee_staff)
        .get(f"/workorders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    timeline = page[page.index('data-testid="timeline"') :]
    # then roles, display names and "System (reason)", never a login name
    assert "Grid worker" in timeline and "Unit staff" in timeline and "王芳" in timeline
    assert "System (escalation sweep)" in timeline
    for login in ("grid_a", "committee_staff", "wang_fang", ">system<"):
        assert login not in timeline
