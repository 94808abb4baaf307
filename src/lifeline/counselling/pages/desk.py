"""The counsellor's desk: log a contact quickly, the callbacks queue (oldest first), going
on and off duty, and one contact's page (flag high-risk, refer)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.counselling import selectors, services
from lifeline.counselling.pages.forms import ContactForm, MissedCallForm, ReferralForm
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page

TAKE = (Perm.COUNSELLING_TAKE, Perm.COUNSELLING_SUPERVISE)


def _require_take(request: HttpRequest) -> None:
    if not can_anywhere(request.user, TAKE):
        raise NotFound()


@login_required
@renders_service_errors
def desk(request: HttpRequest) -> HttpResponse:
    """Log a contact (POST), and the queue and my duty beside the form."""
    _require_take(request)
    actor = request.user

    def save(data: dict[str, Any]) -> Any:
        return services.contact_log(actor=actor, **data)

    def context() -> dict[str, Any]:
        me = selectors.own_counsellor(actor=actor)
        now = clock.now()
        on_duty = me is not None and me.duty.filter(starts_at__lte=now, ends_at__gt=now).exists()
        return {
            "me": me,
            "on_duty": on_duty,
            "callbacks": selectors.callback_queue(actor=actor)[:100],
            "missed_form": MissedCallForm(actor=actor),
            "recent": selectors.contact_list(actor=actor).filter(taken_by_id=actor.pk)[:10],
            "may_supervise": can_anywhere(actor, Perm.COUNSELLING_SUPERVISE),
            "now": now,
        }

    return form_page(
        request,
        form_class=ContactForm,
        form_kwargs={"actor": actor},
        template="counselling/desk.html",
        save=save,
        success_url=reverse("counselling:desk"),
        success_message=_("The contact is logged."),
        context=context,
    )


@login_required
@require_POST
@renders_service_errors
def missed_call(request: HttpRequest) -> HttpResponse:
    _require_take(request)
    form = MissedCallForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, _("Give the line and the number of the missed call."))
        return redirect("counselling:desk")
    try:
        services.callback_request(
            actor=request.user, line=form.cleaned_data["line"], phone=form.cleaned_data["phone"]
        )
        messages.success(request, _("The caller is in the callbacks queue."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("counselling:desk")


@login_required
@require_POST
@renders_service_errors
def callback_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full number of one waiting callback, to dial it (audited)."""
    callback = selectors.callback_get(actor=request.user, pk=pk)
    phone = services.callback_reveal(actor=request.user, callback=callback, purpose="callback")
    return render(request, "counselling/reveal.html", {"callback": callback, "phone": phone})


@login_required
@require_POST
@renders_service_errors
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.callback_get(actor=request.user, pk=pk)
    try:
        services.callback_complete(
            actor=request.user, callback=callback, reached=request.POST.get("reached") == "yes"
        )
        messages.success(request, _("The callback is done; its number is erased."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("counselling:desk")


@login_required
@require_POST
@renders_service_errors
def duty(request: HttpRequest) -> HttpResponse:
    me = selectors.own_counsellor(actor=request.user)
    if me is None:
        raise NotFound()
    try:
        if request.POST.get("on") == "yes":
            services.counsellor_on_duty(
                actor=request.user, counsellor=me, hours=request.POST.get("hours", "4")[:3]
            )
            messages.success(request, _("You are on duty: callers see your number."))
        else:
            services.counsellor_off_duty(actor=request.user, counsellor=me)
            messages.success(request, _("You are off duty: your number is no longer shown."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("counselling:desk")


@login_required
@renders_service_errors
def contact_page(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    return form_page(
        request,
        form_class=ReferralForm,
        template="counselling/contact.html",
        save=lambda data: services.referral_make(actor=request.user, contact=contact, **data),
        success_url=reverse("counselling:contact", args=[contact.pk]),
        success_message=_("The referral is recorded."),
        context=lambda: {
            "contact": contact,
            "referrals": _with_states(selectors.referral_list(actor=request.user, contact=contact)),
            "may_supervise": can(request.user, Perm.COUNSELLING_SUPERVISE, unit_id=contact.line_id),
        },
    )


def _with_states(referrals: Any) -> list[tuple[Any, str]]:
    rows = list(referrals)
    states = selectors.referral_order_states(rows)
    return [(r, states.get(r.pk, "")) for r in rows]


@login_required
@require_POST
@renders_service_errors
def contact_flag(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    services.contact_flag_high_risk(actor=request.user, contact=contact)
    messages.success(request, _("Flagged high-risk: the supervisor is told now."))
    return redirect("counselling:contact", pk=contact.pk)


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("desk/missed/", missed_call, name="missed_call"),
    path("desk/duty/", duty, name="duty"),
    path("callbacks/<int:pk>/reveal/", callback_reveal, name="callback_reveal"),
    path("callbacks/<int:pk>/done/", callback_done, name="callback_done"),
    path("contacts/<int:pk>/", contact_page, name="contact"),
    path("contacts/<int:pk>/flag/", contact_flag, name="contact_flag"),
]
