"""The key-users register: a searchable list (contacts masked, a person at home masked by
name and address), one key user's protection plan, and a form to register one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scope_for
from lifeline.core.errors import NotFound
from lifeline.keyusers import selectors, services
from lifeline.keyusers.models import SEE, KeyUserKind, SupplyPoint
from lifeline.registry.models import Area, AreaLevel
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page

PAGE_ROWS = 200


def require_view(request: HttpRequest) -> None:
    if not can_anywhere(request.user, SEE):
        raise NotFound()


@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    require_view(request)
    actor = request.user
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in KeyUserKind.values else ""
    found = selectors.keyuser_list(actor=actor, q=q, kind=kind)
    context = {
        "rows": [selectors.keyuser_row(k) for k in found[:PAGE_ROWS]],
        "total": found.count(),
        "q": q,
        "kind": kind,
        "kinds": KeyUserKind.choices,
        "may_register": can_anywhere(actor, Perm.CONTINUITY_KEY_USERS),
    }
    return render(request, "keyusers/home.html", context)


@login_required
@renders_service_errors
def key_user_page(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    key_user = selectors.keyuser_get(actor=request.user, pk=pk)
    context = {
        "key_user": key_user,
        "row": selectors.keyuser_row(key_user),
        "points": key_user.supply_points.select_related("utility").order_by("code"),
        "may_edit": can(request.user, Perm.CONTINUITY_KEY_USERS, path=key_user.area_path),
    }
    return render(request, "keyusers/key_user.html", context)


def register_areas(actor: Any, *, grids: bool = False) -> Any:
    """Districts, streets and communities (and grids, for a supply point) where the actor
    registers key users."""
    prefixes = scope_for(actor).grant(Perm.CONTINUITY_KEY_USERS).area_paths
    qs = Area.objects.none()
    for prefix in prefixes:
        qs = qs | Area.objects.filter(path__startswith=prefix)
    levels = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]
    if grids:
        levels.append(AreaLevel.GRID)
    return qs.filter(level__in=levels).order_by("path")


class KeyUserForm(forms.Form):
    name = forms.CharField(max_length=150, label=gettext_lazy("Name"))
    kind = forms.ChoiceField(choices=KeyUserKind.choices, label=gettext_lazy("Kind"))
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area"))
    address = forms.CharField(max_length=255, required=False, label=gettext_lazy("Address"))
    supply_points = forms.ModelMultipleChoiceField(
        queryset=SupplyPoint.objects.none(),
        label=gettext_lazy("Supply points"),
        widget=forms.CheckboxSelectMultiple,
    )
    backup_source = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Backup source")
    )
    contact_name = forms.CharField(max_length=50, label=gettext_lazy("Contact name"))
    contact_phone = forms.CharField(
        max_length=20,
        label=gettext_lazy("Contact phone"),
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    response_minutes = forms.IntegerField(initial=30, label=gettext_lazy("Response time (minutes)"))
    special_plan = forms.CharField(
        required=False,
        max_length=4000,
        label=gettext_lazy("Special plan"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        points = self.fields["supply_points"]
        assert isinstance(area, forms.ModelChoiceField)
        assert isinstance(points, forms.ModelMultipleChoiceField)
        area.queryset = register_areas(actor)
        points.queryset = selectors.supply_point_list(
            actor=actor, perm=Perm.CONTINUITY_KEY_USERS
        ).order_by("code")


@login_required
@renders_service_errors
def key_user_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can_anywhere(actor, Perm.CONTINUITY_KEY_USERS):
        raise NotFound()
    return form_page(
        request,
        form_class=KeyUserForm,
        form_kwargs={"actor": actor},
        template="keyusers/form.html",
        save=lambda data: services.keyuser_register(actor=actor, **data),
        success_url=lambda key_user: reverse("keyusers:key_user", args=[key_user.pk]),
        success_message=_("The key user is registered."),
        context={"title": _("Register a key user")},
    )


urlpatterns = [
    path("", home, name="home"),
    path("new/", key_user_new, name="key_user_new"),
    path("<int:pk>/", key_user_page, name="key_user"),
]
