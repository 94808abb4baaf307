from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "lifeline.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from lifeline.core.retention import register_retention
        from lifeline.registry.models import Unit
        from lifeline.registry.panels import register_person_panel
        from lifeline.workorders.models import Category, RoutingRule, SlaPolicyVersion, SlaTarget
        from lifeline.workorders.person_panel import open_orders_panel

        register_person_panel("workorders", open_orders_panel)  # the person page's orders

        # Intake keeps these tables in memory per process (services/routing.py config());
        # any write to them, from a service, the admin or a shell, marks that copy stale.
        for model in (Category, RoutingRule, SlaPolicyVersion, SlaTarget, Unit):
            post_save.connect(_routing_changed, sender=model, dispatch_uid=f"routing.{model}")
            post_delete.connect(_routing_changed, sender=model, dispatch_uid=f"routing-{model}")
        m2m_changed.connect(
            _routing_changed, sender=Unit.areas.through, dispatch_uid="routing.unit_areas"
        )
        register_retention("one_time_codes", "workorders.OneTimeCode", field="expires_at", days=1)


def _routing_changed(**kwargs: Any) -> None:
    from lifeline.core.config_cache import bump
    from lifeline.workorders.services.routing import CONFIG_NAME

    bump(CONFIG_NAME)
