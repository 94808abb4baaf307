"""Staff pages: the notices list (drafts, waiting, published with their counters, withdrawn),
a draft from a template, one notice with its next step (submit, approve by a second person,
edit or withdraw before publication, update, cancel). The grid worker's list is in
``reach``."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.notices import selectors, services
from lifeline.notices.models import MsgType, NoticeCategory, NoticeGroup, NoticeStatus
from lifeline.notices.texts import template_for
from lifeline.registry.models import Area, AreaLevel
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page


def _require(request: HttpRequest, *perms: str) -> None:
    if not any(can_anywhere(request.user, p) for p in perms):
        raise PermissionDenied()


@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.NOTICES_DRAFT, Perm.NOTICES_APPROVE)
    qs = selectors.notice_list(actor=request.user)
    context = {
        "drafts": list(qs.filter(status=NoticeStatus.DRAFT)[:100]),
        "waiting": list(qs.filter(status=NoticeStatus.SUBMITTED)[:100]),
        "published": list(qs.filter(status=NoticeStatus.PUBLISHED)[:100]),
        "withdrawn": list(qs.filter(status=NoticeStatus.WITHDRAWN)[:20]),
        "may_draft": can_anywhere(request.user, Perm.NOTICES_DRAFT),
    }
    return render(request, "notices/home.html", context)


class DraftForm(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        queryset=Area.objects.none(),
        label=gettext_lazy("Areas"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    category = forms.ChoiceField(choices=NoticeCategory.choices, label=gettext_lazy("Category"))
    groups = forms.MultipleChoiceField(
        choices=NoticeGroup.choices,
        label=gettext_lazy("Who it is for"),
        widget=forms.CheckboxSelectMultiple,
        initial=[NoticeGroup.HOUSEHOLDS],
    )
    title_zh = forms.CharField(max_length=120, label=gettext_lazy("Title (Chinese)"))
    body_zh = forms.CharField(
        max_length=1000, label=gettext_lazy("Text (Chinese)"), widget=forms.Textarea
    )
    title_en = forms.CharField(max_length=160, label=gettext_lazy("Title (English)"))
    body_en = forms.CharField(
        max_length=2000, label=gettext_lazy("Text (English)"), widget=forms.Textarea
    )
    must_reach = forms.BooleanField(
        required=False, label=gettext_lazy("Must reach every household")
    )
    reach_hours = forms.IntegerField(
        min_value=1, max_value=168, initial=12, label=gettext_lazy("Hours to acknowledge")
    )
    expires_days = forms.IntegerField(
        min_value=1, max_value=60, initial=3, label=gettext_lazy("In force for (days)")
    )
    test = forms.BooleanField(required=False, label=gettext_lazy("Test message (CAP status Test)"))

    def __init__(self, *args: Any, actor: Any, with_areas: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_areas:  # an update or cancellation keeps its notice's areas
            del self.fields["areas"]
            return
        # Notices go to communities and above (a grid's worker tells a grid in person).
        areas = scoped(Area.objects.all(), actor, Perm.NOTICES_DRAFT).exclude(level=AreaLevel.GRID)
        field = self.fields["areas"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = areas.select_related("parent").order_by("path")


@login_required
@renders_service_errors
def draft_new(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.NOTICES_DRAFT)
    category = request.GET.get("template", NoticeCategory.HYGIENE)
    initial = template_for(category) or template_for(NoticeCategory.HYGIENE)

    def save(data: dict[str, Any]) -> Any:
        return services.notice_draft(actor=request.user, areas=list(data["areas"]), **_values(data))

    return form_page(
        request,
        form_class=DraftForm,
        form_kwargs={"actor": request.user},
        template="notices/draft.html",
        save=save,
        success_url=lambda n: reverse("notices:detail", args=[n.pk]),
        success_message=_("Draft saved. Submit it for approval when it is ready."),
        initial={**initial, "groups": [NoticeGroup.HOUSEHOLDS]},
        context={"templates": NoticeCategory.choices},
    )


@login_required
@renders_service_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(actor=request.user, pk=pk)
    user = request.user
    paths = notice.target_paths
    context = {
        "notice": notice,
        "areas": list(notice.target_areas.order_by("path")),
        "may_submit": notice.status == NoticeStatus.DRAFT
        and all(can(user, Perm.NOTICES_DRAFT, path=p) for p in paths),
        "may_approve": notice.status == NoticeStatus.SUBMITTED
        and notice.created_by_id != user.pk
        and all(can(user, Perm.NOTICES_APPROVE, path=p) for p in paths),
        "may_follow": notice.status == NoticeStatus.PUBLISHED
        and notice.replaced_at is None
        and notice.msg_type != MsgType.CANCEL
        and all(can(user, Perm.NOTICES_DRAFT, path=p) for p in paths),
        "own_draft": notice.created_by_id == user.pk,
        "may_edit": notice.status in (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED)
        and notice.created_by_id == user.pk
        and all(can(user, Perm.NOTICES_DRAFT, path=p) for p in paths),
        "may_withdraw": notice.status in (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED)
        and services.may_withdraw(user, notice),
    }
    return render(request, "notices/detail.html", context)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    notice = selectors.notice_get(actor=request.user, pk=pk)
    try:
        result = action(notice)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("notices:detail", pk=pk)
    messages.success(request, done)
    return redirect("notices:detail", pk=getattr(result, "pk", pk))


@login_required
@renders_service_errors
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda n: services.notice_submit(actor=request.user, notice=n),
        _("Submitted: a second person approves it before it is published."),
    )


@login_required
@renders_service_errors
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda n: services.notice_approve(actor=request.user, notice=n),
        _("Published. The texts are being sent."),
    )


@login_required
@renders_service_errors
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    kind = MsgType.CANCEL if request.POST.get("kind") == "cancel" else MsgType.UPDATE
    values = {
        k: request.POST.get(k, "").strip()
        for k in ("title_zh", "title_en", "body_zh", "body_en")
        if request.POST.get(k, "").strip()
    }
    return _act(
        request,
        pk,
        lambda n: services.notice_follow_up(
            actor=request.user, original=n, msg_type=kind, **values
        ),
        _("Draft saved. Submit it for approval when it is ready."),
    )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """The service's fields from a draft form's cleaned data."""
    return {
        "category": data["category"],
        "groups": list(data["groups"]),
        "title_zh": data["title_zh"],
        "title_en": data["title_en"],
        "body_zh": data["body_zh"],
        "body_en": data["body_en"],
        "must_reach": data["must_reach"],
        "reach_hours": data["reach_hours"],
        "cap_status": "Test" if data["test"] else "Actual",
        "expires_at": clock.now() + dt.timedelta(days=data["expires_days"]),
    }


@login_required
@renders_service_errors
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author changes a draft or a notice waiting for approval (back to the drafts)."""
    notice = selectors.notice_get(actor=request.user, pk=pk)
    if notice.created_by_id != request.user.pk:
        raise PermissionDenied(_("Only the author of a notice may edit it."), code="not_author")
    if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED):
        raise Conflict(
            _("Only a draft or a notice waiting for approval can be edited."),
            code="not_editable",
        )
    follow_up = notice.references_id is not None
    left = notice.expires_at - clock.now()
    initial = {
        "areas": list(notice.target_areas.all()),
        "category": notice.category,
        "groups": notice.groups,
        "title_zh": notice.title_zh,
        "title_en": notice.title_en,
        "body_zh": notice.body_zh,
        "body_en": notice.body_en,
        "must_reach": notice.must_reach,
        "reach_hours": notice.reach_hours,
        "expires_days": min(60, max(1, math.ceil(left.total_seconds() / 86400))),
        "test": notice.cap_status == "Test",
    }

    def save(data: dict[str, Any]) -> Any:
        areas = None if follow_up else list(data["areas"])
        return services.notice_edit(actor=request.user, notice=notice, areas=areas, **_values(data))

    return form_page(
        request,
        form_class=DraftForm,
        form_kwargs={"actor": request.user, "with_areas": not follow_up},
        template="notices/draft.html",
        save=save,
        success_url=lambda n: reverse("notices:detail", args=[n.pk]),
        success_message=_("Saved. Submit it for approval again when it is ready."),
        initial=initial,
        context={"editing": notice},
    )


@login_required
@renders_service_errors
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda n: services.notice_withdraw(actor=request.user, notice=n),
        _("Withdrawn. It stays on record and will not be published."),
    )
