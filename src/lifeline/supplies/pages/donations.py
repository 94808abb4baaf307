"""Supplies pages: the donation desk of the logistics group (a PC): donors and pledges,
a pledge's lines with a receive form each, money donations, the donor's file with the
trace of every line (on screen and printable), and a need's trace back to its sources."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.registry.models import Unit
from lifeline.supplies.models import (
    DONATION_KINDS,
    Donor,
    DonorKind,
    ForWhom,
    Item,
    MeasureUnit,
    PledgeStatus,
)
from lifeline.supplies.selectors import trace as selectors
from lifeline.supplies.services import donations as services
from lifeline.supplies.services.quantities import show
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import apply_service_error, form_page

View = Callable[..., HttpResponse]
LINE_ROWS = 6
READ = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DONATIONS)


def desk(view: View) -> View:
    """Signed in, holding a donations permission somewhere; refusals become pages."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_anywhere(request.user, READ):
            raise PermissionDenied()
        return view(request, *args, **kwargs)

    return login_required(renders_service_errors(wrapper))


def _donation_units(actor: Any) -> list[Unit]:
    """Units where the actor may record donations (the logistics group, usually one)."""
    return [
        u
        for u in Unit.objects.order_by("code")
        if can(actor, Perm.SUPPLIES_DONATIONS, unit_id=u.pk)
    ]


def _may_record(actor: Any) -> bool:
    return can_anywhere(actor, Perm.SUPPLIES_DONATIONS)


# Lists ----------------------------------------------------------------------------------


@desk
def donations_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    donors = list(selectors.donor_list(actor)[:200])
    pledges = list(selectors.pledge_list(actor).order_by("-created_at", "-pk")[:100])
    money = list(selectors.money_list(actor)[:50])
    return render(
        request,
        "supplies/donations/home.html",
        {
            "donors": donors,
            "pledges": pledges,
            "money": money,
            "may_record": _may_record(actor),
        },
    )


def _masked(donor: Donor) -> str:
    return mask_phone(donor.contact_phone)


@desk
def donor_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    donor = selectors.donor_get(actor, pk)
    trace = selectors.donor_trace(actor, donor)
    return render(
        request,
        "supplies/donations/donor.html",
        {
            "donor": donor,
            "phone": _masked(donor),
            "trace": trace,
            "rows": _trace_rows(trace),
            "money": list(selectors.money_list(actor, donor=donor)),
            "may_record": can(actor, Perm.SUPPLIES_DONATIONS, unit_id=donor.unit_id),
        },
    )


