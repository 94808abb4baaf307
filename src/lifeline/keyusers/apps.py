from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyusersConfig(AppConfig):
    name = "lifeline.keyusers"
    label = "keyusers"
    verbose_name = _("Key protected users and outages")
