"""``lifeline unlock USERNAME`` lifts the log-in lock of an account after failed attempts;
``lifeline unlock --address 203.0.113.7`` lifts the log-in and API-token limits of a client
address. Both are audited (``login.unlock``), with the system as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lifeline.accounts.lockout import login_unlock
from lifeline.core.actors import system


class Command(BaseCommand):
    help = "Unlock an account (USERNAME) or a client address (--address) after failed log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--address", default="", help="a client IP address to unlock")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"].strip(), options["address"].strip()
        if not username and not address:
            raise CommandError(_("Give a username, an --address, or both."))
        if not login_unlock(actor=system("unlock command"), username=username, address=address):
            raise CommandError(_("No user is named %(username)s.") % {"username": username})
        if username:
            self.stdout.write(_("%(username)s may log in again.") % {"username": username})
        if address:
            self.stdout.write(_("%(address)s may try again.") % {"address": address})
