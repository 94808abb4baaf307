"""The warehouse officer's pages: the warehouses with their stock at a glance (the landing
page), one warehouse's stock per item with the receive, issue, transfer and adjust forms,
its exports, a lot's ledger, and counts (盘点). Each form posts to its own action and the
page comes back with the form's errors in place (400, or the service's 409) and nothing
written; a success redirects back with a message."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.supplies.models import CountStatus, Item, Lot, MeasureUnit, StockCount, Warehouse
from lifeline.supplies.selectors import stock as selectors
from lifeline.supplies.services import counts, ledger
from lifeline.supplies.services.counts import lot_label
from lifeline.supplies.services.quantities import show, to_base
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import apply_service_error

View = Callable[..., HttpResponse]
MOVEMENTS_PAGE = 25
LEDGER_PAGE = 50


def signed_in(view: View) -> View:
    """Signed in; a refusal (``ServiceError``) becomes an error page, never a 500."""
    return login_required(renders_service_errors(view))


# Forms ---------------------------------------------------------------------------------


class ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.local_name} · {obj.base_unit.local_name}"


class LotChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        unit = obj.item.base_unit.local_name
        return f"{obj.item.local_name} · {lot_label(obj)} · {show(obj.on_hand)} {unit}"


class WarehouseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _unit_choices() -> list[tuple[str, str]]:
    units = MeasureUnit.objects.order_by("dimension", "factor", "code")
    return [("", str(_("the item's own unit")))] + [(u.code, u.local_name) for u in units]


class StockForm(forms.Form):
    """A form of one warehouse; quantity and unit are read by the service's rules."""

    slug = "stock"

    def __init__(self, *args: Any, warehouse: Warehouse, actor: Actor, **kwargs: Any) -> None:
        # Four forms on one page: each its own element ids.
        kwargs.setdefault("auto_id", f"id_{self.slug}_%s")
        super().__init__(*args, **kwargs)
        self.warehouse = warehouse
        self.actor = actor
        if "unit" in self.fields:
            self.fields["unit"].choices = _unit_choices()  # type: ignore[attr-defined]

    def base_quantity(self, field: str = "quantity", **kwargs: Any) -> Decimal:
        item = self.cleaned_data["item"]
        return to_base(item, self.cleaned_data[field], self.cleaned_data.get("unit"), **kwargs)


def _quantity_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or gettext_lazy("Quantity"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _unit_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=gettext_lazy("Unit of measure"), required=False)


