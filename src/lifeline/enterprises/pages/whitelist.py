"""The liaison's further pages on one enterprise: its whitelist status changed with a
reason (what that means for its passes said on the page), a supply need filed for a loop,
and a member kept by name linked to their registry resident."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError
from lifeline.enterprises import services
from lifeline.enterprises.pages import forms
from lifeline.enterprises.pages.liaison import _form, _managed, _page
from lifeline.enterprises.services.lifecycle import ACTIONS, FROM
from lifeline.registry.selectors import person_matching, person_search
from lifeline.web.errors import renders_service_errors


def _notes() -> list[str]:
    return [
        _(
            "Suspending or closing stops every vehicle pass of the enterprise's loops: "
            "issued passes are revoked and pending applications refused."
        ),
        _(
            "Reopening lets work resume but does not give back revoked passes: apply "
            "again for each vehicle, and the district decides."
        ),
        _("Closing takes the enterprise off the whitelist for good."),
        _("The contact is texted, and the change is recorded with its reason."),
    ]


@login_required
@renders_service_errors
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)
    actions = [a for a in ACTIONS if enterprise.status in FROM[a]]

    def save(data: dict[str, Any]) -> Any:
        return services.enterprise_status_change(actor=request.user, enterprise=enterprise, **data)

    return _form(
        request,
        forms.StatusForm,
        save,
        title=_("Change the whitelist status of %(name)s") % {"name": enterprise.name},
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The status is changed; the contact is told."),
        kwargs={"actions": actions},
        notes=_notes(),
    )


@login_required
@renders_service_errors
def need_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.supply_need_raise(actor=request.user, **data)

    return _form(
        request,
        forms.NeedForm,
        save,
        title=_("File a supply need for %(name)s") % {"name": enterprise.name},
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The need is filed with the supplies desk."),
        kwargs={"enterprise": enterprise},
    )


@login_required
@renders_service_errors
def staff_link(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)
    actor = request.user

    def save(data: dict[str, Any]) -> Any:
        staff = data["staff"]
        if not data["query"]:
            # the member's own name and phone, which the loop already keeps
            person = person_matching(name=staff.name, phone=staff.phone)
            if person is None:
                message = _(
                    "Nobody in the registry has the name and phone kept for this member: "
                    "search for them instead."
                )
                raise ServiceError(message, fields={"query": [message]})
            return services.staff_link(actor=actor, staff=staff, person=person)
        found = list(person_search(actor=actor, q=data["query"])[:2])
        if len(found) != 1:
            message = (
                _("Nobody in your registry area matches.")
                if not found
                else _("Several people match: give the whole phone number.")
            )
            raise ServiceError(message, fields={"query": [message]})
        return services.staff_link(actor=actor, staff=staff, person=found[0])

    return _form(
        request,
        forms.LinkForm,
        save,
        title=_("Link a staff member to the registry"),
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The staff member is linked; their tests count from now on."),
        kwargs={"enterprise": enterprise},
        notes=[
            _(
                "Leave the search empty to find the member by the name and phone the loop "
                "keeps (the whole city). A search looks within your own registry area. "
                "Only one match is linked, and names stay masked."
            )
        ],
    )


urlpatterns = [
    path("<int:pk>/status/", status_change, name="status_change"),
    path("<int:pk>/needs/new/", need_new, name="need_new"),
    path("<int:pk>/staff/link/", staff_link, name="staff_link"),
]
