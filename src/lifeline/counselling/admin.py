"""Admin for counselling: shown, never written here. Counsellors, duty, contacts and
callbacks change only through their services (scoped to the line, audited); callers'
names and phones stay out of the admin."""

from __future__ import annotations

from django.contrib import admin

from lifeline.core.admin import NeverChanged
from lifeline.counselling.models import Callback, Contact, Counsellor, DutyWindow, Referral


@admin.register(Counsellor)
class CounsellorAdmin(NeverChanged):
    list_display = ("display_name", "line", "supervisor", "active")
    list_filter = ("supervisor", "active")


@admin.register(DutyWindow)
class DutyWindowAdmin(NeverChanged):
    list_display = ("counsellor", "starts_at", "ends_at")
    raw_id_fields = ("counsellor",)


@admin.register(Contact)
class ContactAdmin(NeverChanged):
    list_display = ("started_at", "line", "topic", "outcome", "risk")
    list_filter = ("risk", "topic")
    exclude = ("caller_name", "caller_phone", "note")


@admin.register(Callback)
class CallbackAdmin(NeverChanged):
    list_display = ("missed_at", "line", "status", "phone_masked")
    exclude = ("phone",)


@admin.register(Referral)
class ReferralAdmin(NeverChanged):
    list_display = ("made_at", "to", "basis")
