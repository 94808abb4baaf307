from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "lifeline.bench"
    label = "bench"
