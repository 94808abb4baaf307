"""The counselling pages under /counselling/: the public list of who is on duty (no login),
the counsellor's desk, the supervisor's page and its export."""

from lifeline.counselling.pages import desk, exports, public, supervisor

app_name = "counselling"

urlpatterns = [
    *public.urlpatterns,
    *desk.urlpatterns,
    *supervisor.urlpatterns,
    *exports.urlpatterns,
]
