"""The demo city's testing day: sampling sites, today's session, and a box on its way.

The registry lists the sampling points as facilities of kind SAMPLING_SITE
(``generator/places.py``); screening keeps its own ``Site`` rows, so each facility becomes
one in its community. The demo sampler's community gets a session for today, ten of its
residents swabbed into one pooled tube by the sampler, and the tube sent to the demo lab,
so the sampler's console, the daily review and the lab's upload page all have work.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership, Role
from lifeline.core import clock
from lifeline.registry.models import Facility, Person
from lifeline.screening.models import Session, SessionKind, Site, SiteKind
from lifeline.screening.services import sample_register, shipment_send, tube_close

DEMO_EMAIL = "@demo.lifeline.invalid"


def seed_demo_sampling() -> str:
    """Create the sites (once), today's session in the sampler's community and one tube
    sent to the lab: a line to print, or "" when the city has no sampling points."""
    facilities = list(
        Facility.objects.filter(kind=Facility.Kind.SAMPLING_SITE).select_related("area")
    )
    if not facilities:
        return ""
    with transaction.atomic():
        existing = set(Site.objects.values_list("name", flat=True))
        Site.objects.bulk_create(
            [
                Site(
                    name=f.name,
                    kind=SiteKind.FIXED,
                    area=f.area,
                    area_path=f.area.path,
                    address=f.address,
                )
                for f in facilities
                if f.name not in existing
            ],
            batch_size=1000,
        )
    sent = _todays_box()
    line = _("Sampling sites: %(n)s.") % {"n": len(facilities)}
    if sent:
        line += " " + _("Today's first tube of %(n)s swabs is on its way to the lab.") % {"n": sent}
    return line


def _member(role: str) -> Membership | None:
    return (
        Membership.objects.filter(role=role, user__email__endswith=DEMO_EMAIL)
        .select_related("user", "area", "unit")
        .first()
    )


def _todays_box() -> int:
    sampler, lab = _member(Role.SAMPLER), _member(Role.LAB)
    if sampler is None or sampler.area is None or lab is None or lab.unit is None:
        return 0
    site = Site.objects.filter(area_path__startswith=sampler.area.path).order_by("pk").first()
    if site is None or Session.objects.filter(site=site).exists():
        return 0
    today = timezone.localdate(clock.now())
    tz = timezone.get_current_timezone()
    session = Session.objects.create(
        site=site,
        kind=SessionKind.REGULAR,
        name=f"{site.name}今日场次",  # stored data, in the city's language like the site's name
        area_path=site.area_path,
        starts_at=dt.datetime.combine(today, dt.time(7, 0), tzinfo=tz),
        ends_at=dt.datetime.combine(today, dt.time(19, 0), tzinfo=tz),
    )
    people = list(
        Person.objects.filter(area_path__startswith=sampler.area.path).order_by("pk")[:10]
    )
    barcode = f"DEMO{today:%m%d}0001"
    for number, person in enumerate(people, start=1):
        sample_register(
            actor=sampler.user,
            client_id=f"demo-{today:%Y%m%d}-{number}",
            barcode=barcode,
            person_id=person.pk,
            pool_size=10,
            session_id=session.pk,
        )
    if not people:
        return 0
    tube_close(actor=sampler.user, barcode=barcode)
    shipment_send(
        actor=sampler.user,
        client_id=f"demo-box-{today:%Y%m%d}",
        session_id=session.pk,
        lab_id=lab.unit.pk,
    )
    return len(people)
