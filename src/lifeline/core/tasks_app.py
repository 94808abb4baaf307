"""django-tasks-db's app under a name in the page's language (the admin lists it). Kept in
a module of its own: ``core/apps.py`` must hold one app config, core's."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]
