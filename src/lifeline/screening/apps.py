from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "lifeline.screening"
    label = "screening"
    verbose_name = _("Mass testing by grid")

    def ready(self) -> None:
        from lifeline.registry.panels import register_person_panel
        from lifeline.screening.person_panel import tests_panel

        register_person_panel("screening", tests_panel)  # the person page's tests
