"""The work-order category "psychological" (心理援助) goes to the counselling line: its
handler kind becomes the line's unit kind, so routing finds the nearest counselling line
up the area tree (and, where none serves, the community committee as before).
Data only, no app imports."""

from django.db import migrations

CODE = "psychological"
LINE = "counselling_line"
BEFORE = "community_committee"


def _set(apps, kind):
    Category = apps.get_model("workorders", "Category")
    Category.objects.filter(code=CODE).update(handler_kind=kind)
    # Each process reloads its routing tables when the stamp changes (core.config_cache).
    Stamp = apps.get_model("core", "ConfigStamp")
    Stamp.objects.filter(name="workorders.routing").delete()


def forward(apps, schema_editor):
    _set(apps, LINE)


def backward(apps, schema_editor):
    _set(apps, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("counselling", "0001_initial"),
        ("workorders", "0008_category_internal"),
        ("registry", "0010_continuity_kinds"),
        ("core", "0002_config_stamp"),
    ]

    operations = [migrations.RunPython(forward, backward)]
