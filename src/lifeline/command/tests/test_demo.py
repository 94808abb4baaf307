"""The demo's command centre: figures for today and yesterday and two rules, set once."""

from __future__ import annotations

import pytest

from lifeline.command.models import AlertRule, AreaFigure
from lifeline.command.tests.helpers import make_desk
from lifeline.core import clock
from lifeline.demo.command import seed_demo_command
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def test_seed_demo_command_refreshes_two_days_and_sets_two_rules_once(city: SmallCity):
    desk = make_desk(city)
    first = seed_demo_command(actor=desk.command)
    assert first["rules"] == 2
    assert AreaFigure.objects.filter(day=clock.today()).exists()
    assert seed_demo_command(actor=desk.command)["rules"] == 0
    assert AlertRule.objects.count() == 2


def test_seed_demo_reports_signs_yesterday_drafts_today_and_files_the_meetings_actions(
    city: SmallCity,
):
    from lifeline.command.models import DailyReport, ReportStatus, ReviewAction, ReviewMeeting
    from lifeline.command.services import figures_refresh
    from lifeline.command.tests.report_helpers import make_report_desk
    from lifeline.demo.command import seed_demo_reports

    rd = make_report_desk(city)
    figures_refresh(day=clock.today())
    made = seed_demo_reports(
        command=rd.desk.command, district_staff=rd.desk.district, district=city.district
    )
    assert made == {"reports": 2, "actions": 2}
    signed = DailyReport.objects.get(area=city.city)
    assert signed.status == ReportStatus.SIGNED and signed.day < clock.today()
    draft = DailyReport.objects.get(area=city.district)
    assert draft.status == ReportStatus.DRAFT and draft.day == clock.today()
    assert ReviewMeeting.objects.get().actions.count() == 2 == ReviewAction.objects.count()
    assert '"meeting_day"' in draft.content and "夜间采样点" in draft.content
    # a second run changes nothing
    again = seed_demo_reports(
        command=rd.desk.command, district_staff=rd.desk.district, district=city.district
    )
    assert again == {"reports": 0, "actions": 0} and DailyReport.objects.count() == 2
