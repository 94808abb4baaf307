"""The command centre's set-up pages (``continuity.manage`` over the unit's area): make a
registry unit a lifeline unit, give it figures, thresholds and critical roles, open a
problem by hand, and edit or resolve a problem. Each is one ``form_page``: the service
checks and writes, its refusal shows on the form and nothing is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.continuity import selectors, services
from lifeline.continuity.models import Figure, FigureKind, LifelineUnit, Measure, Problem, Sector
from lifeline.core.errors import Conflict, NotFound, PermissionDenied
from lifeline.registry.models import Area, Unit
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page

TEMPLATE = "continuity/form.html"


def _text(label: Any, limit: int, *, required: bool = True, area: bool = False) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 3}) if area else None
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget)


def _number(label: Any, *, initial: Any = None, whole: bool = False) -> forms.Field:
    """Typed as text: the service reads the number and says what is wrong in its words."""
    mode = "numeric" if whole else "decimal"
    return forms.CharField(
        label=label,
        max_length=30,
        initial=initial,
        widget=forms.TextInput(attrs={"inputmode": mode}),
    )


class LifelineUnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("Unit to set up")
    )
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area supplied"))
    sector = forms.ChoiceField(choices=Sector.choices, label=gettext_lazy("Sector"))
    note = _text(gettext_lazy("Note"), 300, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_choices(actor=actor)  # type: ignore[attr-defined]
        self.fields["area"].queryset = selectors.served_area_choices(actor=actor)  # type: ignore[attr-defined]


class FigureForm(forms.Form):
    name = _text(gettext_lazy("Name"), 60)
    unit_label = _text(gettext_lazy("Measured in"), 20, required=False)
    kind = forms.ChoiceField(choices=FigureKind.choices, label=gettext_lazy("Kind"))
    use = forms.ModelChoiceField(
        queryset=Figure.objects.none(),
        required=False,
        label=gettext_lazy("Spent at (daily use, for a reserve's days of cover)"),
    )
    every_hours = _number(gettext_lazy("Report every (hours)"), initial=24, whole=True)

    def __init__(self, *args: Any, unit: LifelineUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uses = unit.figures.filter(kind=FigureKind.USE).order_by("sort_order", "pk")
        self.fields["use"].queryset = uses  # type: ignore[attr-defined]


class ThresholdForm(forms.Form):
    figure = forms.ModelChoiceField(queryset=Figure.objects.none(), label=gettext_lazy("Figure"))
    measure = forms.ChoiceField(choices=Measure.choices, label=gettext_lazy("Measure"))
    below = _number(gettext_lazy("Opens a problem below"))
    title = _text(gettext_lazy("Problem title"), 150)
    guidance = _text(gettext_lazy("Guidance"), 2000, required=False, area=True)
    owner = _text(gettext_lazy("Owner"), 100, required=False)

    def __init__(self, *args: Any, unit: LifelineUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        figures = unit.figures.order_by("sort_order", "pk")
        self.fields["figure"].queryset = figures  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    name = _text(gettext_lazy("Role"), 60)
    minimum = _number(gettext_lazy("Minimum on site"), whole=True)
    guidance = _text(gettext_lazy("Guidance"), 2000, required=False, area=True)


class ProblemForm(forms.Form):
    title = _text(gettext_lazy("Problem title"), 150)
    guidance = _text(gettext_lazy("Guidance"), 2000, required=False, area=True)
    owner = _text(gettext_lazy("Owner"), 100, required=False)


class ProblemEditForm(forms.Form):
    owner = _text(gettext_lazy("Owner"), 100, required=False)
    guidance = _text(gettext_lazy("Guidance"), 2000, required=False, area=True)


class ResolveForm(forms.Form):
    note = _text(gettext_lazy("What was done"), 2000, area=True)


def _managed_unit(request: HttpRequest, pk: int) -> LifelineUnit:
    """The unit, when the actor sets it up: 404 outside their sight, 403 to its desk."""
    unit = selectors.lifeline_unit_get(actor=request.user, unit_id=pk)
    if not selectors.may_manage(actor=request.user, lifeline_unit=unit):
        raise PermissionDenied(_("You may not set up lifeline units here."))
    return unit


def _managed_problem(request: HttpRequest, pk: int) -> Problem:
    problem = selectors.problem_get(actor=request.user, problem_id=pk)
    if not selectors.may_manage(actor=request.user, lifeline_unit=problem.lifeline_unit):
        raise PermissionDenied(_("You may not set up lifeline units here."))
    return problem


def _unit_url(unit: LifelineUnit) -> str:
    return reverse("continuity:unit", args=[unit.pk])


def _unit_form(
    request: HttpRequest,
    unit: LifelineUnit,
    form_class: Any,
    title: str,
    problem: Problem | None = None,
    **kwargs: Any,
) -> HttpResponse:
    return form_page(
        request,
        form_class=form_class,
        template=TEMPLATE,
        success_url=_unit_url(unit),
        context={"title": title, "unit": unit, "problem": problem, "back": _unit_url(unit)},
        **kwargs,
    )


@login_required
@renders_service_errors
def unit_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not selectors.may_set_up(actor=actor):
        raise NotFound()
    return form_page(
        request,
        form_class=LifelineUnitForm,
        form_kwargs={"actor": actor},
        template=TEMPLATE,
        save=lambda data: services.lifeline_unit_create(actor=actor, **data),
        success_url=_unit_url,
        success_message=_("The lifeline unit is set up."),
        context={"title": _("Add a lifeline unit"), "back": reverse("continuity:home")},
    )


@login_required
@renders_service_errors
def figure_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    return _unit_form(
        request,
        unit,
        FigureForm,
        _("Add a figure"),
        form_kwargs={"unit": unit},
        save=lambda data: services.figure_create(actor=request.user, lifeline_unit=unit, **data),
        success_message=_("The figure is added."),
    )


@login_required
@renders_service_errors
def threshold_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    return _unit_form(
        request,
        unit,
        ThresholdForm,
        _("Add a threshold"),
        form_kwargs={"unit": unit},
        save=lambda data: services.threshold_create(actor=request.user, **data),
        success_message=_("The threshold is added."),
    )


@login_required
@renders_service_errors
def role_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    return _unit_form(
        request,
        unit,
        RoleForm,
        _("Add a critical role"),
        save=lambda data: services.critical_role_create(
            actor=request.user, lifeline_unit=unit, **data
        ),
        success_message=_("The critical role is added."),
    )


@login_required
@renders_service_errors
def problem_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    return _unit_form(
        request,
        unit,
        ProblemForm,
        _("Open a problem"),
        save=lambda data: services.problem_open(actor=request.user, lifeline_unit=unit, **data),
        success_message=_("The problem is opened and sent to the command centre."),
    )


@login_required
@renders_service_errors
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _managed_problem(request, pk)
    unit = problem.lifeline_unit
    return _unit_form(
        request,
        unit,
        ProblemEditForm,
        _("Edit the problem"),
        problem,
        initial={"owner": problem.owner, "guidance": problem.guidance},
        save=lambda data: services.problem_update(actor=request.user, problem=problem, **data),
        success_message=_("The problem is saved."),
    )


@login_required
@renders_service_errors
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _managed_problem(request, pk)
    if not problem.is_open:
        raise Conflict(_("This problem is already settled."), code="settled")
    return _unit_form(
        request,
        problem.lifeline_unit,
        ResolveForm,
        _("Resolve the problem"),
        problem,
        save=lambda data: services.problem_resolve(actor=request.user, problem=problem, **data),
        success_message=_("The problem is resolved."),
    )


urlpatterns = [
    path("units/new/", unit_new, name="unit_new"),
    path("units/<int:pk>/figures/new/", figure_new, name="figure_new"),
    path("units/<int:pk>/thresholds/new/", threshold_new, name="threshold_new"),
    path("units/<int:pk>/roles/new/", role_new, name="role_new"),
    path("units/<int:pk>/problems/new/", problem_new, name="problem_new"),
    path("problems/<int:pk>/edit/", problem_edit, name="problem_edit"),
    path("problems/<int:pk>/resolve/", problem_resolve, name="problem_resolve"),
]
