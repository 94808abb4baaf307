from django.db import migrations

from lifeline.health.seed_table import install


def remove(apps, schema_editor):
    # Decisions reference the seeded rules (PROTECT), so rolling back is only possible
    # before any decision was logged; that is the honest behaviour.
    apps.get_model("health", "Rule").objects.filter(table__version=1).delete()
    apps.get_model("health", "RuleTable").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