class ReceiveForm(StockForm):
    slug = "receive"
    item = ItemChoice(label=gettext_lazy("Item"), queryset=Item.objects.none())
    quantity = _quantity_field()
    unit = _unit_field()
    lot_no = forms.CharField(label=gettext_lazy("Lot number"), max_length=40, required=False)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=gettext_lazy("Where from"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Item.objects.filter(active=True).select_related("base_unit")
        self.fields["item"].queryset = active  # type: ignore[attr-defined]

    def save(self) -> str:
        data = self.cleaned_data
        amount = self.base_quantity()
        lot = ledger.stock_receive(
            actor=self.actor,
            warehouse=self.warehouse,
            item=data["item"],
            quantity=amount,
            lot_no=data["lot_no"],
            expires_on=data["expires_on"],
            reason=data["reason"],
        )
        return _("Received %(qty)s %(unit)s of %(item)s (%(lot)s).") % {
            **_what(data["item"], amount),
            "lot": lot_label(lot),
        }


class InStockForm(StockForm):
    item = ItemChoice(label=gettext_lazy("Item"), queryset=Item.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        here = selectors.items_in_stock(warehouse=self.warehouse)
        self.fields["item"].queryset = here  # type: ignore[attr-defined]


class IssueForm(InStockForm):
    slug = "issue"
    quantity = _quantity_field()
    unit = _unit_field()
    reason = forms.CharField(label=gettext_lazy("Issued for"), max_length=200)

    def save(self) -> str:
        data = self.cleaned_data
        amount = self.base_quantity()
        ledger.stock_issue(
            actor=self.actor,
            warehouse=self.warehouse,
            item=data["item"],
            quantity=amount,
            reason=data["reason"],
        )
        return _("Issued %(qty)s %(unit)s of %(item)s.") % _what(data["item"], amount)


class TransferForm(InStockForm):
    slug = "transfer"
    target = WarehouseChoice(label=gettext_lazy("To warehouse"), queryset=Warehouse.objects.none())
    quantity = _quantity_field()
    unit = _unit_field()
    reason = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    field_order = ["target", "item", "quantity", "unit", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = selectors.warehouse_list(actor=self.actor, kept=True).exclude(pk=self.warehouse.pk)
        self.fields["target"].queryset = others  # type: ignore[attr-defined]

    def save(self) -> str:
        data = self.cleaned_data
        amount = self.base_quantity()
        ledger.stock_transfer(
            actor=self.actor,
            source=self.warehouse,
            target=data["target"],
            item=data["item"],
            quantity=amount,
            reason=data["reason"],
        )
        return _("Moved %(qty)s %(unit)s of %(item)s to %(target)s.") % {
            **_what(data["item"], amount),
            "target": data["target"].name,
        }


class AdjustForm(StockForm):
    slug = "adjust"
    lot = LotChoice(label=gettext_lazy("Lot"), queryset=Lot.objects.none())
    delta = forms.CharField(
        label=gettext_lazy("Change (+ found, − lost)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = _unit_field()
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = selectors.lots_of(warehouse=self.warehouse)  # type: ignore[attr-defined]

    def save(self) -> str:
        data = self.cleaned_data
        lot = data["lot"]
        raw = str(data["delta"]).strip().replace("−", "-")
        amount = to_base(lot.item, raw, data.get("unit"), field="delta", allow_negative=True)
        lot.warehouse = self.warehouse
        ledger.stock_adjust(actor=self.actor, lot=lot, delta=amount, reason=data["reason"])
        return _("Adjusted %(item)s, %(lot)s by %(qty)s %(unit)s.") % {
            **_what(lot.item, amount),
            "lot": lot_label(lot),
        }


def _what(item: Item, amount: Decimal) -> dict[str, str]:
    return {"qty": show(amount), "unit": item.base_unit.local_name, "item": item.local_name}


FORMS: dict[str, type[StockForm]] = {
    "receive": ReceiveForm,
    "issue": IssueForm,
    "transfer": TransferForm,
    "adjust": AdjustForm,
}


# Pages ---------------------------------------------------------------------------------


@signed_in
def stock_home(request: HttpRequest) -> HttpResponse:
    """The warehouses the actor sees, each with its stock at a glance."""
    page = Paginator(selectors.warehouse_list(actor=request.user), 50).get_page(
        request.GET.get("page")
    )
    summaries = selectors.warehouse_summaries([w.pk for w in page])
    rows = [{"warehouse": w, "summary": summaries.get(w.pk, selectors.Summary())} for w in page]
    context = {"page": page, "rows": rows, "soon_days": selectors.SOON_DAYS}
    return render(request, "supplies/stock/home.html", context)


def _may_stock(actor: Actor, warehouse: Warehouse) -> bool:
    return can(actor, Perm.SUPPLIES_STOCK, path=warehouse.area_path, unit_id=warehouse.unit_id)


def _warehouse_page(
    request: HttpRequest,
    warehouse: Warehouse,
    *,
    bound: tuple[str, StockForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    may_stock = _may_stock(actor, warehouse)
    forms_: dict[str, StockForm] = {}
    if may_stock:
        forms_ = {name: cls(warehouse=warehouse, actor=actor) for name, cls in FORMS.items()}
        if bound:
            forms_[bound[0]] = bound[1]
    movements = Paginator(
        selectors.warehouse_movements(actor=actor, warehouse=warehouse), MOVEMENTS_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "warehouse": warehouse,
        "lines": [_line_row(line) for line in selectors.stock_levels(warehouse=warehouse)],
        "soon_days": selectors.SOON_DAYS,
        "may_stock": may_stock,
        "forms": forms_,
        "open_form": bound[0] if bound else "",
        "movements": movements,
        "entries": [_entry_row(e) for e in movements],
        "counts": list(selectors.count_list(actor=actor, warehouse=warehouse)[:10]),
        "count_open": selectors.count_in_progress(warehouse),
    }
    return render(request, "supplies/stock/warehouse.html", context, status=status)


def _line_row(line: selectors.StockLine) -> dict[str, Any]:
    return {
        "item": line.item.local_name,
        "unit": line.item.base_unit.local_name,
        "on_hand": show(line.on_hand),
        "lots": line.lots,
        "nearest_expiry": line.nearest_expiry,
        "expiring": show(line.expiring) if line.expiring else "",
        "expired": show(line.expired) if line.expired else "",
    }


def _entry_row(entry: Any) -> dict[str, Any]:
    unit = entry.item.base_unit.local_name
    return {
        "at": entry.at,
        "kind": entry.get_kind_display(),
        "item": entry.item.local_name,
        "lot": entry.lot,
        "lot_label": lot_label(entry.lot),
        "quantity": ("+" if entry.quantity > 0 else "") + show(entry.quantity),
        "balance": show(entry.balance_after),
        "unit": unit,
        "reason": entry.reason,
        "actor": entry.actor.display_name if entry.actor else _("system"),
    }


@signed_in
def warehouse_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _warehouse_page(request, selectors.warehouse_get(actor=request.user, pk=pk))


@require_POST
@signed_in
def warehouse_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the warehouse's forms: on an error the page again with it in place."""
    warehouse = selectors.warehouse_get(actor=request.user, pk=pk)
    form_class = FORMS.get(action)
    if form_class is None:
        raise Http404
    ledger.require_stock(request.user, warehouse)
    form = form_class(request.POST, warehouse=warehouse, actor=request.user)
    if not form.is_valid():
        return _warehouse_page(request, warehouse, bound=(action, form), status=400)
    try:
        done = form.save()  # type: ignore[attr-defined]
    except ServiceError as error:
        apply_service_error(form, error)
        return _warehouse_page(request, warehouse, bound=(action, form), status=error.status)
    messages.success(request, done)
    return redirect("supplies:warehouse", pk=warehouse.pk)


@signed_in
def warehouse_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    warehouse = selectors.warehouse_get(actor=request.user, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    lines = selectors.stock_levels(warehouse=warehouse)
    header = [
        _("Item"),
        _("Item code"),
        _("Unit of measure"),
        _("On hand"),
        _("Lots"),
        _("Nearest expiry"),
        _("Expiring within %(days)s days") % {"days": selectors.SOON_DAYS},
        _("Expired"),
    ]
    rows = [
        [
            line.item.local_name,
            line.item.code,
            line.item.base_unit.local_name,
            line.on_hand,
            line.lots,
            line.nearest_expiry,
            line.expiring,
            line.expired,
        ]
        for line in lines
    ]
    code = re.sub(r"[^A-Za-z0-9_-]", "", warehouse.code) or "warehouse"
    name = f"stock-{code}-{clock.today().isoformat()}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(header)
        writer.writerows([[show(v) if isinstance(v, Decimal) else v for v in r] for r in rows])
        body, kind = out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        body, kind = _xlsx(header, rows), XLSX
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("stock")
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append(
            [
                xlsx_cell(sheet, v, number_format="yyyy-mm-dd" if isinstance(v, dt.date) else None)
                for v in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@signed_in
def lot_page(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_get(actor=request.user, pk=pk)
    page = Paginator(selectors.lot_ledger(actor=request.user, lot=lot), LEDGER_PAGE).get_page(
        request.GET.get("page")
    )
    for entry in page:
        entry.item, entry.lot = lot.item, lot  # one lot: no query per row
    context = {
        "lot": lot,
        "lot_label": lot_label(lot),
        "source_label": lot_label(lot.source_lot) if lot.source_lot else "",
        "on_hand": show(lot.on_hand),
        "page": page,
        "entries": [_entry_row(e) for e in page],
    }
    return render(request, "supplies/stock/lot.html", context)


# Counts --------------------------------------------------------------------------------


@require_POST
@signed_in
def count_start(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = selectors.warehouse_get(actor=request.user, pk=pk)
    try:
        count = counts.count_start(actor=request.user, warehouse=warehouse)
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("supplies:warehouse", pk=warehouse.pk)
    return redirect("supplies:count", pk=count.pk)


def _count_page(
    request: HttpRequest,
    count: StockCount,
    *,
    errors: dict[int, list[str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    me = getattr(actor, "pk", None)
    may_stock = _may_stock(actor, count.warehouse)
    posted = request.POST if request.method == "POST" else None
    lines = []
    for line in selectors.count_lines(count):
        counted = show(line.counted) if line.counted is not None else ""
        lines.append(
            {
                "pk": line.pk,
                "item": line.lot.item.local_name,
                "unit": line.lot.item.base_unit.local_name,
                "lot": line.lot,
                "lot_label": lot_label(line.lot),
                "expected": show(line.expected),
                "counted": posted.get(f"c-{line.pk}", counted) if posted else counted,
                "reason": posted.get(f"r-{line.pk}", line.reason) if posted else line.reason,
                "differs": line.counted is not None and line.counted != line.expected,
                "difference": show(line.counted - line.expected)
                if line.counted is not None
                else "",
                "errors": (errors or {}).get(line.pk, []),
            }
        )
    context = {
        "count": count,
        "lines": lines,
        "error": error,
        "may_record": may_stock and count.status == CountStatus.OPEN and count.counted_by_id == me,
        "may_review": may_stock
        and count.status == CountStatus.SUBMITTED
        and count.counted_by_id != me,
    }
    return render(request, "supplies/stock/count.html", context, status=status)


@signed_in
def count_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _count_page(request, selectors.count_get(actor=request.user, pk=pk))


@require_POST
@signed_in
def count_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Record the typed lines (all or none), submit, approve or reject."""
    actor = request.user
    count = selectors.count_get(actor=actor, pk=pk)
    try:
        if action in ("record", "submit"):
            errors = _record_lines(request, count)
            if errors:
                return _count_page(
                    request,
                    count,
                    errors=errors,
                    error=_("Please correct the marked lines."),
                    status=400,
                )
            if action == "submit":
                counts.count_submit(actor=actor, count=count)
                messages.success(request, _("The count is waiting for review."))
            else:
                messages.success(request, _("The count is saved."))
        elif action in ("approve", "reject"):
            counts.count_review(
                actor=actor,
                count=count,
                approve=action == "approve",
                note=request.POST.get("note", "")[:300],
            )
            done = (
                _("The count is approved.") if action == "approve" else _("The count is rejected.")
            )
            messages.success(request, done)
        else:
            raise Http404
    except ServiceError as error:
        count.refresh_from_db()
        text = " ".join([str(error.message), *[str(t) for ts in error.fields.values() for t in ts]])
        return _count_page(request, count, error=text, status=error.status)
    return redirect("supplies:count", pk=count.pk)


def _record_lines(request: HttpRequest, count: StockCount) -> dict[int, list[str]]:
    """Each line with something typed, recorded in one go; nothing kept on any error."""
    errors: dict[int, list[str]] = {}
    with transaction.atomic():
        for line in count.lines.only("pk", "lot_id", "counted", "reason"):
            raw = (request.POST.get(f"c-{line.pk}") or "").strip()
            reason = (request.POST.get(f"r-{line.pk}") or "").strip()[:200]
            if not raw:
                continue
            try:
                counts.count_record(
                    actor=request.user,
                    count=count,
                    lot_id=line.lot_id,
                    counted=raw,
                    reason=reason,
                )
            except ServiceError as error:
                if error.status != 400:
                    raise
                errors[line.pk] = [str(t) for ts in error.fields.values() for t in ts] or [
                    str(error.message)
                ]
        if errors:
            transaction.set_rollback(True)
    return errors


urlpatterns: list[URLPattern] = [
    path("stock/", stock_home, name="stock"),
    path("stock/warehouses/<int:pk>/", warehouse_page, name="warehouse"),
    path("stock/warehouses/<int:pk>/stock.<slug:fmt>", warehouse_export, name="warehouse_export"),
    path("stock/warehouses/<int:pk>/count/", count_start, name="count_start"),
    path("stock/warehouses/<int:pk>/<slug:action>/", warehouse_act, name="warehouse_act"),
    path("stock/lots/<int:pk>/", lot_page, name="lot"),
    path("stock/counts/<int:pk>/", count_page, name="count"),
    path("stock/counts/<int:pk>/<slug:action>/", count_act, name="count_act"),
]
