from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lifeline.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from lifeline.accounts.models import ApiToken, Membership, User

        # Each process keeps live tokens and actors' scopes in memory (token_authenticate,
        # accounts.scoping.scope_for); any write to these tables, from a service, the admin or
        # a shell, marks those copies stale in every process.
        # Units are named lazily: the registry (which defines them) sits above accounts.
        for model in (User, Membership, ApiToken, "registry.Unit"):
            post_save.connect(_access_changed, sender=model, dispatch_uid=f"access.{model}")
            post_delete.connect(_access_changed, sender=model, dispatch_uid=f"access-{model}")


def _access_changed(**kwargs: Any) -> None:
    from lifeline.accounts.services import ACCESS_STAMP
    from lifeline.core.config_cache import bump

    bump(ACCESS_STAMP)
