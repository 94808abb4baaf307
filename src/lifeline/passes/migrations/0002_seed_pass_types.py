"""Seed the six pass types of issue 7 (data only, no app imports).

Rules keys (read by lifeline.passes.eligibility): ``testing`` = {"tests": n, "days": d}
(the holder had at least n tests in the last d days); ``refuse_colours`` = health-code
colours that are refused; ``needs_person`` = the pass is for a registered resident.
"""

from django.db import migrations

NOT_RED_YELLOW = ["red", "yellow"]
FIVE_IN_SEVEN = {"tests": 5, "days": 7}

# code, zh, en, applicants, approver kind, approval minutes, max hours, scope, quota, rules
PASS_TYPES = [
    (
        "logistics",
        "物流车辆通行证",
        "Logistics vehicle entry",
        ["enterprise", "unit"],
        "district_bureau",
        180,
        72,
        "route",
        None,
        {},
    ),
    (
        "commute",
        "企业员工通勤证",
        "Enterprise worker commute",
        ["enterprise"],
        "district_bureau",
        480,
        168,
        "route",
        None,
        {"testing": FIVE_IN_SEVEN, "refuse_colours": NOT_RED_YELLOW, "needs_person": True},
    ),
    (
        "supply-run",
        "居民采购通行证",
        "Resident supply run",
        ["grid_worker"],
        "community_committee",
        60,
        12,
        "areas",
        1,
        {"testing": FIVE_IN_SEVEN, "refuse_colours": NOT_RED_YELLOW, "needs_person": True},
    ),
    (
        "phase-move",
        "小区分期通行证",
        "Movement between phases of a compound",
        ["grid_worker"],
        "community_committee",
        60,
        24,
        "areas",
        None,
        {"refuse_colours": NOT_RED_YELLOW, "needs_person": True},
    ),
    (
        "duty",
        "工作人员及志愿者执勤证",
        "Staff and volunteer duty",
        ["unit"],
        "street_office",
        240,
        168,
        "areas",
        None,
        {"testing": FIVE_IN_SEVEN, "refuse_colours": NOT_RED_YELLOW},
    ),
    (
        "donation",
        "捐赠物资运输证",
        "Transport of donated goods",
        ["enterprise", "unit"],
        "command_centre",
        180,
        48,
        "route",
        None,
        {},
    ),
]


def seed(apps, schema_editor):
    PassType = apps.get_model("passes", "PassType")
    for code, name, name_en, who, approver, minutes, hours, scope, quota, rules in PASS_TYPES:
        PassType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "applicant_kinds": who,
                "approver_kind": approver,
                "approval_minutes": minutes,
                "max_validity_hours": hours,
                "scope_kind": scope,
                "household_daily_quota": quota,
                "rules": rules,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("passes", "PassType").objects.filter(
        code__in=[row[0] for row in PASS_TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("passes", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
