"""The demo city's hospitals as the health app knows them (seed 000, S5).

Each district's designated hospital (red- and yellow-code patients), the ordinary hospitals
(green codes), the city's central hospital for pregnant women, and 市三三一医院 of 芦淞区,
where the woman with a ruptured aneurysm was operated on that night (seed 001). Only 株洲市
中心医院 does neurosurgery and vascular surgery among the designated hospitals, so a
critical aneurysm patient with a yellow code in another district crosses to it.

The registry's facilities of the generated city are used where they exist; the two the
generator does not make are added. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.health.models import DesignatedHospital
from lifeline.health.vocab import Capability as C
from lifeline.health.vocab import HospitalRole, Need
from lifeline.registry.models import Area, AreaLevel, Facility

ALL_ROUND = [C.EMERGENCY, C.ICU, C.DIALYSIS]


@dataclass(frozen=True)
class DemoHospital:
    name: str
    name_en: str
    district: str  # area code
    role: str
    capabilities: list[str]
    duty_phone: str
    notice_mobile: str = ""
    special_group: str = ""
    notes: str = ""


HOSPITALS: tuple[DemoHospital, ...] = (
    DemoHospital(
        "株洲市中心医院",
        "Zhuzhou Central Hospital",
        "430211",
        HospitalRole.DESIGNATED,
        [*ALL_ROUND, C.CARDIAC_SURGERY, C.NEUROSURGERY, C.VASCULAR, C.ONCOLOGY, C.INFECTIOUS],
        "0731-28561120",
        "13907330101",
    ),
    DemoHospital(
        "株洲市三医院",
        "Zhuzhou No. 3 Hospital",
        "430202",
        HospitalRole.DESIGNATED,
        [*ALL_ROUND, C.INFECTIOUS],
        "0731-28232120",
        "13907330102",
    ),
    DemoHospital(
        "湖南省直中医医院",
        "Hunan Provincial Hospital of Chinese Medicine",
        "430203",
        HospitalRole.DESIGNATED,
        [*ALL_ROUND, C.ONCOLOGY],
        "0731-28373120",
        "13907330103",
    ),
    DemoHospital(
        "株洲市二医院",
        "Zhuzhou No. 2 Hospital",
        "430204",
        HospitalRole.DESIGNATED,
        [*ALL_ROUND, C.CARDIAC_SURGERY],
        "0731-28494120",
        "13907330104",
    ),
    DemoHospital(
        "渌口区人民医院",
        "Lukou District People's Hospital",
        "430212",
        HospitalRole.DESIGNATED,
        [C.EMERGENCY, C.DIALYSIS],
        "0731-26215120",
        "13907330105",
    ),
    # S11: the pregnant women of the city contact the central hospital directly.
    DemoHospital(
        "株洲市中心医院",
        "Zhuzhou Central Hospital",
        "",
        HospitalRole.SPECIAL,
        [C.OBSTETRICS, C.PAEDIATRICS],
        "0731-28561999",
        "13907330106",
        special_group=Need.PREGNANT,
        notes="孕产妇请先拨打产科值班电话，按预约时间到院。",
    ),
    DemoHospital(
        "株洲市三三一医院",
        "Zhuzhou 331 Hospital",
        "430203",
        HospitalRole.GENERAL,
        [C.EMERGENCY, C.ICU, C.NEUROSURGERY, C.VASCULAR],
        "0731-28331120",
        "13907330107",
    ),
    DemoHospital(
        "株洲市妇幼保健院",
        "Zhuzhou Maternal and Child Health Hospital",
        "430203",
        HospitalRole.GENERAL,
        [C.PAEDIATRICS, C.OBSTETRICS],
        "0731-28288120",
    ),
    DemoHospital(
        "株洲市中医伤科医院",
        "Zhuzhou Hospital of Traditional Chinese Orthopaedics",
        "430202",
        HospitalRole.GENERAL,
        [C.EMERGENCY],
        "0731-28255120",
    ),
    DemoHospital(
        "天元区人民医院",
        "Tianyuan District People's Hospital",
        "430211",
        HospitalRole.GENERAL,
        [C.EMERGENCY, C.DIALYSIS],
        "0731-28681120",
    ),
    DemoHospital(
        "石峰区人民医院",
        "Shifeng District People's Hospital",
        "430204",
        HospitalRole.GENERAL,
        [C.EMERGENCY, C.PAEDIATRICS],
        "0731-28402120",
    ),
    DemoHospital(
        "荷塘区人民医院",
        "Hetang District People's Hospital",
        "430202",
        HospitalRole.GENERAL,
        [C.EMERGENCY, C.DIALYSIS, C.PAEDIATRICS],
        "0731-28211120",
    ),
    DemoHospital(
        "渌口区中医医院",
        "Lukou District Hospital of Chinese Medicine",
        "430212",
        HospitalRole.GENERAL,
        [C.EMERGENCY],
        "0731-26235120",
    ),
)


def _facility(spec: DemoHospital, district: Area) -> Facility:
    kinds = (Facility.Kind.DESIGNATED_HOSPITAL, Facility.Kind.HOSPITAL)
    found = Facility.objects.filter(name=spec.name, kind__in=kinds).first()
    if found is not None:
        return found
    return Facility.objects.create(
        kind=Facility.Kind.HOSPITAL,
        name=spec.name,
        area=district,
        area_path=district.path,
        address=f"株洲市{district.name}",
        phone=spec.duty_phone,
        lat=district.lat,
        lng=district.lng,
    )


def seed_demo_hospitals() -> str:
    """Register the demo city's hospitals in the health app (idempotent): a line to print,
    or "" when the demo city's districts are missing."""
    districts = {a.code: a for a in Area.objects.filter(level=AreaLevel.DISTRICT)}
    if not {spec.district for spec in HOSPITALS if spec.district} <= set(districts):
        return ""
    made = 0
    with transaction.atomic():
        for spec in HOSPITALS:
            home = districts[spec.district or "430211"]
            facility = _facility(spec, home)
            _row, created = DesignatedHospital.objects.get_or_create(
                facility=facility,
                role=spec.role,
                special_group=spec.special_group,
                defaults={
                    "district": districts[spec.district] if spec.district else None,
                    "name_en": spec.name_en,
                    "capabilities": [str(c) for c in spec.capabilities],
                    "duty_phone": spec.duty_phone,
                    "notice_mobile": spec.notice_mobile,
                    "phones": [facility.phone] if facility.phone != spec.duty_phone else [],
                    "notes": spec.notes,
                },
            )
            made += created
    return _("Hospitals registered for medical access: %(n)s.") % {"n": made}
