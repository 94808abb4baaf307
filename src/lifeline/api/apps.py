from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lifeline.api"
    label = "api"
