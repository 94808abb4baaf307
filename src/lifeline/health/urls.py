"""Health pages, mounted under /health/."""

from django.urls import path

from lifeline.health import views

app_name = "health"

urlpatterns = [
    path("people/<int:pk>/decide/", views.person_decide, name="person_decide"),
    path("people/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
    path("people/<int:pk>/standing/", views.standing_needs, name="standing_needs"),
    path("standing/<int:pk>/end/", views.standing_need_end, name="standing_need_end"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_page, name="transfer"),
    path("transfers/<int:pk>/times/", views.transfer_time, name="transfer_time"),
    # Residents, no login: a phone proven by the resident form's one-time code.
    path("r/access/", views.resident_access, name="resident_access"),
]
