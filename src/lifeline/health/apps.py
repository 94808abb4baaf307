from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "lifeline.health"
    label = "health"
    verbose_name = _("Health status and medical access")

    def ready(self) -> None:
        from lifeline.health.selectors import decision_latest
        from lifeline.workorders.providers import register_medical_guidance

        # The hotline console (work orders, a layer below) shows the caller's latest
        # medical-access decision through this slot.
        register_medical_guidance(decision_latest)
