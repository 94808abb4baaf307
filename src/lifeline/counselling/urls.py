"""The counselling pages under /counselling/: the public list of who is on duty (no login),
the counsellor's desk and the supervisor's page."""

from lifeline.counselling.pages import desk, public, supervisor

app_name = "counselling"

urlpatterns = [*public.urlpatterns, *desk.urlpatterns, *supervisor.urlpatterns]
