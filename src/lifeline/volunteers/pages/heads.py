"""The coordinator names the building a volunteer heads (楼栋长): a choice of the buildings
of the area the volunteer serves, each named with its community and grid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.errors import NotFound
from lifeline.registry import selectors as registry_selectors
from lifeline.volunteers import selectors, services
from lifeline.volunteers.models import Volunteer
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page

NO_BUILDING = ""


def _name(area: Any) -> str:
    english = getattr(area, "name_en", "")
    return english if english and (get_language() or "").startswith("en") else area.name


def building_choices(volunteer: Volunteer) -> list[tuple[str, str]]:
    """("", none) then each building as "community · grid · building (address)"."""
    choices = [(NO_BUILDING, str(_("No building")))]
    for b in registry_selectors.buildings_public(area_path=volunteer.area_path)[:2000]:
        grid = b.grid
        parts = [_name(grid.parent)] if grid.parent else []
        label = " · ".join([*parts, _name(grid), b.name])
        choices.append((str(b.pk), f"{label} ({b.address})" if b.address else label))
    return choices


class BuildingForm(forms.Form):
    building = forms.ChoiceField(label=gettext_lazy("Building head of"), required=False)

    def __init__(self, *args: Any, volunteer: Volunteer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = building_choices(volunteer)


@login_required
@renders_service_errors
def volunteer_building(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    volunteer = selectors.volunteer_get(actor=actor, pk=pk)
    if not can(actor, Perm.VOLUNTEERS_MANAGE, path=volunteer.area_path):
        raise NotFound()

    def save(data: dict[str, Any]) -> Volunteer:
        chosen = data.get("building") or NO_BUILDING
        return services.volunteer_building_set(
            actor=actor, volunteer=volunteer, building_id=int(chosen) if chosen else None
        )

    return form_page(
        request,
        form_class=BuildingForm,
        form_kwargs={"volunteer": volunteer},
        initial={"building": str(volunteer.building_id or NO_BUILDING)},
        template="volunteers/form.html",
        save=save,
        success_url=reverse("volunteers:home"),
        success_message=_("The building head is set."),
        context={
            "title": _("Building head: %(name)s") % {"name": volunteer.name},
            "help": _(
                "The building's head sees its supply orders to deliver and the neighbours "
                "to check on, masked, on their task sheet."
            ),
        },
    )


urlpatterns = [
    path("people/<int:pk>/building/", volunteer_building, name="volunteer_building"),
]
