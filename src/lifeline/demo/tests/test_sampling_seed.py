"""The demo's testing day: every sampling point is a site, the sampler's community has a
session today, and one pooled tube is on its way to the demo lab."""

from __future__ import annotations

from django.test import Client

from lifeline.accounts.models import Role, User
from lifeline.demo.generator import generate_city
from lifeline.demo.sampling import seed_demo_sampling
from lifeline.registry.models import Facility
from lifeline.screening.models import Session, Shipment, Site, Tube


def test_demo_city_has_sites_a_session_today_and_a_box_for_the_lab(db: None) -> None:
    # given a small generated demo city
    generate_city(people=300, seed=6)
    # when its testing day is seeded (twice: a later run adds nothing)
    line = seed_demo_sampling()
    seed_demo_sampling()
    # then every sampling point is a site, and the sampler's community has one session
    points = Facility.objects.filter(kind=Facility.Kind.SAMPLING_SITE).count()
    assert Site.objects.count() == points > 0 and str(points) in line
    sampler = User.objects.get(username=Role.SAMPLER)
    session = Session.objects.get()
    assert session.area_path.startswith(sampler.memberships.get().area.path)
    # and one tube of ten swabs was sent to the demo lab
    tube = Tube.objects.get()
    shipment = Shipment.objects.get()
    assert tube.session_id == session.pk and tube.samples.count() == 10
    lab = User.objects.get(username=Role.LAB)
    assert shipment.lab_id == lab.memberships.get().unit_id
    # and the sampler's console offers the site, the lab's page the box on its way
    client = Client()
    client.force_login(sampler)
    assert session.site.name in client.get("/screening/console/").content.decode()
    client.force_login(lab)
    assert client.get("/screening/lab/").status_code == 200
