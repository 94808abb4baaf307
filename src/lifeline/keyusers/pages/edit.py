"""Changing the register from the pages: a key user's protection plan and supply points,
and the buildings a supply point serves (chosen among the buildings of its area).

A key user's contact phone is never put back in the form (it stays masked): an empty
field keeps it. A person at home keeps the name, address and kind they were registered
with here, so the form never shows them in full.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.keyusers import selectors, services
from lifeline.keyusers.models import KeyUser, PointKind, SupplyPoint, UtilityKind
from lifeline.keyusers.pages.interruptions import PointsField
from lifeline.keyusers.pages.register import KeyUserForm, register_areas, require_view
from lifeline.registry.models import Area, Unit
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import apply_service_error, form_page
from lifeline.web.templatetags.lifeline_web import local_name

PRIVATE_FIELDS = ("name", "kind", "address")


class KeyUserEditForm(KeyUserForm):
    supply_points = PointsField(
        queryset=SupplyPoint.objects.none(),
        label=gettext_lazy("Supply points"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Any, key_user: KeyUser, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        del self.fields["area"]
        phone = self.fields["contact_phone"]
        phone.required = False
        phone.help_text = _("Leave empty to keep %(phone)s.") % {
            "phone": mask_phone(key_user.contact_phone)
        }
        if key_user.is_private:
            for name in PRIVATE_FIELDS:
                del self.fields[name]


def _initial(key_user: KeyUser) -> dict[str, Any]:
    return {
        "name": key_user.name,
        "kind": key_user.kind,
        "address": key_user.address,
        "backup_source": key_user.backup_source,
        "contact_name": key_user.contact_name,
        "response_minutes": key_user.response_minutes,
        "special_plan": key_user.special_plan,
        "supply_points": list(key_user.supply_points.values_list("pk", flat=True)),
    }


@login_required
@renders_service_errors
def key_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    actor = request.user
    key_user = selectors.keyuser_get(actor=actor, pk=pk)
    if not can(actor, Perm.CONTINUITY_KEY_USERS, path=key_user.area_path):
        raise NotFound()

    def save(data: dict[str, Any]) -> KeyUser:
        changes = dict(data)
        points = changes.pop("supply_points")
        if not changes.get("contact_phone"):
            changes.pop("contact_phone", None)
        return services.keyuser_update(
            actor=actor, key_user=key_user, supply_points=points, **changes
        )

    return form_page(
        request,
        form_class=KeyUserEditForm,
        form_kwargs={"actor": actor, "key_user": key_user},
        initial=lambda: _initial(key_user),
        template="keyusers/form.html",
        save=save,
        success_url=reverse("keyusers:key_user", args=[key_user.pk]),
        success_message=_("The protection plan is saved."),
        context=lambda: {
            "title": _("Edit the protection plan of %(name)s")
            % {"name": selectors.keyuser_row(key_user)["name"]}
        },
    )


@login_required
@renders_service_errors
def supply_points(request: HttpRequest) -> HttpResponse:
    require_view(request)
    actor = request.user
    points = selectors.supply_point_list(actor=actor).order_by("code")
    context = {
        "points": points[:500],
        "total": points.count(),
        "may_link": can_anywhere(actor, Perm.CONTINUITY_KEY_USERS),
    }
    return render(request, "keyusers/supply_points.html", context)


class LinkForm(forms.Form):
    buildings = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), label=gettext_lazy("Buildings"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buildings"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(b.pk, f"{b.name} · {b.address}") for b in choices]


def _point_page(
    request: HttpRequest,
    point: SupplyPoint,
    add: LinkForm,
    remove: LinkForm,
    q: str,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    context = {
        "error": error,
        "point": point,
        "add": add,
        "remove": remove,
        "q": q,
        "linked": len(remove.fields["buildings"].choices),  # type: ignore[attr-defined]
        "may_link": can(
            request.user,
            Perm.CONTINUITY_KEY_USERS,
            path=point.area_path,
            unit_id=point.utility_id,
        ),
    }
    return render(request, "keyusers/supply_point.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def supply_point_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The buildings a supply point serves; those who may change it add buildings of its
    area (found by name or address) or remove linked ones."""
    require_view(request)
    actor = request.user
    point = selectors.supply_point_get(actor=actor, pk=pk)
    q = request.GET.get("q", "").strip()[:100]
    linked = selectors.supply_point_buildings(point=point)
    candidates = selectors.buildings_to_link(point=point, q=q)
    action = request.POST.get("action", "")
    posted = request.POST if request.method == "POST" else None
    add = LinkForm(posted if action == "add" else None, choices=candidates, prefix="add")
    remove = LinkForm(posted if action == "remove" else None, choices=linked, prefix="remove")
    if posted is None:
        return _point_page(request, point, add, remove, q)
    if action not in ("add", "remove"):
        return _point_page(request, point, add, remove, q, 400, _("Choose what to do."))
    form = add if action == "add" else remove
    if not form.is_valid():
        return _point_page(request, point, add, remove, q, 400)
    chosen = form.cleaned_data["buildings"]
    try:
        if action == "add":
            buildings = [b for b in candidates if b.pk in set(chosen)]
            services.building_supply_set(actor=actor, supply_point=point, buildings=buildings)
            done = _("%(n)s buildings added.") % {"n": len(buildings)}
        else:
            count = services.building_supply_unset(
                actor=actor, supply_point=point, building_ids=chosen
            )
            done = _("%(n)s buildings removed.") % {"n": count}
    except ServiceError as error:
        apply_service_error(form, error)
        return _point_page(request, point, add, remove, q, error.status)
    messages.success(request, done)
    return redirect("keyusers:supply_point", pk=point.pk)


class SupplyPointForm(forms.Form):
    code = forms.CharField(max_length=32, label=gettext_lazy("Code"))
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    kind = forms.ChoiceField(choices=PointKind.choices, label=gettext_lazy("Kind"))
    utility_kind = forms.ChoiceField(choices=UtilityKind.choices, label=gettext_lazy("Supply"))
    utility = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Utility"))
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=gettext_lazy("Area it serves")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        utility = self.fields["utility"]
        area = self.fields["area"]
        assert isinstance(utility, forms.ModelChoiceField)
        assert isinstance(area, forms.ModelChoiceField)
        # the utility companies of the city (public names); the service checks the grant
        utility.queryset = Unit.objects.filter(kind=Unit.Kind.UTILITY).order_by("name")
        area.queryset = register_areas(actor, grids=True)
        area.label_from_instance = local_name  # type: ignore[method-assign]


@login_required
@renders_service_errors
def supply_point_new(request: HttpRequest) -> HttpResponse:
    """A new feeder, station or main, for those who keep the key users of an area or a
    utility; its buildings are added on its page."""
    actor = request.user
    if not can_anywhere(actor, Perm.CONTINUITY_KEY_USERS):
        raise NotFound()
    return form_page(
        request,
        form_class=SupplyPointForm,
        form_kwargs={"actor": actor},
        template="keyusers/form.html",
        save=lambda data: services.supply_point_create(actor=actor, **data),
        success_url=lambda point: reverse("keyusers:supply_point", args=[point.pk]),
        success_message=_("The supply point is added: now add the buildings it serves."),
        context={"title": _("Add a supply point")},
    )


urlpatterns = [
    path("supply-points/new/", supply_point_new, name="supply_point_new"),
    path("<int:pk>/edit/", key_user_edit, name="key_user_edit"),
    path("supply-points/", supply_points, name="supply_points"),
    path("supply-points/<int:pk>/", supply_point_page, name="supply_point"),
]
