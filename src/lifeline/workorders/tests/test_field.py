import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict, PermissionDenied
from lifeline.testing.factories import make_user
from lifeline.workorders.models import EventKind, SlaPolicyVersion, Status
from lifeline.workorders.services import (
    sla_policy_activate,
    workorder_claim,
    workorder_create,
    workorder_handover,
    workorder_merge,
)


@pytest.fixture
def gas_order(city, gas_team, grid_worker_a):
    household = city.people_a[1].household
    return workorder_create(
        actor=grid_worker_a,
        category_code="gas",
        household=household,
        description="燃气余量不足",
        extra={"account": "G-1", "remaining_m3": "6.5"},
    ).order


def test_claim_is_exclusive_and_accepts_the_order(gas_order, gas_team, gas_worker):
    other = make_user("gas_worker_2", role=Role.FIELD_TEAM, unit=gas_team)
    claimed = workorder_claim(actor=gas_worker, order=gas_order)
    assert claimed.claimed_by == gas_worker and claimed.status == Status.ACCEPTED
    with pytest.raises(Conflict):
        workorder_claim(actor=other, order=gas_order)


def test_handover_only_by_holder_and_to_a_colleague_who_can_see_it(
    gas_order, gas_team, gas_worker, grid_worker_b
):
    colleague = make_user("gas_worker_2", role=Role.FIELD_TEAM, unit=gas_team)
    workorder_claim(actor=gas_worker, order=gas_order)
    with pytest.raises(PermissionDenied):
        workorder_handover(actor=colleague, order=gas_order, to_user=colleague)
    from lifeline.core.errors import ServiceError

    with pytest.raises(ServiceError):
        workorder_handover(actor=gas_worker, order=gas_order, to_user=grid_worker_b)
    moved = workorder_handover(actor=gas_worker, order=gas_order, to_user=colleague, note="换班")
    assert moved.claimed_by == colleague
    assert moved.events.filter(kind=EventKind.HANDED_OVER).count() == 1


def test_staff_merge_cancels_the_duplicate_and_links_it(
    city, ladder, categories, community_staff, grid_worker_a
):
    one = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="路灯坏了"
    ).order
    two = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="门口路灯不亮"
    ).order
    with pytest.raises(PermissionDenied):
        workorder_merge(actor=grid_worker_a, duplicate=two, into=one)
    merged = workorder_merge(actor=community_staff, duplicate=two, into=one, note="同一路灯")
    assert merged.status == Status.CANCELLED and merged.duplicate_of_id == one.pk
    assert one.events.filter(kind=EventKind.MERGED).count() == 1
    with pytest.raises(Conflict):
        workorder_merge(actor=community_staff, duplicate=one, into=merged)


def test_command_centre_switches_to_the_surge_policy_and_new_orders_use_it(
    city, ladder, categories, command_staff, grid_worker_a
):
    before = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="一般事项"
    ).order
    with pytest.raises(PermissionDenied):
        sla_policy_activate(actor=grid_worker_a, code="lockdown_surge")
    sla_policy_activate(actor=command_staff, code="lockdown_surge")
    assert list(SlaPolicyVersion.objects.filter(active=True).values_list("code", flat=True)) == [
        "lockdown_surge"
    ]
    after = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="一般事项二"
    ).order
    assert after.sla_version.code == "lockdown_surge"
    assert (after.due_resolution_at - after.created_at) > (
        before.due_resolution_at - before.created_at
    )
