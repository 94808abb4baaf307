"""``lifeline token create USERNAME --name NAME`` and ``lifeline token revoke PREFIX``.

The plain token is printed once; only its SHA-256 hash is kept, so a lost token is revoked
and replaced, never recovered.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.accounts.models import User
from lifeline.accounts.services import token_create, token_revoke
from lifeline.core.actors import system
from lifeline.core.errors import ServiceError


class Command(BaseCommand):
    help = "API tokens: 'create USERNAME --name NAME' prints a new token once; 'revoke PREFIX'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke the token starting with PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options["username"], options["name"])
            else:
                token = token_revoke(actor=system("token revoke command"), prefix=options["prefix"])
                self.stdout.write(f"revoked {token.prefix}… ({token.name}) of {token.user}")
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        token, plain = token_create(actor=system("token create command"), user=user, name=name)
        self.stderr.write(f"token {token.prefix}… for {user.username}; shown only once:")
        self.stdout.write(plain)
