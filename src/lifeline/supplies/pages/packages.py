"""Supplies pages: packages.

- Community staff (PC): ``packages`` (their packages with today's live count, the
  publish form) and ``package`` (today's pick lists per building, payment).
- Residents (phone, no login, the phone proven on the resident pages): ``resident_packages``
  at /supplies/r/ with the order, cancel and "received" buttons.
- Building heads (phone): ``picklists`` (today's lists of their buildings) and
  ``picklist`` (one line per order, delivered / not delivered, payment).

Reads go through the selectors, writes through the services; a refusal is a message on
the page with its status (400, 404, 409), never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scope_for
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.supplies.models import Payment, SupplyPackage
from lifeline.supplies.selectors import packages as selectors
from lifeline.supplies.services import packages as services
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page
from lifeline.workorders.providers import verified_phone

SELLING_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)


def _pk(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 18 else 0


# Community staff -----------------------------------------------------------------------


class PackageForm(forms.Form):
    area = forms.TypedChoiceField(label=gettext_lazy("For"), coerce=int)
    unit = forms.TypedChoiceField(label=gettext_lazy("Sold by"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    contents = forms.CharField(
        label=gettext_lazy("Contents"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    price = forms.DecimalField(
        label=gettext_lazy("Price (yuan)"), min_value=0, max_digits=7, decimal_places=2
    )
    daily_cap = forms.IntegerField(
        label=gettext_lazy("Packages a day"), min_value=1, max_value=services.MAX_CAP
    )
    per_household = forms.IntegerField(
        label=gettext_lazy("Orders per household a day"),
        min_value=1,
        max_value=services.MAX_PER_HOUSEHOLD,
        initial=1,
    )
    opens_at = forms.TimeField(
        label=gettext_lazy("Orders open at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=gettext_lazy("Orders close at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    deliver_from = forms.TimeField(
        label=gettext_lazy("Delivered from"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args: Any, areas: list[Area], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.pk, a.name) for a in areas]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


def _selling_places(request: HttpRequest) -> tuple[list[Area], list[Unit]]:
    """The areas where the user may sell packages, and the units serving them."""
    prefixes = scope_for(request.user).grant(Perm.SUPPLIES_PACKAGES).area_paths
    if not prefixes:
        return [], []
    areas = list(
        Area.objects.filter(path__in=prefixes, level__in=SELLING_LEVELS).order_by("path")
    ) or list(
        Area.objects.filter(path__startswith=prefixes[0], level__in=SELLING_LEVELS).order_by(
            "path"
        )[:50]
    )
    above = {p for a in areas for p in selectors.area_ancestors(a.path)}
    units = list(Unit.objects.filter(areas__path__in=above).distinct().order_by("code"))
    return areas, units


@login_required
@renders_service_errors
@refuses_unsafe_text
@require_http_methods(["GET", "POST"])
def packages(request: HttpRequest) -> HttpResponse:
    """The community's packages with today's live count; the publish form."""
    actor = request.user
    if not can_anywhere(actor, (Perm.SUPPLIES_PACKAGES, Perm.SUPPLIES_VIEW)):
        raise NotFound()
    areas, units = _selling_places(request)

    def save(data: dict[str, Any]) -> SupplyPackage:
        area = next(a for a in areas if a.pk == data["area"])
        unit = next(u for u in units if u.pk == data["unit"])
        fields = {k: v for k, v in data.items() if k not in ("area", "unit")}
        return services.package_create(actor=actor, unit=unit, area=area, **fields)

    return form_page(
        request,
        form_class=PackageForm,
        form_kwargs={"areas": areas, "units": units},
        template="supplies/packages/list.html",
        save=save,
        success_url=lambda package: reverse("supplies:packages"),
        success_message=_("The package is on sale."),
        initial={
            "per_household": 1,
            "opens_at": dt.time(7, 0),
            "closes_at": dt.time(14, 0),
            "deliver_from": dt.time(18, 0),
        },
        context=lambda: {
            "live": selectors.package_list_live(actor=actor),
            "may_publish": bool(areas and units),
        },
    )


@login_required
@renders_service_errors
def package(request: HttpRequest, pk: int) -> HttpResponse:
    """One package: today's live count and its pick lists per building."""
    actor = request.user
    found = selectors.package_get(actor=actor, pk=pk)
    return render(
        request,
        "supplies/packages/package.html",
        {
            "live": selectors.package_live(package=found),
            "pick_lists": selectors.package_pick_lists(actor=actor, package=found),
            "may_sell": can(actor, Perm.SUPPLIES_PACKAGES, path=found.area_path),
        },
    )


