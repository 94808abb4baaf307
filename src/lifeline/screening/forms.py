"""Forms of the screening management pages: they read and check the request; the services
validate the domain rules, and the page kit's ``apply_service_error`` puts their messages
on the fields (service field names that differ from the forms' in ``FIELD_ALIASES``).

Every choice a form offers (areas, grids, policies, sites, enterprises) lies where the
actor holds ``screening.plan``, the permission of every action these forms lead to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.safetext import SafeCharField
from lifeline.registry.models import Area, AreaLevel, Facility
from lifeline.screening.models import (
    Policy,
    PolicyAudience,
    SessionKind,
    Site,
    SiteKind,
)
from lifeline.screening.services.plans_edit import LIST_SESSION_KINDS
from lifeline.screening.window import MAX_WINDOW_DAYS

AREA_CHOICES_MAX = 500
GRID_CHOICES_MAX = 300
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
PLAN = Perm.SCREENING_PLAN

# Service field names that differ from the form's.
FIELD_ALIASES = {
    "area_id": "area",
    "person_ids": "people",
    "enterprise_ids": "enterprises",
    "grid_ids": "grids",
    "policy_id": "policy",
    "site_id": "site",
}


INDENT = "\u3000"  # an ideographic space per level, so the tree reads in a select


def _indent(area: Area) -> str:
    return INDENT * area.depth + area.name


def area_choices(actor: Actor, *, grids: bool = True) -> list[tuple[str, str]]:
    """Areas the actor may plan for: everything above grid level where they hold
    ``screening.plan``, and the grids too while they are few enough for a select."""
    qs = scoped(Area.objects.all(), actor, PLAN)
    areas = list(qs.exclude(level=AreaLevel.GRID).order_by("path")[:AREA_CHOICES_MAX])
    grid_qs = qs.filter(level=AreaLevel.GRID).order_by("path")
    if grids or not areas:
        areas += list(grid_qs[:GRID_CHOICES_MAX])
    areas.sort(key=lambda a: a.path)
    return [(str(a.pk), _indent(a)) for a in areas]


def grid_choices(actor: Actor, *, near: str) -> list[tuple[str, str]]:
    """Grids the actor plans for under ``near`` (a path), for the grids a session serves."""
    qs = scoped(Area.objects.filter(level=AreaLevel.GRID, path__startswith=near), actor, PLAN)
    return [(str(pk), name) for pk, name in qs.order_by("path").values_list("pk", "name")]


class PolicyForm(forms.Form):
    name = SafeCharField(label=_("Policy name"), max_length=100)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day (empty: until ended)"), required=False, widget=DATE)
    required_tests = forms.IntegerField(
        label=_("Tests required"), min_value=1, max_value=MAX_WINDOW_DAYS, initial=1
    )
    window_days = forms.IntegerField(
        label=_("Within (days)"), min_value=1, max_value=MAX_WINDOW_DAYS, initial=1
    )
    audience = forms.ChoiceField(label=_("Applies to"), choices=PolicyAudience.choices)
    people = SafeCharField(
        label=_("People (one Lifeline code or ID number per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
    )
    enterprises = forms.TypedMultipleChoiceField(
        label=_("Closed-loop enterprises"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        if editing:
            del self.fields["area"]
        else:
            area.choices = area_choices(actor)
        enterprises = self.fields["enterprises"]
        assert isinstance(enterprises, forms.ChoiceField)
        enterprises.choices = [
            (str(pk), name)
            for pk, name in scoped(
                Facility.objects.filter(kind=Facility.Kind.ENTERPRISE), actor, PLAN
            )
            .order_by("name")
            .values_list("pk", "name")[:200]
        ]


class PolicyEndForm(forms.Form):
    last_day = forms.DateField(label=_("Last day in force"), widget=DATE)


class RoundForm(forms.Form):
    name = SafeCharField(label=_("Round name"), max_length=100)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    target_date = forms.DateField(label=_("Target date"), widget=DATE)
    policy = forms.TypedChoiceField(label=_("Policy"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        if editing:
            del self.fields["area"]
        else:
            area.choices = area_choices(actor)
        policy = self.fields["policy"]
        assert isinstance(policy, forms.ChoiceField)
        policies = scoped(Policy.objects.all(), actor, PLAN).order_by("-starts_on")[:200]
        policy.choices = [("", "—")] + [(str(p.pk), str(p)) for p in policies]


class SiteForm(forms.Form):
    name = SafeCharField(label=_("Site or team name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    address = SafeCharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        if editing:
            del self.fields["area"]
        else:
            area.choices = area_choices(actor)


class SessionForm(forms.Form):
    name = SafeCharField(label=_("Session name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    grids = forms.TypedMultipleChoiceField(
        label=_("Grids served"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Actor, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grids = self.fields["grids"]
        assert isinstance(grids, forms.ChoiceField)
        # A site serves its own area's grids and those of its neighbours (one level up).
        parent = site.area.parent
        near = parent.path if parent is not None else site.area.path
        grids.choices = grid_choices(actor, near=near)[:GRID_CHOICES_MAX]


class ListSessionForm(forms.Form):
    """A screening list opened as a session: where and when."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in LIST_SESSION_KINDS],
        initial=SessionKind.SPECIAL,
    )
    name = SafeCharField(label=_("Session name"), max_length=100, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        assert isinstance(site, forms.ChoiceField)
        site.choices = [
            (str(pk), name)
            for pk, name in scoped(Site.objects.all(), actor, PLAN)
            .order_by("area_path", "name")
            .values_list("pk", "name")[:AREA_CHOICES_MAX]
        ]
