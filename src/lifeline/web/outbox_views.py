"""The dead-letter list: text messages the outbox gave up on, for an operator to retry.

The outbox is one for the whole city, so the page needs ``outbox.manage`` from a
membership anywhere (as the medical-access rule table does). It shows each message's
envelope (the recipient masked, what it was about, attempts, the last error, the times),
never its body; a retry is a POST, audited by ``core.outbox.outbox_retry``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core.errors import PermissionDenied
from lifeline.core.models import OutboxMessage
from lifeline.core.outbox import outbox_dead_letters, outbox_retry
from lifeline.core.personal import mask_phone
from lifeline.web.errors import renders_service_errors

PAGE_SIZE = 50


def _object_label(message: OutboxMessage) -> str:
    """What the message was about, in the reader's words ("Work order #12")."""
    if not message.object_type:
        return ""
    try:
        name = str(apps.get_model(message.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = message.object_type
    name = name[:1].upper() + name[1:]
    return f"{name} #{message.object_id}" if message.object_id else name


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "pk": message.pk,
        "recipient": mask_phone(message.recipient),
        "about": _object_label(message),
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": message.created_at,
        "failed_at": message.failed_at,
    }


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def dead_letters(request: HttpRequest) -> HttpResponse:
    """GET: the failed messages, newest failure first; POST ``message``: retry those."""
    if not can_anywhere(request.user, Perm.OUTBOX_MANAGE):
        raise PermissionDenied()
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("message")[:PAGE_SIZE] if v.isdigit()]
        count = outbox_retry(actor=request.user, message_ids=ids) if ids else 0
        if count:
            text = ngettext(
                "%(count)d message queued to be sent again.",
                "%(count)d messages queued to be sent again.",
                count,
            )
            messages.success(request, text % {"count": count})
        else:
            messages.warning(request, _("That message is no longer in the failed list."))
        return redirect("web:outbox")
    failed = outbox_dead_letters()
    page = Paginator(failed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [_row(m) for m in page.object_list],
        "total": page.paginator.count,
        "param": "page",
    }
    return render(request, "web/outbox.html", context)
