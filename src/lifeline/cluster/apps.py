from django.apps import AppConfig


class ClusterConfig(AppConfig):
    name = "lifeline.cluster"
    label = "cluster"
