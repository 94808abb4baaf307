"""Supplies pages: needs (list with filters and the raise-a-need form), one need, the
recurring needs with their days of cover, and the logistics group's allocation (run a
proposal, edit its lines, approve or discard)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Allocation,
    ForWhom,
    Item,
    MeasureUnit,
    NeedStatus,
    Priority,
    Warehouse,
)
from lifeline.supplies.selectors import needs as selectors
from lifeline.supplies.services import allocation as allocations
from lifeline.supplies.services import needs as services
from lifeline.supplies.services.allocation_model import FAIR_SHARE, KM_COST, MAX_KM
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page

View = Callable[..., HttpResponse]
PAGE = 50


def signed_in(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return login_required(renders_service_errors(wrapper))


class PhoneInput(forms.TextInput):
    """Never sends a full number back in a page: a form shown again after an error shows
    what was typed masked, and asks for it again."""

    input_type = "tel"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        if value:
            context["widget"]["attrs"]["placeholder"] = mask_phone(str(value))
        return context


def _units() -> list[tuple[str, Any]]:
    return [("", gettext_lazy("Base unit"))] + [
        (u.code, u.local_name) for u in MeasureUnit.objects.order_by("dimension", "factor")
    ]


class NeedForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area"))
    item = forms.ModelChoiceField(
        queryset=Item.objects.filter(active=True), label=gettext_lazy("Item")
    )
    quantity = forms.CharField(max_length=20, label=gettext_lazy("Quantity"))
    unit_code = forms.ChoiceField(required=False, label=gettext_lazy("Unit"))
    needed_by = forms.DateField(
        label=gettext_lazy("Needed by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        label=gettext_lazy("Priority"),
    )
    for_whom = forms.ChoiceField(choices=ForWhom.choices, label=gettext_lazy("For whom"))
    for_label = forms.CharField(max_length=150, required=False, label=gettext_lazy("For"))
    vulnerable = forms.BooleanField(required=False, label=gettext_lazy("For vulnerable people"))
    contact_name = forms.CharField(max_length=50, label=gettext_lazy("Contact person"))
    contact_phone = forms.CharField(
        max_length=30, label=gettext_lazy("Contact phone"), widget=PhoneInput
    )
    work_order = forms.CharField(
        max_length=20, required=False, label=gettext_lazy("Work order number")
    )
    note = forms.CharField(max_length=300, required=False, label=gettext_lazy("Note"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = selectors.need_areas(actor=actor)
        unit_field = self.fields["unit_code"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = _units()


def _work_order_id(actor: Any, number: str) -> int | None:
    number = (number or "").strip()
    if not number:
        return None
    from lifeline.workorders.selectors import workorder_list

    order = workorder_list(actor=actor).filter(number=number).first()
    if order is None:
        message = _("No such work order in your area.")
        raise ServiceError(message, fields={"work_order": [message]})
    return order.pk


@signed_in
def needs_page(request: HttpRequest) -> HttpResponse:
    """Needs the actor sees, filtered; the raise-a-need form for those who may."""
    actor = request.user
    may_raise = can_anywhere(actor, Perm.SUPPLIES_NEED)
    if request.method == "POST" and not may_raise:
        raise NotFound()
    status = request.GET.get("status", "open")
    status = status if status in (*NeedStatus.values, "all", "open") else "open"
    qs = selectors.need_list(
        actor=actor,
        open_only=status == "open",
        status="" if status in ("open", "all") else status,
    )
    item_code = (request.GET.get("item") or "")[:32]
    if item_code:
        qs = qs.filter(item__code=item_code)
    rows = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    for need in rows:
        need.phone_masked = mask_phone(need.contact_phone)  # type: ignore[attr-defined]

    def save(data: dict[str, Any]) -> Any:
        return services.need_create(
            actor=actor,
            area=data["area"],
            item=data["item"],
            quantity=data["quantity"],
            unit_code=data["unit_code"],
            needed_by=data["needed_by"],
            priority=data["priority"],
            for_whom=data["for_whom"],
            for_label=data["for_label"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            vulnerable=data["vulnerable"],
            work_order_id=_work_order_id(actor, data["work_order"]),
            note=data["note"],
        )

    return form_page(
        request,
        form_class=NeedForm,
        form_kwargs={"actor": actor},
        template="supplies/needs/list.html",
        save=save,
        success_url=lambda need: reverse("supplies:need", args=[need.pk]),
        success_message=_("The need was raised."),
        initial={
            "needed_by": clock.today() + dt.timedelta(days=1),
            "work_order": (request.GET.get("work_order") or "")[:20],
        },
        context=lambda: {
            "rows": rows,
            "status": status,
            "item_code": item_code,
            "items": Item.objects.filter(active=True),
            "statuses": NeedStatus.choices,
            "may_raise": may_raise,
            "may_allocate": selectors.may_allocate(actor),
        },
        aliases={"unit": "unit_code", "household": "area", "building": "area"},
    )


@signed_in
def need_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    need = selectors.need_get(actor=actor, pk=pk)
    if request.method == "POST":
        try:
            services.need_cancel(actor=actor, need=need, reason=request.POST.get("reason", ""))
        except ServiceError as error:
            messages.error(request, error_text(error, field_names=False))
        else:
            messages.success(request, _("The need was cancelled."))
        return redirect("supplies:need", pk=need.pk)
    lines = scoped(Allocation.objects.filter(need=need), actor).select_related(
        "lot__warehouse", "shipment", "run"
    )
    context = {
        "need": need,
        "phone": mask_phone(need.contact_phone),
        "lines": [a for a in lines if a.run.status == "approved"],
        "may_cancel": need.status in services.OPEN
        and can(actor, Perm.SUPPLIES_NEED, path=need.area_path),
    }
    return render(request, "supplies/needs/detail.html", context)


class RecurringForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area"))
    label = forms.CharField(max_length=150, label=gettext_lazy("For"))
    people = forms.IntegerField(
        min_value=1, max_value=1_000_000, required=False, label=gettext_lazy("People fed")
    )
    item = forms.ModelChoiceField(
        queryset=Item.objects.filter(active=True), label=gettext_lazy("Item")
    )
    per_day = forms.CharField(max_length=20, label=gettext_lazy("Per day"))
    unit_code = forms.ChoiceField(required=False, label=gettext_lazy("Unit"))
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), required=False, label=gettext_lazy("Stock point")
    )
    alert_below_days = forms.DecimalField(
        min_value=0.1, max_value=365, initial=2, label=gettext_lazy("Alert below (days of cover)")
    )
    contact_name = forms.CharField(max_length=50, label=gettext_lazy("Contact person"))
    contact_phone = forms.CharField(
        max_length=30, label=gettext_lazy("Contact phone"), widget=PhoneInput
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("area", selectors.need_areas(actor=actor)),
            ("warehouse", selectors.recurring_warehouses(actor=actor)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs
        unit_field = self.fields["unit_code"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = _units()


@signed_in
def recurring_page(request: HttpRequest) -> HttpResponse:
    """Recurring needs with their days of cover, those below the threshold in red."""
    actor = request.user
    may_raise = can_anywhere(actor, Perm.SUPPLIES_NEED)
    if request.method == "POST" and not may_raise:
        raise NotFound()

    def save(data: dict[str, Any]) -> Any:
        return services.recurring_create(
            actor=actor,
            area=data["area"],
            label=data["label"],
            people=data["people"],
            item=data["item"],
            per_day=data["per_day"],
            unit_code=data["unit_code"],
            warehouse=data["warehouse"],
            alert_below_days=data["alert_below_days"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )

    return form_page(
        request,
        form_class=RecurringForm,
        form_kwargs={"actor": actor},
        template="supplies/needs/recurring.html",
        save=save,
        success_url=reverse("supplies:recurring"),
        success_message=_("The recurring need was added."),
        context=lambda: {
            "covers": selectors.recurring_cover(actor=actor),
            "may_raise": may_raise,
            "may_allocate": selectors.may_allocate(actor),
        },
        aliases={"unit": "unit_code"},
    )


class ProposeForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Run by"))
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, label=gettext_lazy("Needs in")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(
            pk__in=[u.pk for u in selectors.allocating_units(actor=actor)]
        )
        unit_field.empty_label = None
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = scoped(
            Area.objects.filter(level__in=("district", "street", "community")),
            actor,
            Perm.SUPPLIES_VIEW,
        )
        area_field.empty_label = _("All I see")


def _objective() -> dict[str, Any]:
    return {"fair_percent": int(FAIR_SHARE * 100), "max_km": MAX_KM, "km_cost": KM_COST}


@signed_in
def allocation_page(request: HttpRequest) -> HttpResponse:
    """The logistics group's allocation: run a proposal; the recent runs."""
    actor = request.user
    if not selectors.may_allocate(actor):
        raise NotFound()

    def save(data: dict[str, Any]) -> Any:
        return allocations.allocation_propose(actor=actor, unit=data["unit"], area=data["area"])

    return form_page(
        request,
        form_class=ProposeForm,
        form_kwargs={"actor": actor},
        template="supplies/needs/allocation.html",
        save=save,
        success_url=lambda run: reverse("supplies:allocation_run", args=[run.pk]),
        context=lambda: {"runs": selectors.run_list(actor=actor)[:20], **_objective()},
    )


