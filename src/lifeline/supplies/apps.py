from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "lifeline.supplies"
    label = "supplies"
    verbose_name = _("Supplies and donations")

    def ready(self) -> None:
        from lifeline.supplies.order_link import supply_need_link
        from lifeline.workorders.links import register_order_link

        register_order_link("supplies.need", supply_need_link)
