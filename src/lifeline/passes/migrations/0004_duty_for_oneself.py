"""A staff member or volunteer may apply for a duty pass for themselves (data only)."""

from django.db import migrations

SELF_TYPES = ["duty"]


def seed(apps, schema_editor):
    PassType = apps.get_model("passes", "PassType")
    for pass_type in PassType.objects.filter(code__in=SELF_TYPES):
        if "self" not in pass_type.applicant_kinds:
            pass_type.applicant_kinds = [*pass_type.applicant_kinds, "self"]
            pass_type.save(update_fields=["applicant_kinds"])


def unseed(apps, schema_editor):
    PassType = apps.get_model("passes", "PassType")
    for pass_type in PassType.objects.filter(code__in=SELF_TYPES):
        pass_type.applicant_kinds = [k for k in pass_type.applicant_kinds if k != "self"]
        pass_type.save(update_fields=["applicant_kinds"])


class Migration(migrations.Migration):
    dependencies = [("passes", "0003_application_unit_driver_phone")]
    operations = [migrations.RunPython(seed, unseed)]
