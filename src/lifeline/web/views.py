"""Login, logout and the landing page; the registry's pages live in registry/views.py."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from lifeline.accounts.forms import LoginForm
from lifeline.web.main_nav import landing_url


class LoginView(auth_views.LoginView):
    # The form refuses locked accounts and addresses and counts failures (accounts.lockout).
    authentication_form = LoginForm
    template_name = "web/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # POST only: a link or an image on another page must not be able to log anyone out.
    logout(request)
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The first page of the signed-in user's work (a crew lands on its route, a lab on
    testing, a checkpoint on its verifier); the area tree, which says that no area is
    assigned, for anyone whose memberships open no page yet."""
    return redirect(landing_url(request.user))
