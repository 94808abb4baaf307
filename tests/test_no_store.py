"""Nothing with personal data is stored by a browser or a proxy: ``Cache-Control: no-store``
on every response to a signed-in user, under /api/ and /open311/, on the resident pages and
the reveal endpoints, while static files stay cacheable."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse

from lifeline.accounts.services import token_create
from lifeline.core.nostore import carries_personal_data

HTMX = {"HTTP_HX_REQUEST": "true"}


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_person_household_and_search_pages_are_not_stored(city, grid_worker_a):
    # given a signed-in grid worker and a person of their grid
    person = city.people_a[0]
    client = _client(grid_worker_a)

    # when they open the person, the household and a search
    responses = [
        client.get(reverse("registry:person", args=[person.pk])),
        client.get(reverse("registry:household", args=[person.household_id])),
        client.get(reverse("registry:search"), {"q": person.name}),
    ]

    # then each page is served, and none may be stored
    for response in responses:
        assert response.status_code == 200
        assert _no_store(response), response.request["PATH_INFO"]
        assert "private" in response["Cache-Control"]


def test_a_reveal_is_not_stored_whether_it_succeeds_or_is_refused(city, grid_worker_a):
    person = city.people_a[0]
    url = reverse("registry:person_reveal", args=[person.pk])
    client = _client(grid_worker_a)
    asked = {"field": "phone", "reason": "care", "purpose": "送药上门前电话确认"}
    shown = client.post(url, asked, **HTMX)
    refused = client.post(url, {**asked, "purpose": ""}, **HTMX)
    assert (shown.status_code, refused.status_code) == (200, 400)
    assert _no_store(shown) and _no_store(refused)


def test_an_api_person_is_not_stored_with_a_token_or_a_session(city, grid_worker_a):
    # given a person, read over the API with a bearer token (no session) and with a session
    person = city.people_a[0]
    _token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    url = f"/api/v1/people/{person.pk}"
    by_token = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {plain}")
    by_session = _client(grid_worker_a).get(url)

    # then both answers carry the person and neither may be stored
    assert by_token.status_code == by_session.status_code == 200, by_token.content[:200]
    assert by_token.json()["id"] == person.pk
    assert _no_store(by_token) and _no_store(by_session)


def test_anonymous_api_open311_and_resident_answers_are_not_stored(db):
    client = Client()
    for url in ("/api/v1/people", "/open311/v2/services.json", "/r/", "/health/r/access/"):
        response = client.get(url)
        assert response.status_code < 500, url
        assert _no_store(response), url


def test_static_files_and_anonymous_pages_without_personal_data_are_left_alone(db):
    from django.contrib.auth.models import AnonymousUser

    for path in ("/static/web/lifeline.css", "/login/"):
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        assert not carries_personal_data(request), path


def test_static_files_stay_cacheable_even_for_a_signed_in_user(city, grid_worker_a):
    request = RequestFactory().get("/static/web/lifeline.css")
    request.user = grid_worker_a
    assert not carries_personal_data(request)
    request = RequestFactory().get("/areas/")
    request.user = grid_worker_a
    assert carries_personal_data(request)
