"""The demo city's hospitals in the health app: every district has its designated hospital
with capabilities and a duty phone, ordinary hospitals take green codes, the central
hospital takes pregnant women, and the aneurysm case of 芦淞区 crosses districts."""

from __future__ import annotations

from lifeline.demo.generator import generate_city
from lifeline.demo.hospitals import HOSPITALS, seed_demo_hospitals
from lifeline.health.models import DesignatedHospital
from lifeline.health.services import hospital_for
from lifeline.health.services.hospitals import Place
from lifeline.health.vocab import Capability, HospitalRole, Need, Where
from lifeline.registry.models import Area, AreaLevel


def test_demo_city_registers_hospitals_per_district_with_capabilities(db: None) -> None:
    # given a small demo city
    generate_city(people=300, seed=12)
    # when its hospitals are seeded, twice
    assert seed_demo_hospitals()
    seed_demo_hospitals()
    # then each district has a designated hospital and an ordinary one, once each
    assert DesignatedHospital.objects.count() == len(HOSPITALS)
    for district in Area.objects.filter(level=AreaLevel.DISTRICT):
        roles = set(
            DesignatedHospital.objects.filter(district=district).values_list("role", flat=True)
        )
        assert {HospitalRole.DESIGNATED, HospitalRole.GENERAL} <= roles, district.name
    for hospital in DesignatedHospital.objects.select_related("facility"):
        assert hospital.capabilities and hospital.duty_phone and hospital.name_en
        assert set(hospital.capabilities) <= set(Capability.values)
    # and the central hospital takes the city's pregnant women
    maternity = DesignatedHospital.objects.get(role=HospitalRole.SPECIAL)
    assert (maternity.facility.name, maternity.special_group) == ("株洲市中心医院", Need.PREGNANT)
    assert maternity.district is None and Capability.OBSTETRICS in maternity.capabilities


def test_demo_aneurysm_in_lusong_crosses_to_the_central_hospital(db: None) -> None:
    # given the demo city's hospitals
    generate_city(people=300, seed=12)
    seed_demo_hospitals()
    lusong = Area.objects.get(level=AreaLevel.DISTRICT, code="430203")
    place = Place(lusong.path, lusong.lat, lusong.lng)
    # when a yellow-code critical patient of 芦淞区 needs neurosurgery
    resolved = hospital_for(
        where=Where.DESIGNATED,
        special_group="",
        needs=frozenset({Need.CRITICAL}),
        asked=frozenset({Capability.NEUROSURGERY}),
        place=place,
        restricted=True,
    )
    # then the central hospital of 天元区, across the district line, with a notice mobile
    assert resolved.cross_district and resolved.hospital is not None
    assert resolved.hospital.facility.name == "株洲市中心医院"
    assert resolved.hospital.notice_mobile
    # and a green-code emergency there goes to 市三三一医院 (an ordinary hospital)
    green = hospital_for(
        where=Where.NEAREST,
        special_group="",
        needs=frozenset({Need.CRITICAL}),
        asked=frozenset({Capability.NEUROSURGERY}),
        place=place,
        emergency=True,
    )
    assert green.hospital is not None and green.hospital.facility.name == "株洲市三三一医院"
