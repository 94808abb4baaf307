"""Stored masked ID numbers keep the province only (core.personal.mask_id_number)."""

from django.db import migrations

REMASK = (
    "UPDATE registry_person SET id_number_masked = "
    "substr(id_number_masked, 1, 2) || '****************' WHERE id_number_masked <> ''"
)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_import_job")]

    operations = [migrations.RunSQL(REMASK, migrations.RunSQL.noop)]
