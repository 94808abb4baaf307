"""A sampler's day at a site: a session opened on the spot, scans belonging to it, refused
scans, closed tubes sent to a lab, and the daily review and the lab seeing all of it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict, NotFound
from lifeline.registry.models import Unit
from lifeline.screening.models import Sample, Session, Shipment, Site, Tube, TubeStatus
from lifeline.screening.selectors import daily_review, shipments_incoming
from lifeline.screening.services import (
    sample_register,
    session_start,
    shipment_send,
    tube_close,
)
from lifeline.testing.factories import make_user


@pytest.fixture
def site(city):
    return Site.objects.create(
        name="泰山路核酸采样点", kind="fixed", area=city.community, area_path=city.community.path
    )


@pytest.fixture
def lab_unit(city):
    unit = Unit.objects.create(code="LAB-1", name="市第一检测实验室", kind=Unit.Kind.HOSPITAL)
    make_user("lab_staff", role=Role.LAB, area=city.city, unit=unit)
    return unit


def test_a_sampler_opens_a_session_and_its_scans_and_tubes_belong_to_it(city, sampler, site):
    # given a session opened on the spot by the sampler
    session = session_start(actor=sampler, site_id=site.pk)
    # when a person is scanned into a tube of that session
    sample_register(
        actor=sampler,
        client_id="c1",
        barcode="T1",
        person_id=city.people_a[0].pk,
        session_id=session.pk,
    )
    # then the tube is the session's, and the review lists the site and the session
    assert Tube.objects.get(barcode="T1").session_id == session.pk
    review = daily_review(actor=sampler)
    assert [(r["site"], r["samples"]) for r in review["sessions"]] == [(site.name, 1)]


def test_a_person_already_sampled_in_the_session_is_refused(city, sampler, site):
    session = session_start(actor=sampler, site_id=site.pk)
    person = city.people_a[0]
    sample_register(
        actor=sampler, client_id="c1", barcode="T1", person_id=person.pk, session_id=session.pk
    )
    with pytest.raises(Conflict) as refused:
        sample_register(
            actor=sampler, client_id="c2", barcode="T2", person_id=person.pk, session_id=session.pk
        )
    assert refused.value.code == "already_sampled"
    assert Sample.objects.count() == 1


def test_a_session_serving_named_grids_refuses_a_person_of_another_grid(city, sampler, site):
    session = session_start(actor=sampler, site_id=site.pk)
    session.grids.set([city.grid_a])
    with pytest.raises(Conflict) as refused:
        sample_register(
            actor=sampler,
            client_id="c1",
            barcode="T1",
            person_id=city.people_b[0].pk,
            session_id=session.pk,
        )
    assert refused.value.code == "wrong_area"


def test_closed_tubes_are_sent_once_and_the_lab_sees_them_coming(city, sampler, site, lab_unit):
    session = session_start(actor=sampler, site_id=site.pk)
    for i, person in enumerate(city.people_a):
        sample_register(
            actor=sampler,
            client_id=f"c{i}",
            barcode=f"T{i}",
            person_id=person.pk,
            session_id=session.pk,
        )
        tube_close(actor=sampler, barcode=f"T{i}")
    # when the box is sent, and the same send is retried
    first, created = shipment_send(
        actor=sampler, client_id="box-1", session_id=session.pk, lab_id=lab_unit.pk
    )
    again, created_again = shipment_send(
        actor=sampler, client_id="box-1", session_id=session.pk, lab_id=lab_unit.pk
    )
    # then one shipment of three tubes, all sent
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.tube_count == 3
    assert set(Tube.objects.values_list("status", flat=True)) == {TubeStatus.SENT}
    lab_staff = lab_unit_user(lab_unit)
    assert [s.pk for s in shipments_incoming(actor=lab_staff)] == [first.pk]
    assert daily_review(actor=sampler)["backlog"]["sent"] == 3
    # and a second box with nothing closed is refused
    with pytest.raises(Conflict):
        shipment_send(actor=sampler, client_id="box-2", session_id=session.pk, lab_id=lab_unit.pk)


def lab_unit_user(unit):
    from lifeline.accounts.models import Membership

    return Membership.objects.get(unit=unit, role=Role.LAB).user


def test_a_unit_that_runs_no_lab_is_no_lab(city, sampler, site):
    session = session_start(actor=sampler, site_id=site.pk)
    with pytest.raises(NotFound):
        shipment_send(
            actor=sampler,
            client_id="box",
            session_id=session.pk,
            lab_id=city.units["committee"].pk,
        )
    assert not Shipment.objects.exists()


def test_the_console_sync_answers_a_masked_name_and_age_band_and_no_count_for_a_refusal(
    city, sampler, site
):
    session = Session.objects.get(pk=session_start(actor=sampler, site_id=site.pk).pk)
    client = Client()
    client.force_login(sampler)
    person = city.people_a[0]
    items = [
        {
            "kind": "sample",
            "client_id": "a",
            "barcode": "T1",
            "code": f"P{person.pk}",
            "pool_size": 10,
            "session_id": session.pk,
        },
        {
            "kind": "sample",
            "client_id": "b",
            "barcode": "T1",
            "code": "P99999999",
            "pool_size": 10,
            "session_id": session.pk,
        },
        {
            "kind": "sample",
            "client_id": "c",
            "barcode": "T1",
            "code": f"P{person.pk}",
            "pool_size": 10,
            "session_id": session.pk,
        },
    ]
    response = client.post(
        "/screening/console/sync/", json.dumps({"items": items}), content_type="application/json"
    )
    ok, missing, twice = response.json()["results"]
    assert ok["status"] == "created"
    assert ok["name"] == person.name[0] + "*" * (len(person.name) - 2) + person.name[-1]
    assert ok["age"] and ok["members"] == 1
    assert "id_number" not in ok and "person_id" not in ok
    assert (missing["status"], twice["status"]) == ("error", "error")
    assert Tube.objects.get(barcode="T1").members == 1


def test_the_service_worker_is_served_with_the_console_scope(sampler):
    client = Client()
    client.force_login(sampler)
    response = client.get("/screening/console/sw.js")
    assert response["Service-Worker-Allowed"] == "/screening/console/"
    assert response["Content-Type"].startswith("text/javascript")