@login_required
@require_POST
@renders_service_errors
def package_stop(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.package_get(actor=request.user, pk=pk)
    services.package_stop(actor=request.user, package=found)
    messages.success(request, _("The package is off sale."))
    return redirect("supplies:package", pk=found.pk)


# Residents -----------------------------------------------------------------------------


def _resident_context(phone: str) -> dict[str, Any]:
    households = selectors.households_of_phone(phone=phone)
    return {
        "households": [
            {"household": h, "packages": selectors.packages_for_household(household=h)}
            for h in households
        ],
        "orders": selectors.orders_of_households(households=households),
        "back": reverse("workorders:resident_home"),
    }


def _resident_page(request: HttpRequest, phone: str, error: str = "", status: int = 200) -> Any:
    context = {**_resident_context(phone), "error": error}
    return render(request, "supplies/packages/resident.html", context, status=status)


@never_cache
def resident_packages(request: HttpRequest) -> HttpResponse:
    """Today's packages for the households of the proven phone, and their orders."""
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    return _resident_page(request, phone)


@never_cache
@require_POST
def resident_action(request: HttpRequest, action: str) -> HttpResponse:
    """Order, cancel or confirm receipt, for a household of the proven phone."""
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    data = request.POST
    try:
        if action == "order":
            services.package_order(
                phone=phone, household_id=data.get("household"), package_id=data.get("package")
            )
            done = _("Ordered. Your building head brings it in the evening.")
        elif action == "cancel":
            services.order_cancel(phone=phone, order_id=data.get("order"))
            done = _("The order is cancelled.")
        elif action == "confirm":
            services.order_confirm(phone=phone, order_id=data.get("order"))
            done = _("Thank you: receipt confirmed.")
        else:
            raise NotFound()
    except ServiceError as error:
        return _resident_page(
            request, phone, error=error_text(error, field_names=False), status=error.status
        )
    messages.success(request, done)
    return redirect("supplies:resident_packages")


# Building heads ------------------------------------------------------------------------

PICK_LIST_PERMS = (Perm.SUPPLIES_DELIVER, Perm.SUPPLIES_VIEW)


@login_required
@renders_service_errors
def picklists(request: HttpRequest) -> HttpResponse:
    """Today's pick lists of the buildings where the user delivers."""
    if not can_anywhere(request.user, PICK_LIST_PERMS):
        raise NotFound()
    rows = selectors.picklists_for_head(actor=request.user)
    return render(request, "supplies/packages/picklists.html", {"pick_lists": rows})


def _picklist_page(request: HttpRequest, pk: int, error: str = "", status: int = 200) -> Any:
    actor = request.user
    pick_list = selectors.picklist_get(actor=actor, pk=pk)
    package_path = pick_list.day.package.area_path
    context = {
        "pick_list": pick_list,
        "lines": selectors.picklist_lines(pick_list=pick_list),
        "may_deliver": can(actor, Perm.SUPPLIES_DELIVER, path=pick_list.area_path),
        "may_pay": can(actor, Perm.SUPPLIES_DELIVER, path=pick_list.area_path)
        or can(actor, Perm.SUPPLIES_PACKAGES, path=package_path),
        "payments": Payment.choices,
        "error": error,
    }
    return render(request, "supplies/packages/picklist.html", context, status=status)


@login_required
@renders_service_errors
def picklist(request: HttpRequest, pk: int) -> HttpResponse:
    return _picklist_page(request, pk)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Delivered / not delivered (with a reason), or the payment, of one order."""
    actor = request.user
    order = selectors.order_get(actor=actor, pk=pk)
    data = request.POST
    try:
        if action == "deliver":
            delivered = data.get("delivered") == "1"
            services.order_deliver(
                actor=actor, order=order, delivered=delivered, reason=data.get("reason", "")
            )
            done = _("Marked delivered.") if delivered else _("Marked not delivered.")
        elif action == "payment":
            services.order_payment_set(actor=actor, order=order, payment=data.get("payment", ""))
            done = _("Payment recorded.")
        else:
            raise NotFound()
    except NotFound:
        raise
    except ServiceError as error:
        text = error_text(error, field_names=False)
        return _picklist_page(request, order.pick_list_id, error=text, status=error.status)
    messages.success(request, done)
    return redirect(f"{reverse('supplies:picklist', args=[order.pick_list_id])}#o{order.pk}")


urlpatterns: list[URLPattern] = [
    path("packages/", packages, name="packages"),
    path("packages/<int:pk>/", package, name="package"),
    path("packages/<int:pk>/stop/", package_stop, name="package_stop"),
    path("r/", resident_packages, name="resident_packages"),
    path("r/order/", resident_action, {"action": "order"}, name="resident_order"),
    path("r/cancel/", resident_action, {"action": "cancel"}, name="resident_cancel"),
    path("r/confirm/", resident_action, {"action": "confirm"}, name="resident_confirm"),
    path("picklists/", picklists, name="picklists"),
    path("picklists/<int:pk>/", picklist, name="picklist"),
    path(
        "package-orders/<int:pk>/deliver/",
        order_action,
        {"action": "deliver"},
        name="order_deliver",
    ),
    path(
        "package-orders/<int:pk>/payment/",
        order_action,
        {"action": "payment"},
        name="order_payment",
    ),
]
