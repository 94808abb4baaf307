"""Background work of the continuity app, run by ``lifeline worker`` on its beat."""

from lifeline.continuity.services.sweep import run_periodic

__all__ = ["run_periodic"]
