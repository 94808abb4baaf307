"""The work-order category of a door-to-door visit for a household that did not confirm a
must-reach notice (internal: filed by staff from the notices' list, never offered to
residents, the hotline or Open311), with its clock targets. Data only, no app imports."""

from django.db import migrations

CODE = "notice_visit"
# zh, en, default priority, response minutes, resolution minutes, handler kind
CATEGORY = ("通知上门告知", "Door visit for a public notice", 3, 120, 720, "community_committee")
FACTORS = {
    "normal": {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0},
    "lockdown_surge": {1: 0.25, 2: 0.5, 3: 2.0, 4: 4.0},
}


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    Version = apps.get_model("workorders", "SlaPolicyVersion")
    Target = apps.get_model("workorders", "SlaTarget")
    name, name_en, prio, resp, res, handler = CATEGORY
    existing = Category.objects.filter(code=CODE).first()
    order = existing.sort_order if existing else Category.objects.count()
    category, _ = Category.objects.update_or_create(code=CODE, defaults={
        "name": name, "name_en": name_en, "default_priority": prio,
        "response_minutes": resp, "resolution_minutes": res, "location_required": False,
        "medical": False, "handler_kind": handler, "fields": [], "keywords": [],
        "sort_order": order, "internal": True,
    })
    for version in Version.objects.all():
        for priority, factor in FACTORS.get(version.code, FACTORS["normal"]).items():
            Target.objects.update_or_create(
                version=version, category=category, priority=priority,
                defaults={
                    "response_minutes": max(5, round(resp * factor)),
                    "resolution_minutes": max(30, round(res * factor)),
                    "warning_percent": 80,
                    "pause_statuses": ["resolved"],
                },
            )
    # Each process reloads its routing tables when the stamp changes (core.config_cache).
    Stamp = apps.get_model("core", "ConfigStamp")
    Stamp.objects.filter(name="workorders.routing").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0002_fanout_parts_visits_withdrawal"),
        ("workorders", "0008_category_internal"),
        ("core", "0002_config_stamp"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
