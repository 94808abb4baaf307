from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lifeline.core"
    label = "core"
    verbose_name = _("Audit and messages")

    def ready(self) -> None:
        from lifeline.core import config_cache
        from lifeline.core.reference_data import restore_missing_reference_data
        from lifeline.core.retention import register_core_retention

        # Django's own hook for data that must exist
        # after migrate and after flush (as content types and permissions do).
        post_migrate.connect(
            restore_missing_reference_data, sender=self, dispatch_uid="lifeline.reference"
        )
        # Each request reads the configuration stamps once (core/config_cache.py).
        request_started.connect(config_cache.request_started, dispatch_uid="lifeline.stamps")
        request_finished.connect(config_cache.request_finished, dispatch_uid="lifeline.stamps")
        # What core prunes itself (core/retention.py); each app registers its own tables.
        register_core_retention()
