from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "lifeline.teams"
    label = "teams"
    verbose_name = _("Door-to-door field teams")

    def ready(self) -> None:
        # A work order settled elsewhere (staff resolved it, it was cancelled ...) leaves
        # the crews' routes (teams.services.stops).
        from lifeline.teams.services.stops import on_workorder_settled
        from lifeline.workorders.services import workorder_settled

        workorder_settled.connect(
            on_workorder_settled, dispatch_uid="teams.stops_drop_settled_order"
        )
