"""The daily report: the city's report at 24:00 holds every app's figures with the change
against the day before; signed, it never changes (same content, same hash) while a late
result shows as a revision in the next day's report. Who may open, write and sign it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lifeline.command.catalogue import figures
from lifeline.command.models import DailyReport, ReportStatus
from lifeline.command.services import (
    figures_refresh,
    report_generate,
    report_sections_save,
    report_sign,
    run_periodic,
)
from lifeline.command.services.reports import verified
from lifeline.command.snapshot import canonical, digest
from lifeline.command.tests.report_helpers import ReportDesk, at, make_report_desk
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Person
from lifeline.screening.models import Outcome, PersonResult
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 9)
NEXT = DAY + dt.timedelta(days=1)


def _positive(person: Person, sample_id: int, day: dt.date) -> None:
    PersonResult.objects.create(
        sample_id=sample_id,
        person=person,
        grid_id=person.grid_id,
        area_path=person.area_path,
        outcome=Outcome.POSITIVE,
        sampled_on=day,
    )


def _figure(report: DailyReport, key: str) -> dict[str, object]:
    return next(f for f in json.loads(report.content)["figures"] if f["key"] == key)


@pytest.fixture
def rd(city: SmallCity) -> ReportDesk:
    with clock.frozen_at(at(DAY, 10)):
        made = make_report_desk(city)  # three requests opened on the day
        _positive(city.people_a[1], 990001, DAY)
    return made


def test_the_city_report_at_24_00_is_frozen_and_late_results_are_next_days_revisions(
    rd: ReportDesk,
):
    city, command = rd.city, rd.desk.command
    # given the figures of the day and of the day before, counted at 24:00
    with clock.frozen_at(at(DAY, 24)):
        figures_refresh(day=DAY - dt.timedelta(days=1))
        figures_refresh(day=DAY)
        # when the command centre opens the city's report of the day and signs it
        report = report_generate(actor=command, area=city.city, day=DAY)
        report = report_sign(actor=command, report=report, expected_hash=report.content_hash)
    content = json.loads(report.content)
    # then it holds every app's figures, with the day before's and so the change
    assert {f["key"] for f in content["figures"]} == {f.key for f in figures()}
    assert {f["app"] for f in content["figures"]} >= {
        "registry",
        "workorders",
        "screening",
        "health",
        "passes",
        "teams",
        "supplies",
        "volunteers",
        "continuity",
        "keyusers",
        "enterprises",
    }
    opened = _figure(report, "workorders.opened")
    assert (opened["value"], opened["before"]) == (3, 0)
    assert _figure(report, "screening.positives")["value"] == 1
    assert _figure(report, "registry.people")["label"] == {"zh-hans": "居民", "en": "Residents"}
    # and the districts' rows below it
    assert [c["title"]["zh-hans"] for c in content["children"]] == ["天元区"]
    assert content["children"][0]["values"]["workorders.opened"] == 3
    assert report.status == ReportStatus.SIGNED and report.signer_name == "李指挥"
    assert report.content_hash == digest(report.content) and verified(report)
    signed_text, signed_hash = report.content, report.content_hash

    # when a late lab result of the day arrives at 01:00 (the day is refreshed until 02:00)
    with clock.frozen_at(at(NEXT, 1)):
        _positive(city.people_b[1], 990002, DAY)
        run_periodic(now=at(NEXT, 1))
        # and the signed report is generated again
        again = report_generate(actor=command, area=city.city, day=DAY)
    # then it is the same report, with the same content and hash
    assert again.pk == report.pk and again.content == signed_text
    assert again.content_hash == signed_hash and verified(again)
    assert _figure(again, "screening.positives")["value"] == 1

    # and the next day's report shows the late result as a revision (old -> new)
    with clock.frozen_at(at(NEXT, 9)):
        figures_refresh(day=NEXT)
        following = report_generate(actor=command, area=city.city, day=NEXT)
        retaken = report_generate(actor=command, area=city.city, day=NEXT)
    revisions = json.loads(following.content)["revisions"]
    assert revisions["signed"] is True and revisions["day"] == DAY.isoformat()
    changed = [(r["place"]["zh-hans"], r["key"], r["old"], r["new"]) for r in revisions["items"]]
    assert ("株洲市", "screening.positives", 1, 2) in changed
    assert ("天元区", "screening.positives", 1, 2) in changed
    # its change is against the day as it now stands
    assert _figure(following, "screening.positives")["before"] == 2
    # and the same data give the same draft, byte for byte
    assert retaken.content_hash == following.content_hash


def test_a_draft_keeps_its_narrative_when_the_figures_are_taken_again(rd: ReportDesk):
    city, district = rd.city, rd.desk.district
    with clock.frozen_at(at(NEXT, 8)):
        report = report_generate(actor=district, area=city.district, day=DAY)
        report = report_sections_save(
            actor=district,
            report=report,
            sections={"methods": "全员核酸一轮，三个小区上门采样。", "plan": "明日复核阳性密接。"},
            expected_version=report.version,
        )
        report = report_generate(actor=district, area=city.district, day=DAY)
    sections = json.loads(report.content)["sections"]
    assert sections == {
        "methods": "全员核酸一轮，三个小区上门采样。",
        "problems": "",
        "plan": "明日复核阳性密接。",
    }
    assert report.content == canonical(json.loads(report.content))
    # a district's rows are its streets
    assert [c["title"]["zh-hans"] for c in json.loads(report.content)["children"]] == ["嵩山路街道"]
    assert AuditRecord.objects.filter(action="command.report.sections").count() == 1


def test_signing_needs_the_figures_taken_after_the_cut_off_and_the_hash_read(rd: ReportDesk):
    city, district = rd.city, rd.desk.district
    with clock.frozen_at(at(DAY, 20)):
        early = report_generate(actor=district, area=city.district, day=DAY)
        with pytest.raises(ServiceError) as refused:
            report_sign(actor=district, report=early)
    assert refused.value.code == "before_cutoff"
    with clock.frozen_at(at(NEXT, 8)):
        report = report_generate(actor=district, area=city.district, day=DAY)
        with pytest.raises(Conflict):
            report_sign(actor=district, report=report, expected_hash="0" * 64)
        signed = report_sign(actor=district, report=report, expected_hash=report.content_hash)
        # a signed report takes no narrative and no second signature
        with pytest.raises(Conflict):
            report_sections_save(actor=district, report=signed, sections={"plan": "改"})
        with pytest.raises(Conflict):
            report_sign(actor=district, report=signed)
    assert DailyReport.objects.get(pk=report.pk).content == signed.content
    record = AuditRecord.objects.get(action="command.report.sign")
    assert signed.content_hash in record.purpose


def test_only_the_area_responsible_opens_and_signs_its_report(rd: ReportDesk):
    city, district = rd.city, rd.desk.district
    with clock.frozen_at(at(NEXT, 8)):
        report = report_generate(actor=district, area=city.district, day=DAY)
        # a street officer does not even see the district's report
        with pytest.raises(NotFound):
            report_sign(actor=rd.street_staff, report=report)
        with pytest.raises(NotFound):
            report_generate(actor=rd.street_staff, area=city.district, day=DAY)
        # the district does not reach the city's report
        with pytest.raises(NotFound):
            report_generate(actor=district, area=city.city, day=DAY)
        # a grid worker sees their grid, which keeps no report
        with pytest.raises(ServiceError):
            report_generate(actor=rd.desk.worker_a, area=city.grid_a, day=DAY)
    assert DailyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize(
    "sections",
    [{"plan": "x" * 4001}, {"methods": "坏\u202e字"}, {"elsewhere": "?"}],
    ids=["too-long", "bidi-override", "unknown-section"],
)
def test_bad_narrative_is_refused_and_changes_nothing(rd: ReportDesk, sections: dict[str, str]):
    with clock.frozen_at(at(NEXT, 8)):
        report = report_generate(actor=rd.desk.district, area=rd.city.district, day=DAY)
        with pytest.raises(ServiceError):
            report_sections_save(actor=rd.desk.district, report=report, sections=sections)
    assert DailyReport.objects.get(pk=report.pk).content_hash == report.content_hash


@pytest.mark.parametrize("day", [NEXT + dt.timedelta(days=1), DAY - dt.timedelta(days=400), None])
def test_a_day_in_the_future_or_too_long_ago_is_refused(rd: ReportDesk, day: object):
    with clock.frozen_at(at(NEXT, 8)), pytest.raises(ServiceError) as refused:
        report_generate(actor=rd.desk.district, area=rd.city.district, day=day)
    assert "day" in refused.value.fields
    assert not DailyReport.objects.exists()
