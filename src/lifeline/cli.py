"""The ``lifeline`` console command: Django's management commands plus Lifeline's own.

``lifeline demo``, ``lifeline import households FILE``, ``lifeline audit verify``,
``lifeline bench NAME`` and ``lifeline worker`` are management commands of the apps.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["lifeline", *argv])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
