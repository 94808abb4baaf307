"""Which registered hospital answers a decision: the district's designated hospital, the
city's hospital for a special group, or the nearest hospital able to take the patient.

Three rules from the guide hold whatever the table says (seed 000, S1, S2, S11):

- a person with a green code and no quarantine goes to an ordinary hospital, never to a
  designated hospital (kept for red- and yellow-code patients) nor to the maternity
  hospital unless the need is obstetric; only an emergency no ordinary hospital can treat
  goes to a capable designated hospital;
- red- and yellow-code or quarantined people go to the designated hospital of their
  district;
- a critical case the district's designated hospitals cannot treat goes to the nearest
  designated hospital of another district that can (跨区转院), which must be told in
  advance (``services.transfers`` sends that notice with the transfer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation

from lifeline.health.models import DesignatedHospital
from lifeline.health.vocab import (
    NEED_CAPABILITIES,
    Capability,
    HospitalRole,
    Need,
    Where,
    capabilities_for,
)
from lifeline.registry.tree import district_path


@dataclass(frozen=True)
class Place:
    path: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class Resolved:
    hospital: DesignatedHospital | None
    capabilities: frozenset[str]
    cross_district: bool = False


def hospital_capabilities(hospital: DesignatedHospital) -> frozenset[str]:
    """The hospital's capabilities; a need's name (as rows entered before the capability
    vocabulary said) stands for the capabilities that need calls for."""
    found: set[str] = set()
    for value in hospital.capabilities or ():
        found |= NEED_CAPABILITIES.get(value, frozenset({value}))
    return frozenset(found)


def _distance_km(place: Place, hospital: DesignatedHospital) -> float:
    facility = hospital.facility
    if None in (place.lat, place.lng, facility.lat, facility.lng):
        return math.inf
    lat1, lng1 = math.radians(place.lat or 0), math.radians(place.lng or 0)
    lat2, lng2 = math.radians(facility.lat or 0), math.radians(facility.lng or 0)
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _nearest(candidates: Iterable[DesignatedHospital], place: Place) -> DesignatedHospital | None:
    district = district_path(place.path) if place.path else ""
    # Same district first when distances are unknown or equal; then by id for stable answers.
    return min(
        candidates,
        key=lambda h: (
            _distance_km(place, h),
            h.district is None or h.district.path != district,
            h.pk,
        ),
        default=None,
    )


def _own_first(rows: Iterable[DesignatedHospital]) -> DesignatedHospital | None:
    """A district's own hospital before a city-wide one."""
    return min(rows, key=lambda h: (h.district is None, h.pk), default=None)


def _designated(
    active: list[DesignatedHospital], place: Place, wanted: frozenset[str], critical: bool
) -> Resolved:
    district = district_path(place.path) if place.path else ""
    designated = [h for h in active if h.role == HospitalRole.DESIGNATED]
    own = [h for h in designated if h.district is None or h.district.path == district]
    capable = [h for h in own if wanted <= hospital_capabilities(h)]
    if capable:
        return Resolved(_own_first(capable), wanted)
    if critical and district:
        # 危急重症确需跨区转院: the nearest designated hospital of another district that can.
        elsewhere = [
            h
            for h in designated
            if h.district is not None
            and h.district.path != district
            and wanted <= hospital_capabilities(h)
        ]
        chosen = _nearest(elsewhere, place)
        if chosen is not None:
            return Resolved(chosen, wanted, cross_district=True)
    return Resolved(_own_first(own), wanted)


def _ordinary(
    active: list[DesignatedHospital], place: Place, wanted: frozenset[str], needs: frozenset[str]
) -> DesignatedHospital | None:
    """For a green code: an ordinary hospital; the maternity hospital only for an
    obstetric need."""
    pool = [
        h
        for h in active
        if h.role == HospitalRole.GENERAL
        or (
            Need.PREGNANT in needs
            and h.role == HospitalRole.SPECIAL
            and h.special_group == Need.PREGNANT
        )
    ]
    capable = [h for h in pool if wanted <= hospital_capabilities(h)]
    return _nearest(capable or pool, place)