@signed_in
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: by need, the proposed lines (editable), what each is short by."""
    actor = request.user
    run = selectors.run_get(actor=actor, pk=pk)
    proposals = selectors.run_proposal(actor=actor, run=run)
    for p in proposals:
        p.need.phone_masked = mask_phone(p.need.contact_phone)  # type: ignore[attr-defined]
    context = {
        "run": run,
        "proposals": proposals,
        "short": selectors.short_by_item(proposals),
        "may_decide": selectors.may_decide(actor, run),
        **_objective(),
    }
    return render(request, "supplies/needs/run.html", context)


@require_POST
@signed_in
def run_act(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    run = selectors.run_get(actor=actor, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "edit":
            line = Allocation.objects.filter(run=run, pk=_int(request.POST.get("line"))).first()
            if line is None:
                raise NotFound()
            allocations.allocation_edit(
                actor=actor, allocation=line, quantity=request.POST.get("quantity", "")
            )
            messages.success(request, _("The line was changed."))
        elif action == "approve":
            shipments = allocations.allocation_approve(actor=actor, run=run)
            messages.success(
                request,
                _("Approved: %(count)s shipments prepared, both sides told.")
                % {"count": len(shipments)},
            )
        elif action == "discard":
            allocations.allocation_discard(actor=actor, run=run)
            messages.success(request, _("The proposal was discarded."))
        else:
            raise ServiceError(_("Unknown action."))
    except ServiceError as error:
        if error.status == 404:
            raise
        messages.error(request, error_text(error, field_names=False))
        response = run_page(request, pk)
        response.status_code = error.status
        return response
    return redirect("supplies:allocation_run", pk=run.pk)


def _int(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else 0


urlpatterns: list[URLPattern] = [
    path("needs/", needs_page, name="needs"),
    path("needs/<int:pk>/", need_page, name="need"),
    path("needs/recurring/", recurring_page, name="recurring"),
    path("allocation/", allocation_page, name="allocation"),
    path("allocation/<int:pk>/", run_page, name="allocation_run"),
    path("allocation/<int:pk>/act/", run_act, name="allocation_act"),
]
