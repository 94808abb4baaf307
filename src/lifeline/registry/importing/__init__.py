"""Importing household lists (CSV, XLSX, XLS, ODS): read, check every row, match against the
registry (new, changed, unchanged), commit all or nothing."""

from lifeline.core.spreadsheets import FileProblem
from lifeline.registry.importing.commit import CommitResult
from lifeline.registry.importing.jobs import (
    households_check,
    import_job_confirm,
    import_job_create,
    import_job_get,
    import_job_process,
    import_job_result,
)
from lifeline.registry.importing.validate import RowError

__all__ = [
    "CommitResult",
    "FileProblem",
    "RowError",
    "households_check",
    "import_job_confirm",
    "import_job_create",
    "import_job_get",
    "import_job_process",
    "import_job_result",
]
