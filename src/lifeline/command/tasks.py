"""Background work of the command app, run by ``lifeline worker`` on its beat."""

from lifeline.command.services.refresh import run_periodic

__all__ = ["run_periodic"]
