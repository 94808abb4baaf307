from django.urls import path

from lifeline.screening import views

app_name = "screening"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/sync/", views.console_sync, name="console_sync"),
    path("areas/<int:area_id>/lists/<str:kind>/", views.screening_list, name="list"),
]
