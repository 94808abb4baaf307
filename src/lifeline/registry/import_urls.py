from django.urls import path

from lifeline.registry import import_views

app_name = "registry_import"

urlpatterns = [
    path("import/", import_views.import_upload, name="upload"),
    path("import/<int:pk>/", import_views.import_job, name="job"),
    path("import/<int:pk>/progress/", import_views.import_job_progress, name="progress"),
    path("import/<int:pk>/confirm/", import_views.import_job_confirm_view, name="confirm"),
    path("import/template.xlsx", import_views.import_template, name="template"),
    path("export/", import_views.export_page, name="export"),
]
