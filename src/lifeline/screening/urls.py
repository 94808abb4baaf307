from django.urls import path

from lifeline.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("console/sync/", views.console_sync, name="console_sync"),
    path("areas/<int:area_id>/lists/<str:kind>/", views.screening_list, name="list"),
    path("areas/<int:area_id>/lists/<str:kind>/session/", views.list_session, name="list_session"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/end/", views.policy_end_view, name="policy_end"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_edit, name="round_edit"),
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
    path("sites/<int:site_pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("review/", views.review, name="review"),
    path("grids/<int:grid_id>/door-to-door/", views.door_to_door, name="door_to_door"),
]
