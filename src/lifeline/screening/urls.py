from django.urls import path

from lifeline.screening.pages import console, lab, lists, policies, review, rounds, sessions, sites

app_name = "screening"

urlpatterns = [
    path("", review.home, name="home"),
    path("console/", console.console, name="console"),
    path("console/sync/", console.console_sync, name="console_sync"),
    path("console/sessions/open/", console.console_session_open, name="console_session_open"),
    path("console/sw.js", console.console_service_worker, name="console_sw"),
    path("lab/", lab.lab_home, name="lab"),
    path("lab/template.csv", lab.lab_template, name="lab_template"),
    path("lab/imports/<int:pk>/", lab.lab_job, name="lab_job"),
    path("lab/imports/<int:pk>/progress/", lab.lab_job_progress, name="lab_job_progress"),
    path("areas/<int:area_id>/lists/<str:kind>/", lists.screening_list, name="list"),
    path("areas/<int:area_id>/lists/<str:kind>/session/", lists.list_session, name="list_session"),
    path("policies/", policies.policy_list, name="policies"),
    path("policies/new/", policies.policy_new, name="policy_new"),
    path("policies/<int:pk>/", policies.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/end/", policies.policy_end_view, name="policy_end"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_edit, name="round_edit"),
    path("sites/", sites.site_list, name="sites"),
    path("sites/new/", sites.site_new, name="site_new"),
    path("sites/<int:pk>/", sites.site_edit, name="site_edit"),
    path("sites/<int:site_pk>/sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:pk>/", sessions.session_edit, name="session_edit"),
    path("review/", review.review, name="review"),
    path("grids/<int:grid_id>/door-to-door/", review.door_to_door, name="door_to_door"),
]
