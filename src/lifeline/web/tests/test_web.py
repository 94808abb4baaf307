"""Base layout, login/logout, language switch and the friendly error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from lifeline.accounts.models import Role, User
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.testing.factories import SmallCity, make_user
from lifeline.web.errors import renders_service_errors

STATIC = Path(__file__).resolve().parents[1] / "static" / "web"


def test_login_page_is_in_chinese_by_default(client: Client, db: None) -> None:
    response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录" in html
    assert 'lang="zh-hans"' in html


def test_grid_worker_logs_in_and_lands_on_their_grid_s_dashboard(
    client: Client, grid_worker_a: User, city: SmallCity
) -> None:
    # when
    response = client.post(
        reverse("web:login"), {"username": "grid_a", "password": "pass-word-123"}, follow=True
    )
    # then
    assert response.redirect_chain[-1][0] == reverse("command:area", args=[city.grid_a.pk])
    assert city.grid_a.name in response.content.decode()


def test_wrong_password_shows_an_error_and_stays_logged_out(
    client: Client, grid_worker_a: User
) -> None:
    response = client.post(reverse("web:login"), {"username": "grid_a", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logout_needs_a_post(client: Client, grid_worker_a: User) -> None:
    # given
    client.force_login(grid_worker_a)
    # when: a GET (a link, an image on another site) does nothing
    assert client.get(reverse("web:logout")).status_code == 405
    assert SESSION_KEY in client.session
    # when: the form's POST logs out
    response = client.post(reverse("web:logout"))
    # then
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_base_layout_has_csrf_meta_htmx_user_and_roles(
    client: Client, grid_worker_a: User, city: SmallCity
) -> None:
    # given
    client.force_login(grid_worker_a)
    # when
    html = client.get(reverse("registry:area_tree")).content.decode()
    # then
    assert '<meta name="csrf-token" content="' in html
    assert "X-CSRFToken" in html
    assert "/static/web/htmx.min.js" in html
    assert "grid_a" in html
    assert "网格员" in html  # the role, in Chinese
    assert reverse("registry:search") in html
    assert reverse("set_language") in html


def test_vendored_htmx_is_version_2_and_no_cdn_is_referenced() -> None:
    htmx = (STATIC / "htmx.min.js").read_text(encoding="utf-8")
    assert 'version:"2.' in htmx
    templates = Path(__file__).resolve().parents[2]
    for template in templates.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "cdn." not in text, template


def test_english_switch_renders_english_strings(
    client: Client, grid_worker_a: User, city: SmallCity
) -> None:
    # given
    client.force_login(grid_worker_a)
    grid_url = reverse("registry:grid", args=[city.grid_a.pk])
    assert "特殊人群" in client.get(grid_url).content.decode()
    # when
    response = client.post(
        reverse("set_language"), {"language": "en", "next": grid_url}, follow=True
    )
    # then
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Vulnerable residents" in html
    assert "Elderly, living alone" in html
    assert "Grid worker" in html
    assert "特殊人群" not in html


@pytest.mark.parametrize(
    "error,status",
    [
        (NotFound(), 404),
        (PermissionDenied(), 403),
        (ServiceError("bad", fields={"x": ["wrong"]}), 400),
        (Conflict("changed"), 409),
    ],
)
def test_service_errors_become_pages_with_their_status(
    rf: RequestFactory, db: None, error: ServiceError, status: int
) -> None:
    # given
    @renders_service_errors
    def view(request: object) -> None:
        raise error

    request = rf.get("/")
    request.user = User()  # anonymous-like: the page must still render
    # when
    response = view(request)
    # then
    assert response.status_code == status
    assert 'role="alert"' in response.content.decode()


def test_htmx_request_gets_an_error_fragment_not_a_page(rf: RequestFactory, db: None) -> None:
    @renders_service_errors
    def view(request: object) -> None:
        raise NotFound()

    request = rf.get("/", HTTP_HX_REQUEST="true")
    request.user = User()
    with translation.override("zh-hans"):
        response = view(request)
    html = response.content.decode()
    assert response.status_code == 404
    assert "<html" not in html
    assert "未找到" in html


def test_unknown_url_is_a_friendly_404(client: Client, grid_worker_a: User) -> None:
    client.force_login(grid_worker_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "返回区域树" in response.content.decode()


def test_a_lab_lands_on_testing_and_gets_no_people_search(client: Client, city: SmallCity) -> None:
    # given a lab, which sees tubes and results but no one in the registry
    make_user("lab_city", role=Role.LAB, area=city.city)
    # when it logs in
    response = client.post(
        reverse("web:login"), {"username": "lab_city", "password": "pass-word-123"}, follow=True
    )
    # then it lands on testing, and the top bar offers neither areas nor a people search
    assert response.redirect_chain[-1][0] == reverse("screening:home")
    html = response.content.decode()
    assert 'class="searchbox"' not in html
    assert f'href="{reverse("registry:area_tree")}"' not in html


def test_a_labs_testing_home_offers_no_lists_of_people(client: Client, city: SmallCity) -> None:
    lab = make_user("lab_home", role=Role.LAB, area=city.city)
    client.force_login(lab)
    html = client.get(reverse("screening:home")).content.decode()
    assert reverse("screening:review") in html
    assert "not_tested_today" not in html and 'class="empty"' not in html
