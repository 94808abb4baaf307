"""Acknowledging an alert, the alert rules of an area (set and retired by whoever holds
COMMAND_ALERTS there), and the export of an area's children's figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.command import exports, selectors, services
from lifeline.command.catalogue import figures, figures_by_key
from lifeline.command.models import Comparison
from lifeline.command.naming import area_titles
from lifeline.command.pages.dashboard import chosen_day
from lifeline.command.services.alerts import LEVELS
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page


@login_required
@require_POST
@renders_service_errors
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(actor=request.user, pk=pk)
    services.alert_acknowledge(actor=request.user, alert=alert)
    messages.success(request, _("The alert is acknowledged."))
    back = request.POST.get("next", "")
    if not back.startswith("/command/"):
        back = reverse("command:index")
    return redirect(back)


class RuleForm(forms.Form):
    key = forms.ChoiceField(label=gettext_lazy("Figure"))
    level = forms.ChoiceField(label=gettext_lazy("For each"))
    comparison = forms.ChoiceField(label=gettext_lazy("Alert when"), choices=Comparison.choices)
    threshold = forms.DecimalField(
        label=gettext_lazy("Threshold"),
        min_value=0,
        max_value=10**9,
        decimal_places=2,
        help_text=gettext_lazy("A percentage for compliance and coverage."),
    )
    unit_id = forms.TypedChoiceField(label=gettext_lazy("Unit to notify"), coerce=int)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["key"].choices = [(f.key, f.label) for f in figures()]
        below = LEVELS[LEVELS.index(area.level) :]
        fields["level"].choices = [(v, label) for v, label in AreaLevel.choices if v in below]
        units = Unit.objects.filter(areas__path__startswith=area.path).distinct()
        fields["unit_id"].choices = [(u.pk, u.name) for u in units.order_by("name")[:500]]


@login_required
@renders_service_errors
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = selectors.dashboard_area(actor=actor, pk=pk)
    require(actor, Perm.COMMAND_ALERTS, path=area.path)
    catalogue = figures_by_key()

    def save(data: dict[str, Any]) -> Any:
        return services.alert_rule_create(actor=actor, area=area, **data)

    def context() -> dict[str, Any]:
        rows = list(selectors.rule_list(actor=actor, area=area))
        titles = area_titles([area.path, *[r.area_path for r in rows]])
        return {
            "area": area,
            "title": titles.get(area.path, area.name),
            "rules": [
                (
                    r,
                    titles.get(r.area_path, r.area_path),
                    catalogue.get(r.key),
                    catalogue[r.key].show(r.threshold) if r.key in catalogue else r.threshold,
                )
                for r in rows
            ],
        }

    return form_page(
        request,
        form_class=RuleForm,
        form_kwargs={"area": area},
        template="command/rules.html",
        save=save,
        success_url=reverse("command:rules", args=[area.pk]),
        success_message=_("The alert rule is set."),
        context=context,
    )


@login_required
@require_POST
@renders_service_errors
def rule_retire(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(actor=request.user, pk=pk)
    services.alert_rule_deactivate(actor=request.user, rule=rule)
    messages.success(request, _("The alert rule is retired."))
    area = Area.objects.filter(path=rule.area_path).first()
    return redirect("command:rules", area.pk) if area else redirect("command:index")


@login_required
@renders_service_errors
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    area = selectors.dashboard_area(actor=request.user, pk=pk)
    day = chosen_day(request.GET.get("day"))
    found = exports.figures_export(actor=request.user, area=area, day=day, fmt=fmt)
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response
