from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lifeline.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from lifeline.accounts.scoping import register_unit_tree
        from lifeline.registry.models import Area
        from lifeline.registry.tree import units_below

        # Scoping (a layer below) learns the units under a unit from the one tree walk.
        register_unit_tree(units_below)
        # Areas looked up by id are kept per process (tree.area_get); any write to an
        # area marks that copy stale in every process.
        post_save.connect(_areas_changed, sender=Area, dispatch_uid="registry.areas")
        post_delete.connect(_areas_changed, sender=Area, dispatch_uid="registry.areas-")


def _areas_changed(**kwargs: Any) -> None:
    from lifeline.core.config_cache import bump
    from lifeline.registry.tree import AREAS_STAMP

    bump(AREAS_STAMP)
