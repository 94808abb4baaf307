from django.urls import path

from lifeline.web import outbox_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("outbox/", outbox_views.dead_letters, name="outbox"),
]
