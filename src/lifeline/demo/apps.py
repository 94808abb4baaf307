from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lifeline.demo"
    label = "demo"