@desk
def donor_trace_print(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    donor = selectors.donor_get(actor, pk)
    trace = selectors.donor_trace(actor, donor)
    return render(
        request,
        "supplies/donations/trace_print.html",
        {
            "donor": donor,
            "trace": trace,
            "rows": _trace_rows(trace),
            "printed_at": clock.now(),
            "money": list(selectors.money_list(actor, donor=donor)),
        },
    )


def _trace_rows(trace: selectors.DonorTrace) -> list[dict[str, Any]]:
    """Each pledge line as display text: quantities without trailing zeros."""
    rows = []
    for p in trace.pledges:
        for t in p.lines:
            rows.append(
                {
                    "pledge": p.pledge,
                    "t": t,
                    "item": t.line.item.local_name,
                    "unit": t.line.item.base_unit.local_name,
                    "pledged": show(t.pledged),
                    "received": show(t.received),
                    "damaged": show(t.damaged),
                    "short": show(t.short),
                    "shipped": show(t.shipped),
                    "issued_otherwise": show(t.issued_otherwise),
                    "adjusted": show(t.adjusted),
                    "in_stock": show(t.in_stock),
                    "moved_out": show(t.moved_out),
                    "remainder": show(t.remainder),
                    "destinations": [
                        {
                            "d": d,
                            "quantity": show(d.line.quantity),
                            "received": show(d.line.received)
                            if d.line.received is not None
                            else "",
                            "for_whom": ForWhom(d.need.for_whom).label
                            if d.need and d.need.for_whom in ForWhom.values
                            else "",
                        }
                        for d in t.destinations
                    ],
                    "holdings": [{"h": h, "on_hand": show(h.lot.on_hand)} for h in t.holdings],
                    "other_issues": [
                        {"e": o.entry, "quantity": show(-o.entry.quantity)} for o in t.other_issues
                    ],
                }
            )
    return rows


# New pledge -----------------------------------------------------------------------------


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class NoEcho(forms.TextInput):
    """A phone typed once is not sent back in the page (a form shown again after an
    error would otherwise carry the full number)."""

    input_type = "tel"

    def format_value(self, value: Any) -> str | None:
        return None


class PledgeForm(forms.Form):
    donor = forms.TypedChoiceField(label=gettext_lazy("Donor"), coerce=int, required=False)
    new_donor = forms.CharField(
        label=gettext_lazy("or a new donor"), max_length=150, required=False
    )
    donor_kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=DonorKind.choices, initial=DonorKind.ORGANISATION
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Contact person"), max_length=50, required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Contact phone"), max_length=20, required=False, widget=NoEcho
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("Kept by"), coerce=int)
    channel = forms.TypedChoiceField(
        label=gettext_lazy("Through"), coerce=int, required=False, empty_value=None
    )
    warehouse = forms.TypedChoiceField(label=gettext_lazy("To be received at"), coerce=int)
    value = forms.CharField(
        label=gettext_lazy("Declared value (yuan)"), max_length=20, required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = _donation_units(actor)
        donors = scoped(Donor.objects.all(), actor, Perm.SUPPLIES_DONATIONS).order_by("name")
        _choices(self, "donor").choices = [("", "—")] + [(d.pk, d.name) for d in donors]
        _choices(self, "unit").choices = [(u.pk, u.name) for u in units]
        _choices(self, "channel").choices = [("", _("Directly"))] + [
            (u.pk, u.name) for u in selectors.channels()
        ]
        _choices(self, "warehouse").choices = [
            (w.pk, f"{w.name} ({w.get_kind_display()})")
            for w in sorted(
                selectors.receiving_warehouses(actor),
                key=lambda w: (w.kind not in DONATION_KINDS, w.code),
            )
        ]
        items = Item.objects.filter(active=True).select_related("base_unit")
        item_choices = [("", "—")] + [(i.pk, i.local_name) for i in items]
        unit_choices = [("", _("base unit"))] + [
            (u.code, u.local_name) for u in MeasureUnit.objects.order_by("dimension", "factor")
        ]
        for i in range(LINE_ROWS):
            self.fields[f"item_{i}"] = forms.TypedChoiceField(
                label=_("Item"), choices=item_choices, coerce=int, required=False
            )
            self.fields[f"quantity_{i}"] = forms.CharField(
                label=_("Quantity"), max_length=20, required=False
            )
            self.fields[f"unit_{i}"] = forms.ChoiceField(
                label=_("Unit"), choices=unit_choices, required=False
            )
            self.fields[f"value_{i}"] = forms.CharField(
                label=_("Value (yuan)"), max_length=20, required=False
            )

    def line_rows(self) -> list[list[Any]]:
        return [
            [self[f"{name}_{i}"] for name in ("item", "quantity", "unit", "value")]
            for i in range(LINE_ROWS)
        ]


def _pledge_save(actor: Any, data: dict[str, Any]) -> Any:
    unit = Unit.objects.get(pk=data["unit"])
    if data.get("donor"):
        donor = selectors.donor_get(actor, data["donor"])
    elif data.get("new_donor"):
        donor = None
    else:
        message = _("Choose a donor or give a new donor's name.")
        raise ServiceError(message, fields={"donor": [message]})
    items = {i.pk: i for i in Item.objects.select_related("base_unit")}
    lines = []
    fields: dict[str, list[str]] = {}
    for i in range(LINE_ROWS):
        item_id, quantity = data.get(f"item_{i}"), (data.get(f"quantity_{i}") or "").strip()
        if not item_id and not quantity:
            continue
        if not item_id or item_id not in items:
            fields[f"item_{i}"] = [_("Choose the item.")]
            continue
        lines.append(
            (items[item_id], quantity, data.get(f"unit_{i}") or None, data.get(f"value_{i}"))
        )
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    channel = Unit.objects.filter(pk=data["channel"]).first() if data.get("channel") else None
    warehouse = selectors.receiving_warehouses(actor).filter(pk=data["warehouse"]).first()
    if warehouse is None:
        message = _("Choose the warehouse.")
        raise ServiceError(message, fields={"warehouse": [message]})
    with transaction.atomic():
        if donor is None:
            donor = services.donor_create(
                actor=actor,
                unit=unit,
                kind=data["donor_kind"],
                name=data["new_donor"],
                contact_name=data.get("contact_name", ""),
                contact_phone=data.get("contact_phone", ""),
            )
        return services.pledge_create(
            actor=actor,
            donor=donor,
            warehouse=warehouse,
            lines=lines,
            channel=channel,
            value=data.get("value"),
            note=data.get("note", ""),
        )


# Service fields named for the form: "lines.0.quantity" is the first row's quantity.
def _aliases() -> dict[str, str]:
    aliases = {"name": "new_donor", "kind": "donor_kind"}
    for i in range(LINE_ROWS):
        for name in ("quantity", "unit", "value", "item"):
            aliases[f"lines.{i}.{name}"] = f"{name}_{i}"
    return aliases


@desk
def pledge_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not _may_record(actor):
        raise PermissionDenied(_("You may not record donations."))
    initial: dict[str, Any] = {}
    if request.GET.get("donor", "").isdigit():
        initial["donor"] = int(request.GET["donor"])
    return form_page(
        request,
        form_class=PledgeForm,
        form_kwargs={"actor": actor},
        template="supplies/donations/pledge_new.html",
        save=lambda data: _pledge_save(actor, data),
        success_url=lambda pledge: reverse("supplies:pledge", args=[pledge.pk]),
        success_message=_("The pledge is recorded."),
        initial=initial,
        aliases=_aliases(),
    )


# A pledge and its receipts --------------------------------------------------------------


class ReceiveForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput)
    received = forms.CharField(label=gettext_lazy("Received"), max_length=20, required=False)
    damaged = forms.CharField(label=gettext_lazy("Damaged"), max_length=20, required=False)
    lot_no = forms.CharField(label=gettext_lazy("Lot number"), max_length=40, required=False)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (short, more or damaged)"), max_length=200, required=False
    )


