"""The fan-out by ranges: many small ranges and batches, runs cut short by their budget
and started again, a phone shared by households far apart, phones written in several
ways and invalid ones. Every household gets its row once, every valid phone one text
whose link is the household row's own, and the notice is marked sent once. The same on
SQLite (multi-row inserts) and PostgreSQL (one statement per batch, hashes and links
computed in the database)."""

from __future__ import annotations

import pytest

from lifeline.core.models import OutboxMessage
from lifeline.core.personal import lookup_hash
from lifeline.notices.models import (
    FanoutStatus,
    Notice,
    NoticeFanoutPart,
    NoticeGroup,
    NoticeHousehold,
    NoticeText,
)
from lifeline.notices.services import fanout, notice_approve, notice_fanout, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.notices.tokens import ack_token
from lifeline.registry.models import Household, VulnerabilityKind
from lifeline.testing.factories import SmallCity, make_household, make_person

pytestmark = pytest.mark.django_db


def _published(w, **extra) -> Notice:
    notice = sampling_notice(w, **extra)
    notice_submit(actor=w.drafter, notice=notice)
    return notice_approve(actor=w.approver, notice=notice)


def test_small_ranges_and_cut_runs_text_every_phone_once(
    city: SmallCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given ranges of 2 household ids, batches of 1, a phone shared by the first and the
    # last household, a phone written with spaces and the country code, and a bad one
    w = make_notices_city(city)
    first = w.households[0]
    shared = make_household(grid=w.grids[3], unit_no="901", phone=first.phone)
    spaced = make_household(grid=w.grids[3], unit_no="902", phone="+86 139 0000 1234")
    make_household(grid=w.grids[3], unit_no="903", phone="12345")
    monkeypatch.setattr(fanout, "PART_IDS", 2)
    monkeypatch.setattr(fanout, "batch_size", lambda: 1)
    notice = _published(w)
    # When the fan-out runs out of time after every batch, and is started again and again
    runs = 0
    while Notice.objects.get(pk=notice.pk).fanout_status == FanoutStatus.PENDING:
        notice_fanout(notice_id=notice.pk, budget_seconds=0)
        runs += 1
        assert runs < 200
    notice_fanout(notice_id=notice.pk)  # and once more after it is done
    # Then every household has one row, every valid phone one text
    households = Household.objects.filter(area_path__startswith=city.street.path)
    published = Notice.objects.get(pk=notice.pk)
    assert runs > 3 and NoticeFanoutPart.objects.filter(notice=notice).count() > 3
    assert NoticeHousehold.objects.filter(notice=notice).count() == households.count()
    assert published.households_count == households.count()
    texts = OutboxMessage.objects.filter(object_id=str(notice.pk))
    phones = {h.phone.replace(" ", "").replace("+86", "") for h in households} - {"12345"}
    assert sorted(texts.values_list("recipient", flat=True)) == sorted(phones)
    assert published.texts_count == len(phones) == NoticeText.objects.filter(notice=notice).count()
    assert texts.filter(recipient="13900001234").count() == 1
    # and each text links its household's row, the shared phone the first household's
    for household in (first, spaced):
        row = NoticeHousehold.objects.get(notice=notice, household=household)
        phone = household.phone.replace(" ", "").replace("+86", "")
        body = texts.get(recipient=phone).body
        assert body.endswith(f"/notices/a/{ack_token(row.pk)}") or (
            f"/notices/a/{ack_token(row.pk)}" in body
        )
        assert NoticeText.objects.get(notice=notice, recipient=row).phone_hash == lookup_hash(phone)
    shared_row = NoticeHousehold.objects.get(notice=notice, household=shared)
    assert not NoticeText.objects.filter(recipient=shared_row).exists()
    assert published.fanout_status == FanoutStatus.DONE


def test_the_text_is_the_notices_own_with_the_link_in_it(city: SmallCity) -> None:
    w = make_notices_city(city)
    notice = _published(w)
    notice_fanout(notice_id=notice.pk)
    row = NoticeHousehold.objects.filter(notice=notice).order_by("pk").first()
    assert row is not None
    message = OutboxMessage.objects.get(
        object_id=str(notice.pk), recipient=Household.objects.get(pk=row.household_id).phone
    )
    link = f"/notices/a/{ack_token(row.pk)}"
    assert message.body == fanout.sms_text(notice, link)


def test_a_notice_for_vulnerable_households_texts_only_them(city: SmallCity) -> None:
    w = make_notices_city(city)
    cared = w.households[1]
    make_person(household=cared, vulnerabilities=(VulnerabilityKind.ELDERLY_ALONE,))
    notice = _published(w, groups=[NoticeGroup.VULNERABLE])
    notice_fanout(notice_id=notice.pk)
    vulnerable = set(
        Household.objects.filter(
            area_path__startswith=city.street.path, members__vulnerabilities__isnull=False
        ).values_list("pk", flat=True)
    )
    assert cared.pk in vulnerable
    rows = set(NoticeHousehold.objects.filter(notice=notice).values_list("household_id", flat=True))
    assert rows == vulnerable
    assert Notice.objects.get(pk=notice.pk).texts_count == len(
        set(Household.objects.filter(pk__in=vulnerable).values_list("phone", flat=True))
    )


def test_the_batch_statement_names_the_models_tables_and_orders_phones(city: SmallCity) -> None:
    # (run on PostgreSQL by the tests above; here its text, on any database)
    from lifeline.notices.services import fanout_sql

    w = make_notices_city(city)
    notice = sampling_notice(w, groups=[NoticeGroup.VULNERABLE])
    sql, params = fanout_sql.statement(notice, before="B ", after=" A")
    for table in ("registry_household", "notices_noticehousehold", "notices_noticetext"):
        assert table in sql
    assert "registry_vulnerability" in sql and "EXISTS" in sql
    assert sql.count("ON CONFLICT DO NOTHING") == 2
    assert "FROM phones ORDER BY hash" in sql
    assert params["path0"] == f"{notice.target_paths[0]}%"
    assert {"lk_inner", "lk_outer", "sig_inner", "sig_outer", "outbox_now"} <= set(params)
    assert fanout_sql._like("/4_3%/") == "/4\\_3\\%/%"


def test_a_notice_for_key_users_only_texts_no_household(city: SmallCity) -> None:
    w = make_notices_city(city)
    make_person(household=w.households[0], vulnerabilities=(VulnerabilityKind.DIALYSIS,))
    notice = _published(w, groups=[NoticeGroup.KEY_USERS], must_reach=False)
    notice_fanout(notice_id=notice.pk)
    published = Notice.objects.get(pk=notice.pk)
    assert published.fanout_status == FanoutStatus.DONE
    assert not NoticeHousehold.objects.filter(notice=notice).exists()
    assert published.texts_count == 0
