"""The seed scenarios of issue 3 (Acceptance), end to end through the services."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from lifeline.core.clock import frozen_at
from lifeline.core.errors import Conflict, ServiceError
from lifeline.registry.models import Household
from lifeline.workorders.models import EventKind, Priority, Status, WorkOrder
from lifeline.workorders.selectors import workorder_queue
from lifeline.workorders.services import (
    order_stop_complete,
    workorder_claim,
    workorder_create,
    workorder_list_import,
    workorder_resolve,
)
from lifeline.workorders.tasks import escalate_overdue

T0 = dt.datetime(2022, 11, 7, 8, 30, tzinfo=dt.UTC)


def _gas_households(city):
    households = [p.household for p in city.people_a]
    for i, household in enumerate(households):
        Household.objects.filter(pk=household.pk).update(gas_account=f"ZZ-GAS-{i:04d}")
    return households


GAS_CSV = "燃气户号,剩余气量(m³),备注\nZZ-GAS-0000,3.5,独居老人\nZZ-GAS-0001,8,\nZZ-GAS-0002,9.9,\n"


def test_community_gas_list_becomes_three_orders_in_the_gas_team_queue(
    city, gas_team, gas_worker, community_staff
):
    # given a community's daily list of 3 households with under 10 m³ of gas
    households = _gas_households(city)
    # when the community uploads it
    orders = workorder_list_import(
        actor=community_staff,
        category_code="gas",
        file_name="11月7日燃气.csv",
        content=GAS_CSV.encode(),
    )
    # then there is one gas order per row, in the queue of the gas team serving the area
    assert len(orders) == 3
    assert {o.household_id for o in orders} == {h.pk for h in households}
    assert {o.responsible_unit_id for o in orders} == {gas_team.pk}
    assert all(o.channel == "list" and o.category.code == "gas" for o in orders)
    assert orders[0].extra == {"account": "ZZ-GAS-0000", "remaining_m3": "3.5"}
    assert orders[0].priority < orders[1].priority  # the first household has an elder alone
    assert set(workorder_queue(actor=gas_worker)) == set(orders)


def test_gas_list_as_xlsx_is_read_the_same_way(city, gas_team, community_staff):
    _gas_households(city)
    book = Workbook()
    sheet = book.active
    for row in [["account", "remaining_m3"], ["ZZ-GAS-0001", 4], ["ZZ-GAS-0002", 7.5]]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    orders = workorder_list_import(
        actor=community_staff, category_code="gas", file_name="list.xlsx", content=buffer.getvalue()
    )
    assert [o.extra["remaining_m3"] for o in orders] == ["4", "7.5"]


def test_one_bad_row_rejects_the_whole_list_with_a_row_report(city, gas_team, community_staff):
    # given a list whose third data row names an unknown account and whose second is negative
    _gas_households(city)
    bad = GAS_CSV.replace("ZZ-GAS-0002,9.9", "ZZ-GAS-9999,9.9").replace(
        "ZZ-GAS-0001,8", "ZZ-GAS-0001,-1"
    )
    # when it is uploaded
    with pytest.raises(ServiceError) as caught:
        workorder_list_import(
            actor=community_staff, category_code="gas", file_name="x.csv", content=bad.encode()
        )
    # then nothing is written and each bad row is named by its spreadsheet row number
    assert set(caught.value.fields) == {"row 3", "row 4"}
    assert WorkOrder.objects.count() == 0


def test_grid_worker_cannot_import_households_of_another_grid(city, gas_team, grid_worker_b):
    _gas_households(city)
    with pytest.raises(ServiceError) as caught:
        workorder_list_import(
            actor=grid_worker_b, category_code="gas", file_name="x.csv", content=GAS_CSV.encode()
        )
    assert set(caught.value.fields) == {"row 2", "row 3", "row 4"}


def test_elder_alone_without_diabetes_medicine_is_raised_and_escalated_up_the_ladder(
    city, ladder, categories, hotline_operator
):
    # given an 80-year-old living alone, known to the registry
    elder = city.people_a[0]
    elder.birth_date = dt.date(1942, 3, 1)
    elder.save(update_fields=["birth_date"])
    # when he calls the hotline: no diabetes medicine for ten days
    with frozen_at(T0):
        order = workorder_create(
            actor=hotline_operator,
            channel="hotline",
            person=elder,
            category_code="medicine",
            description="降糖药断了十天了",
            extra={"drug": "二甲双胍", "days_left": "0"},
        ).order
    # then the priority is raised and the order is with his community
    assert order.priority == Priority.CRITICAL
    assert order.responsible_unit == ladder["committee"]
    # when nobody responds in time, the sweep escalates it to the street...
    first_miss = order.due_response_at + dt.timedelta(minutes=1)
    assert escalate_overdue(first_miss) == 1
    order.refresh_from_db()
    assert (order.responsible_unit, order.escalation_level) == (ladder["street"], 1)
    # ...and, still unhandled, to the district
    assert escalate_overdue(order.due_response_at + dt.timedelta(minutes=1)) == 1
    order.refresh_from_db()
    assert (order.responsible_unit, order.escalation_level) == (ladder["district"], 2)
    # and each step is on the timeline, at the moment the sweep ran
    steps = [
        (e.kind, e.from_unit_id, e.unit_id) for e in order.events.filter(kind=EventKind.ESCALATED)
    ]
    assert steps == [
        (EventKind.ESCALATED, ladder["committee"].pk, ladder["street"].pk),
        (EventKind.ESCALATED, ladder["street"].pk, ladder["district"].pk),
    ]
    assert order.events.filter(kind=EventKind.ESCALATED).first().at == first_miss


def test_sealed_enterprise_gas_is_one_order_with_three_stops_done_in_order(
    city, gas_team, gas_worker, community_staff
):
    # given the gas of a sealed factory: fetch the card, buy gas, go to the factory
    stops = [
        {"label": "到厂长家取燃气卡", "address": "泰山路12号"},
        {"label": "营业厅购气充值", "address": "燃气营业厅"},
        {"label": "进厂插卡通气", "address": "泰山路工业园3号"},
    ]
    order = workorder_create(
        actor=community_staff,
        category_code="gas",
        area=city.community,
        description="封控企业燃气卡充值",
        extra={"account": "ENT-001"},
        address="泰山路工业园3号",
        stops=stops,
    ).order
    assert order.responsible_unit == gas_team and order.stops.count() == 3
    # when the gas worker claims it and tries the factory first
    order = workorder_claim(actor=gas_worker, order=order)
    with pytest.raises(Conflict):
        order_stop_complete(actor=gas_worker, order=order, seq=3)
    with pytest.raises(Conflict):
        workorder_resolve(actor=gas_worker, order=order, note="done")
    # then stops are done in order, and only then can the order be resolved
    for seq in (1, 2, 3):
        order_stop_complete(actor=gas_worker, order=order, seq=seq, note=f"第{seq}站完成")
    resolved = workorder_resolve(actor=gas_worker, order=order, note="企业已通气")
    assert resolved.status == Status.RESOLVED
    done = [e.data["seq"] for e in resolved.events.filter(kind=EventKind.STOP_DONE)]
    assert done == [1, 2, 3]


def test_pushed_over_barrier_becomes_an_incident_at_the_street_office(
    city, ladder, categories, hotline_operator
):
    intake = workorder_create(
        actor=hotline_operator,
        channel="hotline",
        area=city.community,
        description="The barrier around the village was pushed over",
        address="泰山路村",
    )
    assert intake.order.category.code == "incident"
    assert intake.order.responsible_unit == ladder["street"]
    assert intake.call_120 is False