def hospital_for(
    *,
    where: str,
    special_group: str,
    needs: frozenset[str],
    place: Place,
    asked: frozenset[str] = frozenset(),
    restricted: bool = False,
    emergency: bool = False,
) -> Resolved:
    """The concrete hospital for an answer of the table.

    ``needs`` are the person's needs, ``asked`` the capabilities named beyond them (an
    aneurysm: neurosurgery); ``restricted`` is True for a red or yellow code or any
    quarantine, ``emergency`` for an emergency. Reads only."""
    wanted = capabilities_for(needs, asked)
    active = list(
        DesignatedHospital.objects.filter(active=True).select_related("facility__area", "district")
    )
    critical = Need.CRITICAL in needs or emergency
    if where == Where.DESIGNATED or (where == Where.NEAREST and restricted):
        return _designated(active, place, wanted, critical)
    if where == Where.SPECIAL:
        district = district_path(place.path) if place.path else ""
        rows = [
            h
            for h in active
            if h.role == HospitalRole.SPECIAL
            and h.special_group == special_group
            and (h.district is None or h.district.path == district)
        ]
        return Resolved(_own_first(rows), wanted)
    if where == Where.NEAREST:
        chosen = _ordinary(active, place, wanted, needs)
        if emergency and (chosen is None or not wanted <= hospital_capabilities(chosen)):
            # An emergency no ordinary hospital can treat: any hospital that can.
            able = [
                h
                for h in active
                if h.role != HospitalRole.FEVER_CLINIC
                and h.role != HospitalRole.INTERNET
                and wanted <= hospital_capabilities(h)
            ]
            chosen = _nearest(able, place) or chosen
        return Resolved(chosen, wanted)
    if where == Where.FEVER_CLINIC:
        clinics = [h for h in active if h.role == HospitalRole.FEVER_CLINIC]
        return Resolved(_nearest(clinics, place), wanted)
    if where == Where.INTERNET:
        online = [h for h in active if h.role == HospitalRole.INTERNET]
        return Resolved(min(online, key=lambda h: h.pk, default=None), wanted)
    return Resolved(None, wanted)


def resolve_hospital(
    *, where: str, special_group: str, needs: frozenset[str], place: Place
) -> DesignatedHospital | None:
    """The hospital ``hospital_for`` names for an unrestricted person (see there)."""
    return hospital_for(where=where, special_group=special_group, needs=needs, place=place).hospital


def _labels(capabilities: Iterable[str], language: str) -> str:
    with translation.override(language):
        names = [str(Capability(c).label) for c in sorted(capabilities) if c in Capability.values]
        return ("、" if language.startswith("zh") else ", ").join(names)


def cross_district_sentences(resolved: Resolved) -> tuple[str, str]:
    """What a cross-district answer adds, in Chinese and in English: the hospital of the
    other district, its duty phone, and that it is told before the patient comes."""
    hospital = resolved.hospital
    assert hospital is not None
    area = hospital.district or hospital.facility.area
    phone = hospital.duty_phone or hospital.facility.phone or "—"
    zh = (
        f"本区定点医院无法提供所需救治（{_labels(resolved.capabilities, 'zh-hans')}），"
        f"危急重症跨区转往{area.name}{hospital.facility.name}（值班电话 {phone}），"
        "须提前与该院联系；申请转运后系统即短信通知该院。"
    )
    en = (
        "Your district's designated hospitals cannot provide the care needed "
        f"({_labels(resolved.capabilities, 'en')}): this critical case crosses districts to "
        f"{hospital.name_en or hospital.facility.name} in {area.name_en or area.name} (duty "
        f"phone {phone}), which must be told in advance; requesting the transfer texts it."
    )
    return zh, en
