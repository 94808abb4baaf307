from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lifeline.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from lifeline.registry.models import Area

        # Areas looked up by id are kept per process (selectors.area_get); any write to an
        # area marks that copy stale in every process.
        post_save.connect(_areas_changed, sender=Area, dispatch_uid="registry.areas")
        post_delete.connect(_areas_changed, sender=Area, dispatch_uid="registry.areas-")


def _areas_changed(**kwargs: Any) -> None:
    from lifeline.core.config_cache import bump
    from lifeline.registry.selectors import AREAS_STAMP

    bump(AREAS_STAMP)
