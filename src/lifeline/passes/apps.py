from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "lifeline.passes"
    label = "passes"
    verbose_name = _("Movement passes")
