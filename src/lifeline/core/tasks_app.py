"""django-tasks-db's app under a name in the page's language (the admin lists it). Kept in
a module of its own: ``core/apps.py`` must hold one app config, core's."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig

# The package names its model without a catalogue of its own: listed here so that
# makemessages puts the words in Lifeline's, and the admin shows them translated.
THIRD_PARTY_TEXT = (gettext_noop("Task Result"), gettext_noop("Task Results"))


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]
