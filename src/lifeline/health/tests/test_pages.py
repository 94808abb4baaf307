"""Health pages: the decision on the person page and in the hotline console, transfers and
their times, standing needs, the resident's own question, and scope on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import translation

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.audit import AuditRecord
from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage
from lifeline.health.models import Decision, MedicalTransfer, StandingNeed
from lifeline.health.services import (
    access_preview,
    health_status_set,
    medical_transfer_request,
    standing_need_create,
)
from lifeline.health.vocab import TransferStep
from lifeline.testing.factories import make_user
from lifeline.workorders.models import WorkOrderEvent

HX = {"HTTP_HX_REQUEST": "true"}
T0 = dt.datetime(2022, 11, 20, 12, 0, tzinfo=dt.UTC)


def test_person_page_shows_the_answer_and_records_it_only_when_asked(
    city, hospitals, grid_worker_a, command_staff
):
    person = city.people_a[0]
    with frozen_at(T0):
        health_status_set(actor=command_staff, person=person, colour="red")
    client = client_for(grid_worker_a)
    url = reverse("registry:person", args=[person.pk])
    # when the person page is opened, twice
    with frozen_at(T0 + dt.timedelta(minutes=1)):
        first = client.get(url).content.decode()
        client.get(url)
        red = access_preview(actor=grid_worker_a, person=person)
    # then it shows the red-code answer, computed, not recorded
    assert 'data-testid="access-decision"' in first and "120" in first
    assert red.rule.name == "red_any_need" and red.instructions_zh in first
    assert 'data-testid="access-not-recorded"' in first
    assert not Decision.objects.exists()
    # when someone asks through the page's form (a POST), the decision is recorded once
    with frozen_at(T0 + dt.timedelta(minutes=2)):
        client.post(
            reverse("health:person_decide", args=[person.pk]),
            {"urgency": "necessary", "channel": "person_page"},
        )
        again = client.get(url).content.decode()
    decision = Decision.objects.get()
    assert decision.channel == "person_page" and decision.rule.name == "red_any_need"
    assert f'data-decision="{decision.pk}"' in again
    # when the code turns green, the page answers afresh, still without writing
    with frozen_at(T0 + dt.timedelta(hours=1)):
        health_status_set(actor=command_staff, person=person, colour="green")
        green = client.get(url).content.decode()
        answer = access_preview(actor=grid_worker_a, person=person)
    assert Decision.objects.count() == 1
    assert answer.rule.name == "green_default" and answer.instructions_zh in green


def test_a_get_of_the_person_page_writes_no_decision_and_no_audit_record(
    city, hospitals, grid_worker_a, command_staff
):
    person = city.people_a[0]
    health_status_set(actor=command_staff, person=person, colour="yellow")
    before = (Decision.objects.count(), AuditRecord.objects.count())
    response = client_for(grid_worker_a).get(reverse("registry:person", args=[person.pk]))
    assert response.status_code == 200
    assert 'data-testid="access-decision"' in response.content.decode()
    assert (Decision.objects.count(), AuditRecord.objects.count()) == before


def test_asking_again_with_an_emergency_answers_120_in_place(city, hospitals, hotline_operator):
    person = city.people_a[0]
    client = client_for(hotline_operator)
    response = client.post(
        reverse("health:person_decide", args=[person.pk]),
        {"urgency": "emergency", "channel": "hotline"},
        **HX,
    )
    assert response.status_code == 201
    page = response.content.decode()
    assert page.startswith("<section") or 'data-testid="access-decision"' in page
    assert "<html" not in page
    decision = Decision.objects.get()
    assert decision.rule.name == "emergency_120" and decision.channel == "hotline"
    assert decision.instructions_zh in page


def test_hotline_console_offers_the_decision_for_the_selected_caller(
    city, hospitals, hotline_operator
):
    person = city.people_a[0]
    client = client_for(hotline_operator)
    client.post(reverse("workorders:hotline"), {"phone": person.phone})
    page = client.get(reverse("workorders:hotline"), {"person": person.pk}).content.decode()
    assert 'data-testid="access-ask"' in page
    assert reverse("health:person_decide", args=[person.pk]) in page


def test_transfer_from_the_page_and_its_times_with_refusals_on_the_page(
    city, hospitals, hotline_operator
):
    person = city.people_a[0]
    client = client_for(hotline_operator)
    # when a transfer is requested from the decision's button (without JavaScript)
    with frozen_at(T0):
        response = client.post(
            reverse("health:person_transfer", args=[person.pk]),
            {"urgency": "necessary", "channel": "hotline", "note": "腹痛"},
        )
    transfer = MedicalTransfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("health:transfer", args=[transfer.pk])
    url = reverse("health:transfer_time", args=[transfer.pk])
    with frozen_at(T0 + dt.timedelta(minutes=30)):
        page = client.get(reverse("health:transfer", args=[transfer.pk])).content.decode()
        assert 'data-testid="record-call"' in page and 'data-testid="record-arrival"' not in page
        # a time out of order comes back on the page, with its reason, and writes nothing
        refused = client.post(url, {"step": "arrival", "at": "2022-11-20T20:10"})
        assert refused.status_code == 400 and 'data-testid="error"' in refused.content.decode()
        # the reason names the step to record first, in the page's language
        with translation.override("zh-hans"):
            first = str(TransferStep.CALL.label)
        assert first in refused.content.decode()
        # the call, in the city's local time
        done = client.post(url, {"step": "call", "at": "2022-11-20T20:06"})
    assert done.status_code == 302
    transfer.refresh_from_db()
    assert transfer.call_at == dt.datetime(2022, 11, 20, 12, 6, tzinfo=dt.UTC)
    steps = [e for e in WorkOrderEvent.objects.filter(order=transfer.order) if e.data]
    assert [e.data.get("transfer_step") for e in steps if "transfer_step" in e.data] == ["call"]
    # and the transfer shows in the list of open transfers
    listing = client.get(reverse("health:transfers")).content.decode()
    assert transfer.order.number in listing


def test_a_second_transfer_from_the_hotline_is_refused_in_place(city, hospitals, hotline_operator):
    person = city.people_a[0]
    client = client_for(hotline_operator)
    url = reverse("health:person_transfer", args=[person.pk])
    assert client.post(url, {"urgency": "necessary"}, **HX).status_code == 201
    again = client.post(url, {"urgency": "necessary"}, **HX)
    assert again.status_code == 400 and 'data-testid="transfer-error"' in again.content.decode()
    assert MedicalTransfer.objects.count() == 1


def test_standing_needs_are_arranged_and_ended_on_the_page(city, hospitals, community_staff):
    person = city.people_a[1]
    client = client_for(community_staff)
    url = reverse("health:standing_needs", args=[person.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "dialysis", "time": "08:00", "lead_hours": "24"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()
    created = client.post(
        url,
        {
            "kind": "dialysis",
            "weekdays": ["1", "3", "5"],
            "time": "08:00",
            "hospital": str(hospitals.designated.pk),
            "lead_hours": "24",
        },
    )
    assert created.status_code == 302
    need = StandingNeed.objects.get()
    assert need.weekdays == [1, 3, 5] and need.hospital == hospitals.designated
    ended = client.post(reverse("health:standing_need_end", args=[need.pk]), {"reason": "出院"})
    assert ended.status_code == 302
    need.refresh_from_db()
    assert not need.active


# The resident's own question --------------------------------------------------------------


def _verified_client(phone: str) -> Client:
    client = Client()
    assert client.post("/r/", {"phone": phone}).status_code == 302
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    code = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    assert client.post("/r/code/", {"code": code}).status_code == 302
    return client


def test_a_resident_asks_for_their_own_status(city, hospitals, command_staff):
    # given a red-code resident who proved their phone
    person = city.people_a[0]
    health_status_set(actor=command_staff, person=person, colour="red")
    client = _verified_client(person.phone)
    assert reverse("health:resident_access") in client.get("/r/home/").content.decode()
    # when they ask whether they can go to hospital, care needed now
    form = client.get(reverse("health:resident_access"))
    assert form.status_code == 200 and 'name="urgency"' in form.content.decode()
    answer = client.post(
        reverse("health:resident_access"), {"person": person.pk, "urgency": "necessary"}
    )
    # then they are told the red-code rule, and the decision is logged for them
    page = answer.content.decode()
    decision = Decision.objects.get()
    assert answer.status_code == 200 and decision.instructions_zh in page
    assert decision.person == person and decision.channel == "resident_form"
    assert decision.rule.name == "red_any_need" and decision.actor is None


def test_a_resident_cannot_ask_about_someone_else(city, hospitals):
    person, other = city.people_a[0], city.people_b[0]
    client = _verified_client(person.phone)
    answer = client.post(
        reverse("health:resident_access"), {"person": other.pk, "urgency": "necessary"}
    )
    assert answer.status_code == 404 and Decision.objects.count() == 0
    assert other.name not in answer.content.decode()


def test_a_phone_with_no_record_is_told_so_and_an_unproven_one_must_prove_it(city):
    client = _verified_client("13700000001")
    page = client.get(reverse("health:resident_access")).content.decode()
    assert 'data-testid="no-record"' in page
    fresh = Client().get(reverse("health:resident_access"))
    assert fresh.status_code == 302 and fresh["Location"] == reverse("workorders:resident_start")


# Scope: every health page taking a pk --------------------------------------------------


def health_pk_pages() -> list[str]:
    names = []
    for namespace, (_prefix, sub) in get_resolver().namespace_dict.items():
        if namespace != "health":
            continue
        for pattern in sub.url_patterns:
            if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.converters:
                names.append(pattern.name)
    return sorted(names)


def test_health_pages_are_discovered():
    # a new page taking a pk must be added here and to the object map below
    assert set(health_pk_pages()) == {
        "person_decide",
        "person_transfer",
        "standing_needs",
        "standing_need_end",
        "transfer",
        "transfer_time",
    }


@pytest.mark.parametrize("name", health_pk_pages())
def test_health_page_is_scoped(city, hospitals, name):
    person_b = city.people_b[1]
    staff_b = make_user("page_staff_b", role=Role.COMMUNITY_STAFF, area=city.grid_b)
    # the transfer is another resident's, so person_b may still be given one
    transfer = medical_transfer_request(actor=staff_b, person=city.people_b[2])
    need = standing_need_create(
        actor=staff_b, person=person_b, kind="dialysis", weekdays=[2], time=dt.time(9)
    )
    # a page's object by its name: transfers/<pk>, standing/<pk>, else people/<pk>
    obj = {"transfer": transfer, "transfer_time": transfer, "standing_need_end": need}
    url = reverse(f"health:{name}", args=[obj.get(name, person_b).pk])
    worker_a = make_user("page_worker_a", role=Role.GRID_WORKER, area=city.grid_a)
    outsider = make_user("page_outsider")
    worker_b = make_user("page_worker_b", role=Role.GRID_WORKER, area=city.grid_b)
    method = "get" if name in {"transfer", "standing_needs"} else "post"
    body = {"step": "call", "urgency": "routine", "reason": "出院"}

    def state():
        ended = StandingNeed.objects.filter(active=False).count()
        calls = MedicalTransfer.objects.filter(call_at__isnull=False).count()
        return Decision.objects.count(), MedicalTransfer.objects.count(), ended, calls

    before = state()
    for user in (worker_a, outsider):
        response = getattr(client_for(user), method)(url, body)
        assert response.status_code in (403, 404), (name, user, response.status_code)
    assert state() == before, name
    control = getattr(client_for(worker_b), method)(url, body)
    assert control.status_code < 400, (name, control.status_code)