@desk
def pledge_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    pledge = selectors.pledge_get(actor, pk)
    may_receive = pledge.status != PledgeStatus.CANCELLED and can(
        actor,
        Perm.SUPPLIES_STOCK,
        path=pledge.warehouse.area_path,
        unit_id=pledge.warehouse.unit_id,
    )
    status = 200
    failed: tuple[int, ReceiveForm] | None = None
    if request.method == "POST":
        if not may_receive:
            raise PermissionDenied(_("You may not receive goods at this warehouse."))
        form = ReceiveForm(request.POST, prefix="r")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.pledge_receive(actor=actor, pledge=pledge, lines=[data])
            except ServiceError as error:
                key = f"line_{data['line_id']}_"
                for name, texts in list(error.fields.items()):
                    if name.startswith(key):
                        for text in texts:
                            form.add_error(name.removeprefix(key), text)
                        del error.fields[name]
                apply_service_error(form, error)
                status = error.status
                failed = (data["line_id"], form)
            else:
                messages.success(request, _("The receipt is recorded."))
                return redirect("supplies:pledge", pk=pledge.pk)
        else:
            status = 400
            failed = (int(request.POST.get("r-line_id") or 0), form)
    lines = []
    for line in pledge.lines.select_related("item__base_unit"):
        if failed and failed[0] == line.pk:
            form = failed[1]
        else:
            form = ReceiveForm(prefix="r", initial={"line_id": line.pk})
        lines.append(
            {
                "line": line,
                "form": form,
                "unit": line.item.base_unit.local_name,
                "quantity": show(line.quantity),
                "received": show(line.received),
                "damaged": show(line.damaged),
                "open": show(max(line.quantity - line.received - line.damaged, Decimal(0))),
            }
        )
    return render(
        request,
        "supplies/donations/pledge.html",
        {
            "pledge": pledge,
            "lines": lines,
            "may_receive": may_receive,
            "phone": _masked(pledge.donor),
        },
        status=status,
    )


# Money ----------------------------------------------------------------------------------


class MoneyForm(forms.Form):
    donor = forms.TypedChoiceField(label=gettext_lazy("Donor"), coerce=int)
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), max_length=20)
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.TypedChoiceField(
        label=gettext_lazy("Through"), coerce=int, required=False, empty_value=None
    )
    use = forms.CharField(label=gettext_lazy("Used for"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        donors = scoped(Donor.objects.all(), actor, Perm.SUPPLIES_DONATIONS).order_by("name")
        _choices(self, "donor").choices = [(d.pk, d.name) for d in donors]
        _choices(self, "channel").choices = [("", _("Directly"))] + [
            (u.pk, u.name) for u in selectors.channels()
        ]


@desk
def money_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not _may_record(actor):
        raise PermissionDenied(_("You may not record donations."))

    def save(data: dict[str, Any]) -> Any:
        channel = Unit.objects.filter(pk=data["channel"]).first() if data["channel"] else None
        return services.money_record(
            actor=actor,
            donor=selectors.donor_get(actor, data["donor"]),
            amount=data["amount"],
            received_on=data["received_on"],
            channel=channel,
            use=data["use"],
        )

    initial: dict[str, Any] = {"received_on": clock.today()}
    if request.GET.get("donor", "").isdigit():
        initial["donor"] = int(request.GET["donor"])
    return form_page(
        request,
        form_class=MoneyForm,
        form_kwargs={"actor": actor},
        template="supplies/donations/money_new.html",
        save=save,
        success_url=lambda money: reverse("supplies:donor", args=[money.donor_id]),
        success_message=_("The money donation is recorded."),
        initial=initial,
    )


# A need's sources -----------------------------------------------------------------------


@login_required
@renders_service_errors
def need_trace_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    need = selectors.need_get(actor, pk)
    trace = selectors.need_trace(actor, need)
    rows = [
        {
            "s": s,
            "quantity": show(s.quantity),
            "received": show(s.received) if s.received is not None else "",
        }
        for s in trace.sources
    ]
    return render(
        request,
        "supplies/donations/need_trace.html",
        {
            "need": need,
            "trace": trace,
            "rows": rows,
            "unit": need.item.base_unit.local_name,
            "quantity": show(need.quantity),
            "shipped": show(trace.shipped),
            "allocated": show(trace.allocated),
        },
    )


urlpatterns: list[URLPattern] = [
    path("donations/", donations_home, name="donations"),
    path("donations/donors/<int:pk>/", donor_page, name="donor"),
    path("donations/donors/<int:pk>/print/", donor_trace_print, name="donor_trace_print"),
    path("donations/pledges/new/", pledge_new, name="pledge_new"),
    path("donations/pledges/<int:pk>/", pledge_page, name="pledge"),
    path("donations/money/new/", money_new, name="money_new"),
    path("needs/<int:pk>/trace/", need_trace_page, name="need_trace"),
]
