"""Hospitals of the small city, as the health commission lists them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from lifeline.health.models import DesignatedHospital
from lifeline.health.vocab import HospitalRole
from lifeline.registry.models import AreaLevel, Facility
from lifeline.testing.factories import SmallCity, make_area


@dataclass
class Hospitals:
    designated: DesignatedHospital  # 天元区's designated hospital
    other_district: DesignatedHospital  # 芦淞区's: never the answer for 天元区 residents
    maternity: DesignatedHospital  # city-wide, for pregnant and postpartum women
    general: DesignatedHospital
    fever_clinic: DesignatedHospital


def _hospital(
    city: SmallCity, *, name: str, role: str, district=None, lat=27.83, lng=113.15, **extra
) -> DesignatedHospital:
    facility = Facility.objects.create(
        kind=Facility.Kind.HOSPITAL,
        name=name,
        area=district or city.city,
        area_path=(district or city.city).path,
        lat=lat,
        lng=lng,
        phone="0731-22000000",
    )
    return DesignatedHospital.objects.create(
        facility=facility, role=role, district=district, phones=["0731-22000000"], **extra
    )


@pytest.fixture
def hospitals(city: SmallCity) -> Hospitals:
    other = make_area(parent=city.city, level=AreaLevel.DISTRICT, code="430203", name="芦淞区")
    return Hospitals(
        designated=_hospital(
            city,
            name="天元区定点医院",
            role=HospitalRole.DESIGNATED,
            district=city.district,
            notes="透析患者请提前一天预约",
        ),
        other_district=_hospital(
            city,
            name="芦淞区定点医院",
            role=HospitalRole.DESIGNATED,
            district=other,
            lat=27.83,
            lng=113.15,
        ),
        maternity=_hospital(
            city,
            name="株洲市中心医院",
            role=HospitalRole.SPECIAL,
            special_group="pregnant",
            lat=27.9,
            lng=113.2,
        ),
        general=_hospital(
            city,
            name="天元区人民医院",
            role=HospitalRole.GENERAL,
            district=city.district,
            capabilities=["emergency", "icu", "dialysis"],
        ),
        fever_clinic=_hospital(
            city, name="天元区发热门诊", role=HospitalRole.FEVER_CLINIC, district=city.district
        ),
    )


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; a page request may have left zh-hans active."""
    with translation.override("en"):
        yield
