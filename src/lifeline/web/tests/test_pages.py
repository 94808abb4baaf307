"""The page kit's form page and error text: one shape for every create and edit page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from lifeline.core.errors import Conflict, ServiceError
from lifeline.web.errors import error_text
from lifeline.web.pages import form_page


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)
    area = forms.IntegerField(required=False)


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/x/", data or {}) if method == "POST" else factory.get("/x/")
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _shown(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    response = HttpResponse(template, status=status)
    response.context = context  # type: ignore[attr-defined]
    return response


def _page(request: HttpRequest, save: Any, **more: Any) -> HttpResponse:
    return form_page(
        request,
        form_class=NameForm,
        template="t.html",
        save=save,
        success_url=lambda saved: f"/done/{saved}/",
        success_message="Saved.",
        aliases={"area_id": "area"},
        render=_shown,
        **more,
    )


def test_get_shows_the_form_with_its_initial_values_and_the_context() -> None:
    response = _page(
        _request("GET"), save=lambda c: 1, initial=lambda: {"name": "a"}, context={"x": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {"name": "a"}  # type: ignore[attr-defined]
    assert response.context["x"] == 1  # type: ignore[attr-defined]
    assert not response.context["form"].is_bound  # type: ignore[attr-defined]


def test_a_valid_post_saves_sets_the_message_and_redirects() -> None:
    request = _request("POST", {"name": "ok"})
    saved: list[dict[str, Any]] = []
    response = _page(request, save=lambda c: saved.append(c) or 7)
    assert (response.status_code, response["Location"]) == (302, "/done/7/")
    assert saved[0]["name"] == "ok"
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_an_invalid_post_or_an_error_found_before_the_form_is_shown_again_with_400() -> None:
    nothing: list[Any] = []
    invalid = _page(_request("POST", {"name": ""}), save=nothing.append)
    before = _page(
        _request("POST", {"name": "ok"}),
        save=nothing.append,
        field_errors={"name": ["Line 1 unknown."]},
    )
    assert (invalid.status_code, before.status_code) == (400, 400)
    assert before.context["form"].errors["name"] == ["Line 1 unknown."]  # type: ignore[attr-defined]
    assert nothing == []


def test_a_refusal_comes_back_on_the_fields_with_its_status() -> None:
    def refuse(cleaned: dict[str, Any]) -> None:
        raise Conflict("Taken.", fields={"area_id": ["Not yours."], "other": ["Elsewhere."]})

    response = _page(_request("POST", {"name": "ok"}), save=refuse)
    form = response.context["form"]  # type: ignore[attr-defined]
    assert response.status_code == 409
    assert form.errors["area"] == ["Not yours."]
    assert form.non_field_errors() == ["Elsewhere.", "Taken."]


def test_error_text_names_the_fields_unless_asked_not_to() -> None:
    error = ServiceError("Please correct.", fields={"when": ["Not a time."]})
    assert error_text(error) == "Please correct. when: Not a time."
    assert error_text(error, field_names=False) == "Please correct. Not a time."
