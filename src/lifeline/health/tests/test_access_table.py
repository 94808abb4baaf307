"""The seeded table against the guide's sentences (株洲日报, 静默期间 红黄码人员这样就医).

Every case names the sentence it checks (S1..S11 in ``seed_table``); every sentence is
covered by at least one case, which ``test_every_sentence_of_the_guide_has_a_case`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lifeline.core.models import AuditRecord
from lifeline.health.models import Decision
from lifeline.health.seed_table import SENTENCES
from lifeline.health.services import access_decide, area_risk_set, health_status_set
from lifeline.registry.models import Vulnerability


@dataclass(frozen=True)
class Case:
    sentences: tuple[str, ...]
    colour: str
    quarantine: str
    risk: str
    needs: tuple[str, ...]
    urgency: str
    where: str
    how: str
    first: str | None  # who is told first; None: nobody
    hospital: str | None  # attribute of the ``hospitals`` fixture, or None
    says_zh: tuple[str, ...] = ()


CASES = {
    # S3 红码人员如有就医需求,请及时联系所在社区或隔离场所负责人,拨打120急救电话,
    #    等待派车闭环转运就医。
    "S3 red code, care needed: community lead, wait for 120 closed loop": Case(
        ("S3", "S1"),
        "red",
        "none",
        "low",
        (),
        "necessary",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
        ("社区", "120", "闭环转运"),
    ),
    "S3 red code, routine need: still 120 closed loop, never on their own": Case(
        ("S3",),
        "red",
        "none",
        "low",
        (),
        "routine",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
        ("不要自行前往",),
    ),
    # S4 处于中高风险区…的黄码人员…按照红码人员就医要求就诊。
    "S4 yellow code in a high-risk area follows the red-code rule": Case(
        ("S4",),
        "yellow",
        "none",
        "high",
        (),
        "necessary",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
        ("闭环转运",),
    ),
    "S4 yellow code in a medium-risk area does not wait for green": Case(
        ("S4",),
        "yellow",
        "home_monitoring",
        "medium",
        (),
        "routine",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
    ),
    # S4 …或集中隔离场所的黄码人员
    "S4 yellow code in centralised quarantine follows the red-code rule": Case(
        ("S4",),
        "yellow",
        "centralised",
        "low",
        (),
        "necessary",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
    ),
    # S4 应该集中隔离但经批准执行居家隔离医学观察的人员
    "S4 approved home quarantine follows the red-code rule": Case(
        ("S4",),
        "green",
        "home_quarantine",
        "low",
        (),
        "routine",
        "designated",
        "transfer_120",
        "community_lead",
        "designated",
    ),
    # S5 处于居家隔离监测人员…原则上待健康码恢复成绿码后再前往辖区医疗机构就诊。
    "S5 yellow code under home health monitoring, routine: wait for green": Case(
        ("S5",),
        "yellow",
        "home_monitoring",
        "low",
        (),
        "routine",
        "wait_green",
        "none",
        None,
        None,
        ("绿码",),
    ),
    "S5 other yellow code, routine: wait for green": Case(
        ("S5",), "yellow", "none", "low", (), "routine", "wait_green", "none", None, None
    ),
    "S5 green code still under home health monitoring, routine: wait for green": Case(
        ("S5",), "green", "home_monitoring", "low", (), "routine", "wait_green", "none", None, None
    ),
    # S6 确需就医的,要提前查询定点医院最新的就诊要求 S7 佩戴口罩…保持社交距离 S8 立即返回
    "S6-S8 yellow code who truly needs care: check the designated hospital, go masked": Case(
        ("S6", "S7", "S8"),
        "yellow",
        "home_monitoring",
        "low",
        (),
        "necessary",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
        ("最新的就诊要求", "佩戴口罩", "社交距离", "立即返回"),
    ),
    # S9 …血液透析患者…要提前联系所在地定点医院
    "S9 dialysis patient with a red code: designated hospital told first, 120 transfer": Case(
        ("S9", "S3"),
        "red",
        "none",
        "low",
        ("dialysis",),
        "necessary",
        "designated",
        "transfer_120",
        "receiving_hospital",
        "designated",
        ("提前联系",),
    ),
    "S9 dialysis patient under home monitoring does not wait for green": Case(
        ("S9",),
        "yellow",
        "home_monitoring",
        "low",
        ("dialysis",),
        "routine",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
    ),
    "S9 dialysis patient with a green code: designated hospital, advance contact": Case(
        ("S9",),
        "green",
        "none",
        "low",
        ("dialysis",),
        "routine",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
    ),
    "S9 chemo- or radiotherapy patient, yellow code: advance contact": Case(
        ("S9",),
        "yellow",
        "none",
        "low",
        ("chemo",),
        "routine",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
    ),
    "S9 newborn in centralised quarantine: advance contact and 120 transfer": Case(
        ("S9", "S4"),
        "yellow",
        "centralised",
        "low",
        ("newborn",),
        "necessary",
        "designated",
        "transfer_120",
        "receiving_hospital",
        "designated",
    ),
    # S2 危急重症确需跨区转院的,请提前与跨区定点医院机构联系。
    "S2 critical (not an emergency): advance contact, cross-district told in advance": Case(
        ("S2", "S9"),
        "yellow",
        "none",
        "low",
        ("critical",),
        "necessary",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
        ("跨区",),
    ),
    # S11 …孕产妇有就诊需求的,可直接与株洲市中心医院联系,定点就医。
    "S11 pregnant woman of the district contacts the maternity hospital directly": Case(
        ("S11",),
        "green",
        "none",
        "low",
        ("pregnant",),
        "necessary",
        "special",
        "own_way_masked",
        "receiving_hospital",
        "maternity",
        ("直接",),
    ),
    "S11 pregnant woman under home monitoring does not wait for green": Case(
        ("S11", "S5"),
        "yellow",
        "home_monitoring",
        "low",
        ("pregnant",),
        "routine",
        "special",
        "own_way_masked",
        "receiving_hospital",
        "maternity",
    ),
    "S11 pregnant woman with a red code: maternity hospital, 120 closed loop": Case(
        ("S11", "S3"),
        "red",
        "none",
        "low",
        ("pregnant",),
        "necessary",
        "special",
        "transfer_120",
        "receiving_hospital",
        "maternity",
        ("闭环转运",),
    ),
    # S10 急危重症患者,无论健康码是红码还是黄码,遇紧急情况可拨打120…提前告知接线员患者的健康情况。
    "S10 emergency with a red code: 120 at once, operator told the health status": Case(
        ("S10",),
        "red",
        "none",
        "low",
        ("critical",),
        "emergency",
        "nearest",
        "transfer_120",
        "operator_120",
        "designated",  # a red code goes to the district's designated hospital
        ("120", "告知接线员"),
    ),
    "S10 emergency with a yellow code in a high-risk area: 120 at once": Case(
        ("S10",),
        "yellow",
        "home_monitoring",
        "high",
        (),
        "emergency",
        "nearest",
        "transfer_120",
        "operator_120",
        None,
        ("120",),
    ),
    "national rule: an emergency never waits, even pregnant in central quarantine": Case(
        ("S10",),
        "red",
        "centralised",
        "high",
        ("pregnant", "dialysis"),
        "emergency",
        "nearest",
        "transfer_120",
        "operator_120",
        None,
        ("不等待核酸",),
    ),
    "national rule: a green-code emergency gets 120 too": Case(
        (), "green", "none", "low", (), "emergency", "nearest", "transfer_120", "operator_120", None
    ),
    # S1 红黄码及隔离管控人员原则上在辖区内定点医院医疗机构就诊。 (district's own hospital)
    "S1 yellow code needing care goes to the own district's designated hospital": Case(
        ("S1",),
        "yellow",
        "none",
        "low",
        (),
        "necessary",
        "designated",
        "own_way_masked",
        "receiving_hospital",
        "designated",
    ),
    "green code, no special need: a hospital of the district, own way": Case(
        (), "green", "none", "low", (), "necessary", "nearest", "own_way_masked", None, None
    ),
    "green code with fever: fever clinic": Case(
        (),
        "green",
        "none",
        "low",
        ("fever",),
        "necessary",
        "fever_clinic",
        "own_way_masked",
        None,
        "fever_clinic",
    ),
}


def test_every_sentence_of_the_guide_has_a_case():
    # given the sentences the seed guide consists of
    covered = {s for case in CASES.values() for s in case.sentences}
    # then each one is checked by at least one case, and there are at least 15 cases
    assert set(SENTENCES) <= covered
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_seeded_table_answers_as_the_guide_says(case, city, hospitals, command_staff):
    # given a resident of grid A with this status, in an area of this risk
    person = city.people_a[1]
    if (case.colour, case.quarantine) != ("green", "none"):
        health_status_set(
            actor=command_staff,
            person=person,
            colour=case.colour,
            quarantine=case.quarantine,
            reason="test",
        )
    if case.risk != "low":
        area_risk_set(actor=command_staff, area=city.community, level=case.risk)
    # when the hotline asks for a decision
    decision = access_decide(
        actor=command_staff,
        person=person,
        needs=case.needs,
        urgency=case.urgency,
        channel="hotline",
    )
    # then where, how, who first and the concrete hospital follow the guide
    assert (decision.where, decision.how) == (case.where, case.how)
    assert (decision.notify[0] if decision.notify else None) == case.first
    if case.hospital:
        assert decision.hospital == getattr(hospitals, case.hospital)
        assert getattr(hospitals, case.hospital).facility.name in decision.instructions_zh
    for phrase in case.says_zh:
        assert phrase in decision.instructions_zh
    assert "{hospital}" not in decision.instructions_zh + decision.instructions_en
    assert decision.instructions_en
    # and the decision is logged with the rule version that made it, and audited
    assert decision.rule_version == 1 == decision.rule.table.version
    assert Decision.objects.filter(pk=decision.pk, person=person).exists()
    assert AuditRecord.objects.filter(
        action="health.access_decide", object_id=str(decision.pk)
    ).exists()


def test_registry_dialysis_tag_counts_as_a_declared_need(city, hospitals, command_staff):
    # given a red-code resident tagged "dialysis" in the registry, who declares nothing
    person = city.people_a[2]
    Vulnerability.objects.create(
        person=person, grid_id=person.grid_id, area_path=person.area_path, kind="dialysis"
    )
    health_status_set(actor=command_staff, person=person, colour="red")
    # when a decision is asked for
    decision = access_decide(actor=command_staff, person=person, urgency="routine")
    # then the dialysis rule applies: the designated hospital is told first
    assert decision.rule.name == "special_needs_red"
    assert decision.notify[0] == "receiving_hospital"
    assert decision.inputs["needs"] == ["dialysis"]


def test_lapsed_red_code_no_longer_restricts(city, hospitals, command_staff):
    # given a red code that ended yesterday
    import datetime as dt

    from lifeline.core import clock

    person = city.people_a[1]
    start = clock.now() - dt.timedelta(days=3)
    health_status_set(
        actor=command_staff,
        person=person,
        colour="red",
        valid_from=start,
        valid_to=clock.now() - dt.timedelta(days=1),
    )
    # when a routine decision is asked for
    decision = access_decide(actor=command_staff, person=person, urgency="routine")
    # then the person is treated as green
    assert decision.inputs["colour"] == "green"
    assert decision.rule.name == "green_default"


def test_unidentified_caller_is_decided_from_the_answers(city, hospitals, hotline_operator):
    # given a caller not found in the registry, who says she is yellow-coded, in 天元区
    # when the operator asks with her answers
    decision = access_decide(
        actor=hotline_operator,
        area=city.district,
        colour="yellow",
        quarantine="none",
        needs=["pregnant"],
        urgency="necessary",
        channel="hotline",
    )
    # then she is sent to the maternity hospital, and the decision is scoped to her district
    assert decision.hospital == hospitals.maternity
    assert decision.person is None
    assert decision.area_path == city.district.path


def test_declared_risk_cannot_lower_the_recorded_risk(city, hospitals, command_staff):
    # given the community is high-risk on record
    area_risk_set(actor=command_staff, area=city.community, level="high")
    # when a yellow-coded caller there claims low risk
    decision = access_decide(
        actor=command_staff, area=city.community, colour="yellow", risk="low", urgency="routine"
    )
    # then the recorded high risk applies: red-code rule
    assert decision.inputs["risk"] == "high"
    assert decision.how == "transfer_120"
