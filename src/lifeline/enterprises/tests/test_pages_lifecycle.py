"""The liaison's newer pages: the whitelist status changed with a reason (what it means for
passes said on the page), a supply need filed for a loop, a member linked to the
registry; bad input shown on the form, nothing written."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.enterprises.models import BubbleNeed, Enterprise, LoopStatus, SealedStaff
from lifeline.enterprises.tests.helpers import Crew, at, make_crew
from lifeline.supplies.models import Item, Need
from lifeline.testing.factories import SmallCity, make_household, make_person


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        return make_crew(city)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_status_page_offers_what_the_status_allows_and_says_what_happens_to_passes(
    crew: Crew,
) -> None:
    page = _client(crew.liaison).get(f"/enterprises/{crew.enterprise.pk}/status/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="suspend"' in text and 'value="close"' in text
    assert 'value="reopen"' not in text
    assert (
        zh(
            "Reopening lets work resume but does not give back revoked passes: apply "
            "again for each vehicle, and the district decides."
        )
        in text
    )


def test_suspending_on_the_form_shows_the_status_and_the_passes_note(crew: Crew) -> None:
    client = _client(crew.liaison)
    with clock.frozen_at(at(10, 16)):
        answer = client.post(
            f"/enterprises/{crew.enterprise.pk}/status/",
            {"action": "suspend", "reason": "整改消防隐患"},
        )
    assert answer.status_code == 302
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.SUSPENDED
    with clock.frozen_at(at(10, 16)):
        text = client.get(answer["Location"]).content.decode()
    assert "整改消防隐患" in text and 'data-testid="passes-note"' in text


def test_a_status_change_without_a_reason_is_shown_and_changes_nothing(crew: Crew) -> None:
    answer = _client(crew.liaison).post(
        f"/enterprises/{crew.enterprise.pk}/status/", {"action": "close", "reason": ""}
    )
    assert answer.status_code == 400
    assert Enterprise.objects.get(pk=crew.enterprise.pk).status == LoopStatus.ACTIVE


def test_a_supply_need_filed_on_the_form_is_listed_on_the_page(crew: Crew) -> None:
    client = _client(crew.liaison)
    item = Item.objects.get(code="vegetables")
    with clock.frozen_at(at(10, 11)):
        answer = client.post(
            f"/enterprises/{crew.enterprise.pk}/needs/new/",
            {
                "bubble": crew.bubble.pk,
                "item": item.pk,
                "quantity": "50",
                "needed_by": "2026-12-11",
                "priority": "3",
                "canteen": "on",
            },
        )
        assert answer.status_code == 302
        text = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    kept = BubbleNeed.objects.get()
    assert Need.objects.filter(pk=kept.need_id).exists()
    assert f"#{kept.need_id}" in text and item.name in text
    # and where it stands at the supplies desk, read through its public selector
    status = text.split('data-testid="need-status">', 1)[1].split("</td>", 1)[0]
    assert status.strip() == "Open"


def test_a_need_for_yesterday_is_shown_on_the_form_and_files_nothing(crew: Crew) -> None:
    with clock.frozen_at(at(10, 11)):
        answer = _client(crew.liaison).post(
            f"/enterprises/{crew.enterprise.pk}/needs/new/",
            {
                "bubble": crew.bubble.pk,
                "item": Item.objects.get(code="vegetables").pk,
                "quantity": "50",
                "needed_by": "2026-12-09",
                "priority": "3",
            },
        )
    assert answer.status_code == 400
    assert (BubbleNeed.objects.count(), Need.objects.count()) == (0, 0)


def test_the_command_links_a_member_found_by_phone_and_the_name_stays_masked(
    crew: Crew,
) -> None:
    # given: the worker from elsewhere is in fact a resident
    household = make_household(grid=crew.city.grid_b, unit_no="301")
    person = make_person(household=household, name="外地工人", phone="13800000003")
    client = _client(crew.command_staff)

    # when: the command centre links them by phone
    with clock.frozen_at(at(10, 12)):
        answer = client.post(
            f"/enterprises/{crew.enterprise.pk}/staff/link/",
            {"staff": crew.staff[3].pk, "query": "13800000003"},
        )
        assert answer.status_code == 302
        text = client.get(answer["Location"]).content.decode()

    # then: linked, and the page shows no full name
    assert SealedStaff.objects.get(pk=crew.staff[3].pk).person_id == person.pk
    assert "外地工人" not in text


def test_the_liaison_without_registry_access_finds_nobody_and_links_nothing(crew: Crew) -> None:
    household = make_household(grid=crew.city.grid_b, unit_no="302")
    make_person(household=household, name="外地工人", phone="13800000003")
    answer = _client(crew.liaison).post(
        f"/enterprises/{crew.enterprise.pk}/staff/link/",
        {"staff": crew.staff[3].pk, "query": "13800000003"},
    )
    assert answer.status_code == 400
    assert zh("Nobody in your registry area matches.") in answer.content.decode()
    assert SealedStaff.objects.get(pk=crew.staff[3].pk).person_id is None


def test_the_liaison_links_a_member_by_the_name_and_phone_the_loop_keeps(crew: Crew) -> None:
    # given: the worker from elsewhere is a resident of another grid, with the same phone
    household = make_household(grid=crew.city.grid_b, unit_no="303")
    person = make_person(household=household, name="外地工人", phone="13800000003")

    # when: the liaison, who has no registry access, links them with the search left empty
    with clock.frozen_at(at(10, 12)):
        answer = _client(crew.liaison).post(
            f"/enterprises/{crew.enterprise.pk}/staff/link/",
            {"staff": crew.staff[3].pk, "query": ""},
        )

    # then: linked, and the match is in the audit
    assert answer.status_code == 302
    assert SealedStaff.objects.get(pk=crew.staff[3].pk).person_id == person.pk
    assert AuditRecord.objects.filter(action="enterprises.staff_link").count() == 1


def test_a_member_whose_name_differs_in_the_registry_is_not_linked(crew: Crew) -> None:
    household = make_household(grid=crew.city.grid_b, unit_no="304")
    make_person(household=household, name="外地工", phone="13800000003")
    answer = _client(crew.liaison).post(
        f"/enterprises/{crew.enterprise.pk}/staff/link/",
        {"staff": crew.staff[3].pk, "query": ""},
    )
    assert answer.status_code == 400
    assert zh(
        "Nobody in the registry has the name and phone kept for this member: "
        "search for them instead."
    ) in (answer.content.decode())
    assert SealedStaff.objects.get(pk=crew.staff[3].pk).person_id is None
