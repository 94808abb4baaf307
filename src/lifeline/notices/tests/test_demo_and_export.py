"""The demo's notices, and the export of a notice's unreached households (masked,
formula-safe, audited)."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord
from lifeline.demo.notices import seed_demo_notices
from lifeline.notices.exports import unreached_export
from lifeline.notices.models import Notice, NoticeStatus
from lifeline.notices.tests.scope_cases import make_notices_world
from lifeline.registry.models import Household
from lifeline.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_published_hygiene_notice_and_one_awaiting_approval(city):
    make_user("demo_district", role=Role.DISTRICT_STAFF, area=city.district)
    make_user("demo_command", role=Role.COMMAND_STAFF, area=city.city)
    assert "notices" in seed_demo_notices()
    statuses = sorted(Notice.objects.values_list("category", "status"))
    assert statuses == [("hygiene", NoticeStatus.PUBLISHED), ("testing", NoticeStatus.SUBMITTED)]
    assert seed_demo_notices() == ""  # once


def test_unreached_export_is_masked_and_audited(city):
    w = make_notices_world(city)
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=1)):
        export = unreached_export(actor=w.worker_a, notice_id=w.community_notice.pk, fmt="csv")
    text = export.content.decode("utf-8-sig")
    assert export.rows == 3 and "****" in text
    phones = Household.objects.filter(area_path__startswith=city.grid_a.path)
    assert not any(phone in text for phone in phones.values_list("phone", flat=True))
    assert AuditRecord.objects.filter(action="notices.export_unreached").count() == 1
    xlsx = unreached_export(actor=w.worker_a, notice_id=w.community_notice.pk, fmt="xlsx")
    assert xlsx.content[:2] == b"PK"
    with pytest.raises(ServiceError):
        unreached_export(actor=w.worker_a, notice_id=w.community_notice.pk, fmt="pdf")
