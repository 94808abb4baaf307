"""The internal work-order category "review_action" (复盘会整改事项): the actions of a
review meeting, filed by the command centre or a district to the unit that owns each.
No handler kind: routing climbs the ladder from the owner's area, and the service hands
the order to the owner when routing picks another unit. Data only, no app imports."""

from django.db import migrations

CODE = "review_action"
# code, zh, en, default priority, response min, resolution min
CATEGORY = (CODE, "复盘会整改事项", "Review meeting action", 3, 120, 1440)
FACTORS = {
    "normal": {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0},
    "lockdown_surge": {1: 0.25, 2: 0.5, 3: 2.0, 4: 4.0},
}


def forward(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    Version = apps.get_model("workorders", "SlaPolicyVersion")
    Target = apps.get_model("workorders", "SlaTarget")
    code, name, name_en, priority, response, resolution = CATEGORY
    category, _ = Category.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "default_priority": priority,
            "response_minutes": response,
            "resolution_minutes": resolution,
            "location_required": False,
            "medical": False,
            "handler_kind": "",
            "fields": [],
            "keywords": [],
            "sort_order": Category.objects.count(),
            "internal": True,
        },
    )
    for version in Version.objects.all():
        for level, factor in FACTORS.get(version.code, FACTORS["normal"]).items():
            Target.objects.update_or_create(
                version=version,
                category=category,
                priority=level,
                defaults={
                    "response_minutes": max(5, round(response * factor)),
                    "resolution_minutes": max(30, round(resolution * factor)),
                    "warning_percent": 80,
                    "pause_statuses": ["resolved"],
                },
            )
    # Each process reloads its routing tables when the stamp changes (core.config_cache).
    Stamp = apps.get_model("core", "ConfigStamp")
    Stamp.objects.filter(name="workorders.routing").delete()


def backward(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    Category.objects.filter(code=CODE, active=True).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0002_daily_reports_and_review_meetings"),
        ("workorders", "0008_category_internal"),
        ("core", "0002_config_stamp"),
    ]

    operations = [migrations.RunPython(forward, backward)]
