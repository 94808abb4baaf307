"""Which registered hospital an answer names: ordinary hospitals for green codes, the
district's designated hospital for red and yellow codes, the central hospital for pregnant
women, and another district's designated hospital for a critical case its own cannot
treat, told in advance (seed 000: 危急重症确需跨区转院的,请提前与跨区定点医院联系)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from lifeline.api.tests.helpers import client_for
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.health.services import access_decide, health_status_set, medical_transfer_request
from lifeline.workorders.models import WorkOrderEvent

NOTICE_MOBILE = "13900001111"


@pytest.fixture
def capable(hospitals):
    """天元区's designated hospital treats emergencies and dialysis but has no
    neurosurgery; 芦淞区's has it, with a duty phone and a duty mobile for notices."""
    hospitals.designated.capabilities = ["emergency", "icu", "dialysis"]
    hospitals.designated.save()
    other = hospitals.other_district
    other.capabilities = ["emergency", "icu", "neurosurgery", "vascular"]
    other.name_en = "Lusong Designated Hospital"
    other.duty_phone = "0731-28880120"
    other.notice_mobile = NOTICE_MOBILE
    other.save()
    hospitals.maternity.capabilities = ["obstetrics", "paediatrics"]
    hospitals.maternity.save()
    return hospitals


def test_critical_need_the_district_cannot_meet_goes_to_another_districts_hospital_told_ahead(
    city, capable, command_staff, hotline_operator
):
    # given a yellow-code resident of 天元区 with a ruptured aneurysm (critical, neurosurgery)
    person = city.people_a[1]
    health_status_set(actor=command_staff, person=person, colour="yellow", reason="时空伴随")
    # when the hotline files the transfer
    transfer = medical_transfer_request(
        actor=hotline_operator,
        person=person,
        urgency="necessary",
        needs=["critical"],
        capabilities=["neurosurgery"],
        channel="hotline",
    )
    decision = transfer.decision
    # then the capable designated hospital of the other district is named, first to be told
    assert decision.hospital == capable.other_district and decision.cross_district
    assert decision.notify[0] == "receiving_hospital"
    assert {"neurosurgery", "emergency", "icu"} <= set(decision.capabilities)
    assert "芦淞区定点医院" in decision.instructions_zh and "跨区" in decision.instructions_zh
    assert "0731-28880120" in decision.instructions_zh
    assert "Lusong Designated Hospital" in decision.instructions_en
    # and an SMS to its duty mobile is queued with the transfer, before the patient arrives
    sms = OutboxMessage.objects.get(recipient=NOTICE_MOBILE)
    assert (sms.object_type, sms.object_id) == ("health.medicaltransfer", str(transfer.pk))
    assert transfer.order.number in sms.body and person.name not in sms.body
    assert transfer.hospital_told_at is not None
    # and it is audited and on the order's timeline
    assert AuditRecord.objects.filter(
        action="health.transfer_hospital_told", object_id=str(transfer.pk)
    ).exists()
    assert WorkOrderEvent.objects.filter(
        order=transfer.order, data__hospital_told=True, data__cross_district=True
    ).exists()


def test_cross_district_transfer_shows_on_the_transfer_pages(
    city, capable, command_staff, hotline_operator
):
    # given a cross-district transfer filed by the hotline
    person = city.people_a[1]
    health_status_set(actor=command_staff, person=person, colour="red", reason="阳性")
    transfer = medical_transfer_request(
        actor=hotline_operator,
        person=person,
        needs=["critical"],
        capabilities=["vascular"],
        channel="hotline",
    )
    client = client_for(hotline_operator)
    # when the operator opens the transfers list and the transfer, in English
    with translation.override("en"):
        listing = client.get(reverse("health:transfers"), HTTP_ACCEPT_LANGUAGE="en")
        page = client.get(reverse("health:transfer", args=[transfer.pk]))
    # then the receiving hospital, its duty phone and the advance notice are shown
    assert "Lusong Designated Hospital" in listing.content.decode()
    body = page.content.decode()
    assert 'data-testid="transfer-cross-district"' in body
    assert 'href="tel:0731-28880120"' in body
    assert 'data-testid="transfer-told"' in body and "Not yet" not in body


