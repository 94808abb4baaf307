"""Registry pages: render for the grid worker, stay inside the actor's scope, mask, reveal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lifeline.accounts.models import User
from lifeline.core.models import AuditRecord
from lifeline.registry.views import GRID_PAGE_SIZE
from lifeline.testing.factories import SmallCity, make_household, make_id_number, make_person

HTMX = {"HTTP_HX_REQUEST": "true"}
# Session, user, scope, grid, breadcrumbs, three counts, buildings, households, people,
# their vulnerabilities, the vulnerable list.
GRID_PAGE_MAX_QUERIES = 13


@pytest.fixture
def client_a(client: Client, grid_worker_a: User) -> Client:
    client.force_login(grid_worker_a)
    return client


def _html(response: Any) -> str:
    return response.content.decode()


# --- pages render for grid worker A -------------------------------------------------------


def test_area_tree_shows_grid_worker_their_grid(client_a: Client, city: SmallCity) -> None:
    # when
    response = client_a.get(reverse("registry:area_tree"))
    # then
    assert response.status_code == 200
    assert city.grid_a.name in _html(response)
    assert city.grid_b.name not in _html(response)
    assert reverse("registry:grid", args=[city.grid_a.pk]) in _html(response)


def test_area_tree_of_community_staff_lists_grids_with_counts(
    client: Client, community_staff: User, city: SmallCity
) -> None:
    # given
    client.force_login(community_staff)
    # when
    response = client.get(reverse("registry:area_tree"))
    # then: both grids under the community, each with its 3 people
    rows = response.context["roots"][0]["children"]
    assert {row["area"].pk: row["people"] for row in rows} == {
        city.grid_a.pk: 3,
        city.grid_b.pk: 3,
    }
    assert city.grid_b.name in _html(response)


def test_area_detail_shows_children_and_breadcrumbs(
    client: Client, command_staff: User, city: SmallCity
) -> None:
    # given
    client.force_login(command_staff)
    # when
    response = client.get(reverse("registry:area_detail", args=[city.street.pk]))
    # then
    html = _html(response)
    assert response.status_code == 200
    assert city.community.name in html
    assert [a.pk for a in response.context["breadcrumbs"]] == [
        city.city.pk,
        city.district.pk,
        city.street.pk,
    ]


def test_area_detail_of_a_grid_redirects_to_the_grid_page(
    client_a: Client, city: SmallCity
) -> None:
    response = client_a.get(reverse("registry:area_detail", args=[city.grid_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:grid", args=[city.grid_a.pk])


def test_grid_page_lists_only_grid_a_people_with_masked_phones(
    client_a: Client, city: SmallCity
) -> None:
    # when
    response = client_a.get(reverse("registry:grid", args=[city.grid_a.pk]))
    # then
    html = _html(response)
    assert response.status_code == 200
    for person in city.people_a:
        assert person.name in html
        assert person.phone not in html
        assert person.phone_masked in html
    for person in city.people_b:
        assert person.name not in html
    assert {p.pk for p in response.context["people_page"]} == {p.pk for p in city.people_a}


def test_grid_vulnerable_fragment_filters_by_kind(client_a: Client, city: SmallCity) -> None:
    # given: a bedridden person besides the elderly one of the fixture
    household = make_household(grid=city.grid_a, unit_no="999")
    bedridden = make_person(household=household, name="卧床老人", vulnerabilities=("bedridden",))
    url = reverse("registry:grid_vulnerable", args=[city.grid_a.pk])
    # when
    response = client_a.get(url, {"kind": "bedridden"}, **HTMX)
    # then: only the fragment, only that kind, and the address bar keeps the filter
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert bedridden.name in html
    assert city.people_a[0].name not in html
    assert "kind=bedridden" in response["HX-Push-Url"]


def test_grid_page_query_count_does_not_grow_with_people(
    client_a: Client, city: SmallCity, django_assert_max_num_queries: Any
) -> None:
    # given: the query count of the small grid, then 60 more households with a vulnerable
    # member each in grid A
    url = reverse("registry:grid", args=[city.grid_a.pk])
    client_a.get(url)  # the process's copies of the area and the scope are now filled
    with CaptureQueriesContext(connection) as small:
        client_a.get(url)
    for i in range(60):
        household = make_household(grid=city.grid_a, unit_no=f"2{i:03d}")
        make_person(household=household, name=f"新居民{i}", vulnerabilities=("disabled",))
    # when / then: the same, small number of queries, whatever the grid's size
    with django_assert_max_num_queries(GRID_PAGE_MAX_QUERIES) as large:
        response = client_a.get(url)
    assert response.status_code == 200
    assert len(response.context["household_page"].object_list) == GRID_PAGE_SIZE
    assert len(large.captured_queries) == len(small.captured_queries)


def test_household_and_person_pages_mask_phone_and_id_number(
    client_a: Client, city: SmallCity
) -> None:
    # given
    person = city.people_a[0]
    household = person.household
    # when
    person_html = _html(client_a.get(reverse("registry:person", args=[person.pk])))
    household_html = _html(client_a.get(reverse("registry:household", args=[household.pk])))
    # then
    assert person.phone_masked in person_html and person.phone not in person_html
    assert person.id_number_masked in person_html
    assert "独居" in person_html  # the vulnerability note
    assert household.phone_masked in household_html and household.phone not in household_html
    assert person.name in household_html


def test_search_finds_by_name_prefix_in_scope_only(client_a: Client, city: SmallCity) -> None:
    # when: "第" starts the names of the residents of both grids
    response = client_a.get(reverse("registry:search"), {"q": "第"})
    # then
    found = {p.pk for p in response.context["results_page"]}
    assert found == {p.pk for p in city.people_a}
    assert city.people_a[0].phone not in _html(response)


def test_search_by_phone_finds_the_person_and_never_echoes_the_full_number(
    client_a: Client, city: SmallCity
) -> None:
    # given
    person = city.people_a[1]
    # when
    response = client_a.get(reverse("registry:search"), {"q": person.phone})
    # then
    assert [p.pk for p in response.context["results_page"]] == [person.pk]
    assert person.phone_masked in _html(response)
    assert person.phone not in _html(response)


def test_search_by_full_id_number_finds_exactly_that_person(
    client_a: Client, city: SmallCity
) -> None:
    # given
    number = make_id_number(serial=555)
    person = make_person(household=city.people_a[0].household, id_number=number)
    # when (a full ID number is posted, never put in a URL)
    response = client_a.post(reverse("registry:search"), {"id_number": number})
    # then
    assert [p.pk for p in response.context["results_page"]] == [person.pk]
    assert number not in _html(response)
    assert person.id_number_masked in _html(response)


def test_search_cannot_find_grid_b_person_by_phone(client_a: Client, city: SmallCity) -> None:
    response = client_a.get(reverse("registry:search"), {"q": city.people_b[0].phone})
    assert list(response.context["results_page"]) == []


# --- scope: grid B is invisible to grid worker A ------------------------------------------


@pytest.mark.parametrize(
    "name,target",
    [
        ("registry:grid", lambda c: c.grid_b.pk),
        ("registry:area_detail", lambda c: c.grid_b.pk),
        ("registry:household", lambda c: c.people_b[0].household_id),
        ("registry:person", lambda c: c.people_b[0].pk),
        ("registry:grid_vulnerable", lambda c: c.grid_b.pk),
    ],
)
def test_grid_worker_a_gets_404_on_grid_b_pages(
    client_a: Client, city: SmallCity, name: str, target: Any
) -> None:
    response = client_a.get(reverse(name, args=[target(city)]))
    assert response.status_code == 404
    assert city.people_b[0].name not in _html(response)


def test_grid_worker_a_cannot_reveal_grid_b_phone(client_a: Client, city: SmallCity) -> None:
    # given
    person = city.people_b[0]
    url = reverse("registry:person_reveal", args=[person.pk])
    # when
    response = client_a.post(url, {"field": "phone", "purpose": "回访"}, **HTMX)
    # then
    assert response.status_code == 404
    assert person.phone not in _html(response)
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()


def test_page_of_a_missing_object_is_404_not_500(client_a: Client) -> None:
    response = client_a.get(reverse("registry:person", args=[987654]))
    assert response.status_code == 404


def test_outsider_sees_empty_tree_and_empty_search(
    client: Client, outsider: User, city: SmallCity
) -> None:
    # given
    client.force_login(outsider)
    # when
    tree = client.get(reverse("registry:area_tree"))
    search = client.get(reverse("registry:search"), {"q": "第"})
    # then
    assert tree.status_code == 200 and tree.context["roots"] == []
    assert city.grid_a.name not in _html(tree)
    assert search.status_code == 200
    assert list(search.context["results_page"]) == []


def test_anonymous_user_is_sent_to_login(client: Client, city: SmallCity) -> None:
    response = client.get(reverse("registry:grid", args=[city.grid_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


# --- the audited reveal ------------------------------------------------------------------


def test_reveal_without_purpose_shows_inline_error_and_writes_no_audit(
    client_a: Client, city: SmallCity
) -> None:
    # given
    person = city.people_a[0]
    url = reverse("registry:person_reveal", args=[person.pk])
    # when
    response = client_a.post(url, {"field": "phone", "purpose": " "}, **HTMX)
    # then: the fragment comes back with the error, in Chinese by default
    html = _html(response)
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "<html" not in html
    assert person.phone not in html
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()


def test_reveal_error_is_in_english_after_switching(client_a: Client, city: SmallCity) -> None:
    # given
    client_a.post(reverse("set_language"), {"language": "en", "next": "/"})
    url = reverse("registry:person_reveal", args=[city.people_a[0].pk])
    # when
    response = client_a.post(url, {"field": "phone", "purpose": ""}, **HTMX)
    # then
    assert "Say in a few words why you need to see this." in _html(response)


def test_reveal_with_purpose_returns_full_phone_and_audits_once(
    client_a: Client, city: SmallCity, grid_worker_a: User
) -> None:
    # given
    person = city.people_a[0]
    url = reverse("registry:person_reveal", args=[person.pk])
    # when
    response = client_a.post(url, {"field": "phone", "purpose": "送药上门前电话确认"}, **HTMX)
    # then
    assert response.status_code == 200
    assert person.phone in _html(response)
    assert "no-store" in response["Cache-Control"]
    records = list(AuditRecord.objects.filter(action="sensitive.reveal"))
    assert len(records) == 1
    record = records[0]
    assert record.actor_id == grid_worker_a.pk
    assert record.object_id == str(person.pk)
    assert list(record.fields) == ["phone"]
    assert person.phone not in str(record.__dict__)


def test_reveal_of_id_number_returns_the_decrypted_number(
    client_a: Client, city: SmallCity
) -> None:
    # given
    number = make_id_number(serial=777)
    person = make_person(household=city.people_a[0].household, id_number=number)
    url = reverse("registry:person_reveal", args=[person.pk])
    # when
    response = client_a.post(url, {"field": "id_number", "purpose": "核对身份"}, **HTMX)
    # then
    assert number in _html(response)
    assert person.id_number_masked != number


def test_reveal_without_javascript_renders_a_full_page(client_a: Client, city: SmallCity) -> None:
    household = city.people_a[0].household
    url = reverse("registry:household_reveal", args=[household.pk])
    response = client_a.post(url, {"field": "phone", "purpose": "燃气充值联系"})
    assert response.status_code == 200
    assert "<html" in _html(response)
    assert household.phone in _html(response)


def test_reveal_of_an_unknown_field_is_400(client_a: Client, city: SmallCity) -> None:
    url = reverse("registry:person_reveal", args=[city.people_a[0].pk])
    response = client_a.post(url, {"field": "name", "purpose": "看看"})
    assert response.status_code == 400
    assert not AuditRecord.objects.filter(action="sensitive.reveal").exists()


def test_reveal_refuses_get(client_a: Client, city: SmallCity) -> None:
    url = reverse("registry:person_reveal", args=[city.people_a[0].pk])
    assert client_a.get(url, {"field": "phone"}).status_code == 405
