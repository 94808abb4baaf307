"""The seed scenarios of issue 7, as tests."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.core.models import OutboxMessage
from lifeline.passes import key_store, selectors, services, tasks
from lifeline.passes.credential import KeyList, RevocationStore, Status, verify_pass
from lifeline.passes.credential.keys import public_key_from_jwk
from lifeline.passes.credential.revocation import verify_update
from lifeline.passes.eligibility import Providers
from lifeline.passes.models import ApplicationStatus
from lifeline.passes.tests.conftest import FakeTesting, at
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity


def _truck(actor: User, city: SmallCity) -> int:
    application = services.pass_application_submit(
        actor=actor,
        pass_type_code="logistics",
        applicant_kind="enterprise",
        on_behalf_of="株洲某医疗用品有限公司",
        # The park's street: an applicant files where its membership is (the district
        # bureau above the street approves).
        area=city.street,
        holder_label="湘B12345",
        route="园区仓库—湘江一桥—市中心医院",
        valid_from=at(13),
        valid_until=at(20),
        purpose="运送灭菌防护服",
    )
    return application.pk


def test_logistics_application_at_ten_is_due_at_one_in_the_district_queue(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    # given: the park's service company applies at 10:00 for a truck of protective suits
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)

    # then: it waits in the district bureau's queue, due at 13:00 (the 3-hour target)
    queue = list(selectors.application_queue(actor=district_approver))
    assert [a.pk for a in queue] == [pk]
    assert queue[0].due_at == at(13)
    assert queue[0].approver_unit == ladder["district"]


def test_logistics_application_left_past_one_escalates_to_the_command_centre(
    city: SmallCity,
    ladder: dict[str, Unit],
    park_service: User,
    district_approver: User,
    command_approver: User,
) -> None:
    # given: the 10:00 application nobody touches
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)

    # when: the sweep runs just before and just after 13:00
    before = tasks.run_periodic(at(12, 59))
    after = tasks.run_periodic(at(13, 1))
    again = tasks.run_periodic(at(13, 2))

    # then: it moves once, to the command centre, with a fresh clock and a message
    assert before["pass_applications_escalated"] == 0
    assert after["pass_applications_escalated"] == 1
    assert again["pass_applications_escalated"] == 0
    assert list(selectors.application_queue(actor=district_approver)) == []
    moved = selectors.application_queue(actor=command_approver).get()
    assert moved.pk == pk and moved.escalation_level == 1
    assert moved.due_at == at(16, 1)
    assert OutboxMessage.objects.filter(recipient=ladder["command"].phone).count() == 1


def test_approved_logistics_pass_verifies_offline_with_the_published_key_list(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    # given: the 10:00 application approved at 12:30
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
    with clock.frozen_at(at(12, 30)):
        issued = services.pass_application_approve(actor=district_approver, application_id=pk)
        published = key_store.key_list_published()

    # when: a checkpoint verifies the signed key list with the trust key, then the pass
    trust = public_key_from_jwk(published["trust_key"])
    key_list = KeyList.verify_signed(base64.b64decode(published["signed"]), trust_keys=[trust])
    result = verify_pass(
        issued.text, key_list=key_list, revocations=RevocationStore(), now=key_store.epoch(at(14))
    )

    # then: the pass is valid, issued by the district bureau, holder is the plate
    assert result.status is Status.OK
    assert result.claims is not None and result.claims.issuer == "U-DIST"
    assert result.claims.holder == "湘B12345"


def _supply_run(actor: User, person_index: int, city: SmallCity, providers: Providers) -> object:
    return services.pass_application_submit(
        actor=actor,
        pass_type_code="supply-run",
        applicant_kind="grid_worker",
        person=city.people_a[person_index],
        area=city.grid_a,
        valid_from=at(9, day=6),
        valid_until=at(12, day=6),
        purpose="采购生活物资",
        providers=providers,
    )


def test_second_supply_run_for_a_household_on_one_day_is_refused_with_the_reason(
    city: SmallCity, ladder: dict[str, Unit], grid_worker_a: User, providers: Providers
) -> None:
    # given: a supply-run pass already applied for the household for tomorrow
    with clock.frozen_at(at(10)):
        first = _supply_run(grid_worker_a, 0, city, providers)

        # when: a second one is applied for, same household, same day
        second = _supply_run(grid_worker_a, 0, city, providers)

    # then: the first waits for approval, the second is refused and says why
    assert first.status == ApplicationStatus.PENDING  # type: ignore[attr-defined]
    assert second.status == ApplicationStatus.REFUSED  # type: ignore[attr-defined]
    assert second.refusal_code == "household_quota"  # type: ignore[attr-defined]
    assert "2026-11-06" in second.refusal_reason  # type: ignore[attr-defined]


def test_supply_run_holder_with_four_tests_in_seven_days_is_refused(
    city: SmallCity,
    ladder: dict[str, Unit],
    grid_worker_a: User,
    providers: Providers,
    testing: FakeTesting,
) -> None:
    # given: the resident had 4 tests in the last 7 days (the policy wants 5)
    testing.counts[city.people_a[1].pk] = 4

    # when: the grid worker applies for a supply run for them
    with clock.frozen_at(at(10)):
        application = _supply_run(grid_worker_a, 1, city, providers)

    # then: refused, with the reason in the applicant's view
    assert application.status == ApplicationStatus.REFUSED  # type: ignore[attr-defined]
    assert application.refusal_code == "testing_policy"  # type: ignore[attr-defined]
    assert "4" in application.refusal_reason  # type: ignore[attr-defined]
    mine = selectors.application_list(actor=grid_worker_a).get()
    assert mine.refusal_reason == application.refusal_reason  # type: ignore[attr-defined]


def test_revoked_pass_is_rejected_at_the_checkpoint_after_the_next_sync(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    # given: an issued pass and a checkpoint that synced keys and the full revocation list
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
        issued = services.pass_application_approve(actor=district_approver, application_id=pk)
        key_list = key_store.key_list()
        trust = key_store.trust_key().public_key
        store = RevocationStore()
        store.apply_signed(
            base64.b64decode(key_store.revocation_published(since=None)["signed"]),
            trust_keys=[trust],
        )
    now = key_store.epoch(at(14))
    ok = verify_pass(issued.text, key_list=key_list, revocations=store, now=now)

    # when: the pass is revoked, and the checkpoint fetches the delta since its sequence
    with clock.frozen_at(at(13)):
        services.pass_revoke(actor=district_approver, pass_id=issued.pass_id, reason="车辆改派")
        delta = key_store.revocation_published(since=store.sequence or None)
    store.apply(verify_update(base64.b64decode(delta["signed"]), trust_keys=[trust]))
    revoked = verify_pass(issued.text, key_list=key_list, revocations=store, now=now)

    # then: valid before the sync, revoked after it
    assert ok.status is Status.OK
    assert revoked.status is Status.REVOKED


def test_rotated_key_keeps_earlier_passes_valid_and_signs_new_ones(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    # given: a pass issued with the district's first key
    with clock.frozen_at(at(10)):
        first = services.pass_application_approve(
            actor=district_approver, application_id=_truck(park_service, city)
        )
    # when: the key is rotated and another pass is issued
    with clock.frozen_at(at(11)):
        key_store.signing_key_rotate(actor=district_approver, unit=ladder["district"])
        second = services.pass_application_approve(
            actor=district_approver, application_id=_truck(park_service, city)
        )
    key_list = key_store.key_list()
    now = key_store.epoch(at(14))
    # then: both verify, with different keys; the list holds both
    assert first.key_id != second.key_id
    assert len(key_list) == 2
    for issued in (first, second):
        result = verify_pass(issued.text, key_list=key_list, revocations=RevocationStore(), now=now)
        assert result.status is Status.OK


def test_refusal_reason_is_required_and_shown_to_the_applicant(
    city: SmallCity, ladder: dict[str, Unit], park_service: User, district_approver: User
) -> None:
    with clock.frozen_at(at(10)):
        pk = _truck(park_service, city)
        services.pass_application_refuse(
            actor=district_approver, application_id=pk, reason="车牌与登记不符"
        )
    seen = selectors.application_get(actor=park_service, pk=pk)
    assert seen.status == ApplicationStatus.REFUSED
    assert seen.refusal_reason == "车牌与登记不符"


def test_without_a_screening_app_testing_rules_refuse_as_unknown(
    city: SmallCity, ladder: dict[str, Unit], grid_worker_a: User, monkeypatch: Any
) -> None:
    # given: the default providers, and no screening app installed
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(
        apps, "is_installed", lambda name: name != "lifeline.screening" and installed(name)
    )
    # when: a supply run (which needs 5 tests in 7 days) is applied for
    with clock.frozen_at(at(10)):
        application = services.pass_application_submit(
            actor=grid_worker_a,
            pass_type_code="supply-run",
            applicant_kind="grid_worker",
            person=city.people_a[2],
            area=city.grid_a,
            valid_from=at(9, day=6),
            valid_until=at(12, day=6),
            purpose="采购",
        )
    # then: refused, saying compliance is unknown
    assert application.refusal_code == "testing_unknown"


def test_pass_longer_than_the_type_allows_is_refused_without_a_write(
    city: SmallCity, ladder: dict[str, Unit], park_service: User
) -> None:
    import pytest

    from lifeline.core.errors import ServiceError
    from lifeline.passes.models import PassApplication

    with clock.frozen_at(at(10)), pytest.raises(ServiceError) as err:
        services.pass_application_submit(
            actor=park_service,
            pass_type_code="logistics",
            applicant_kind="enterprise",
            on_behalf_of="某公司",
            area=city.street,
            holder_label="湘B12345",
            route="甲—乙",
            valid_from=at(13),
            valid_until=at(13) + dt.timedelta(days=4),
            purpose="运输",
        )
    assert "valid_until" in err.value.fields
    assert PassApplication.objects.count() == 0


def test_approval_checks_the_testing_policy_again_and_issues_nothing_when_it_fails(
    city: SmallCity,
    ladder: dict[str, Unit],
    grid_worker_a: User,
    committee_approver: User,
    providers: Providers,
    testing: FakeTesting,
) -> None:
    import pytest

    from lifeline.core.errors import ServiceError
    from lifeline.passes.models import MovementPass

    # given: a supply run applied for while the resident met the policy
    with clock.frozen_at(at(10)):
        application = _supply_run(grid_worker_a, 1, city, providers)
    # when: a test drops out of the window before the committee approves
    testing.counts[city.people_a[1].pk] = 4
    with clock.frozen_at(at(10, 30)), pytest.raises(ServiceError) as err:
        services.pass_application_approve(
            actor=committee_approver,
            application_id=application.pk,  # type: ignore[attr-defined]
            providers=providers,
        )
    # then: nothing is issued, the application still waits, the reason is given
    assert err.value.code == "testing_policy"
    assert MovementPass.objects.count() == 0
    assert selectors.application_queue(actor=committee_approver).count() == 1