def test_critical_need_the_own_district_meets_stays_in_the_district(
    city, capable, command_staff, hotline_operator
):
    # given a red-code dialysis patient in a critical state, which 天元区's hospital treats
    person = city.people_a[1]
    health_status_set(actor=command_staff, person=person, colour="red", reason="阳性")
    decision = access_decide(
        actor=hotline_operator, person=person, urgency="necessary", needs=["critical", "dialysis"]
    )
    # then the district's own designated hospital, no crossing, no notice
    assert decision.hospital == capable.designated and not decision.cross_district
    assert not OutboxMessage.objects.filter(recipient=NOTICE_MOBILE).exists()


@pytest.mark.parametrize("urgency", ["routine", "necessary"])
def test_green_routine_patient_never_goes_to_a_designated_or_maternity_hospital(
    city, capable, hotline_operator, urgency
):
    # given the designated and maternity hospitals are nearer than the ordinary one
    general = capable.general
    general.facility.lat, general.facility.lng = 28.5, 113.9
    general.facility.save()
    # when a green-code resident with no special need asks
    decision = access_decide(actor=hotline_operator, person=city.people_a[1], urgency=urgency)
    # then the ordinary hospital, however far
    assert decision.hospital == general
    assert decision.hospital_name == "天元区人民医院" in decision.instructions_zh


def test_green_patient_with_no_ordinary_hospital_is_not_sent_to_a_designated_one(
    city, capable, hotline_operator
):
    # given no ordinary hospital is on record
    capable.general.active = False
    capable.general.save()
    # when a green-code resident asks
    decision = access_decide(actor=hotline_operator, person=city.people_a[1], urgency="routine")
    # then no hospital is named rather than a designated or the maternity one
    assert decision.hospital is None
    assert "就近的医疗机构" in decision.instructions_zh


@pytest.mark.parametrize("colour", ["green", "yellow"])
def test_pregnant_woman_goes_to_the_central_maternity_hospital(
    city, capable, command_staff, hotline_operator, colour
):
    person = city.people_a[1]
    if colour != "green":
        health_status_set(actor=command_staff, person=person, colour=colour, reason="test")
    decision = access_decide(
        actor=hotline_operator, person=person, urgency="necessary", needs=["pregnant"]
    )
    assert decision.hospital == capable.maternity
    assert "株洲市中心医院" in decision.instructions_zh


def test_red_code_goes_to_the_own_districts_designated_hospital_even_in_an_emergency(
    city, capable, command_staff, hotline_operator
):
    person = city.people_a[1]
    health_status_set(actor=command_staff, person=person, colour="red", reason="阳性")
    decision = access_decide(actor=hotline_operator, person=person, urgency="emergency")
    assert decision.hospital == capable.designated


def test_unknown_specialist_care_is_refused(city, capable, hotline_operator):
    with pytest.raises(ServiceError) as refused:
        access_decide(
            actor=hotline_operator,
            person=city.people_a[1],
            urgency="necessary",
            capabilities=["brain_surgery"],
        )
    assert "capabilities" in refused.value.fields


def test_decision_panel_names_the_hospital_and_the_rule_in_words(city, capable, hotline_operator):
    # given an English name and a duty phone for the ordinary hospital
    general = capable.general
    general.name_en, general.duty_phone = "Tianyuan District People's Hospital", "0731-28001234"
    general.save()
    client = client_for(hotline_operator)
    # when the hotline asks for a green-code resident, in English, through htmx
    with translation.override("en"):
        answer = client.post(
            reverse("health:person_decide", args=[city.people_a[1].pk]),
            {"urgency": "routine", "channel": "hotline"},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    body = answer.content.decode()
    # then the hospital is named with its tap-to-call phone and the rule in words
    assert answer.status_code == 201
    assert "Tianyuan District People&#x27;s Hospital" in body
    assert 'href="tel:0731-28001234"' in body
    assert "green_default" not in body and "Green code" in body
