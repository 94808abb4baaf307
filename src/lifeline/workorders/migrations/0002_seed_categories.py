"""Seed the 12 categories of issue 3 and two clock policy versions ("normal" active).

Data only, no app imports: the migration must mean the same thing whatever the code becomes.
"""

from django.db import migrations


def _f(name, label, label_en, type_="text", required=False, **more):
    return {"name": name, "label": label, "label_en": label_en, "type": type_,
            "required": required, **more}


# code, zh, en, default priority, response min, resolution min, location required, medical,
# handler kind (when no rule matches), extra fields, keywords for suggesting a category
CATEGORIES = [
    ("medicine", "买药送药", "Medicine", 3, 60, 1440, False, True, "community_committee",
     [_f("drug", "药品", "Drug", required=True),
      _f("days_left", "剩余天数", "Days of medicine left", "int", min=0)],
     ["药", "降压", "胰岛素", "medicine", "drug", "insulin", "prescription"]),
    ("medical_care", "就医转运", "Medical care or transfer", 2, 15, 240, True, True,
     "community_committee",
     [_f("need", "需求", "Need", "choice",
         choices=["visit", "transfer", "dialysis", "chemo", "maternity", "other"]),
      _f("hospital", "医院", "Hospital")],
     ["就医", "医院", "透析", "化疗", "孕", "hospital", "dialysis", "doctor", "ambulance"]),
    ("food_supplies", "生活物资", "Food and supplies", 3, 120, 1440, True, False,
     "community_committee",
     [_f("items", "所需物资", "Items needed", required=True),
      _f("people", "人数", "People in household", "int", min=1)],
     ["菜", "米", "粮", "物资", "奶粉", "food", "vegetables", "rice", "groceries"]),
    ("gas", "燃气", "Gas", 3, 240, 1440, True, False, "",
     [_f("account", "燃气户号", "Gas account", required=True),
      _f("remaining_m3", "剩余气量(m³)", "Gas left (m³)", "decimal", min=0)],
     ["燃气", "气量", "充气", "煤气", "gas"]),
    ("power", "供电", "Power", 2, 60, 480, True, False, "",
     [_f("account", "电费户号", "Power account", required=True),
      _f("issue", "问题", "Problem", "choice", choices=["outage", "prepaid_low", "other"])],
     ["停电", "电费", "断电", "power", "electricity", "outage"]),
    ("water", "供水", "Water", 2, 60, 480, True, False, "",
     [_f("account", "水费户号", "Water account"),
      _f("issue", "问题", "Problem", "choice",
         choices=["outage", "low_pressure", "quality", "other"])],
     ["停水", "水压", "水质", "water"]),
    ("pass", "通行证", "Pass", 3, 240, 1440, False, False, "street_office",
     [_f("purpose", "事由", "Purpose", required=True),
      _f("vehicle_plate", "车牌", "Vehicle plate")],
     ["通行证", "出行", "pass", "permit"]),
    ("testing", "核酸检测", "Testing", 3, 240, 1440, True, False, "community_committee",
     [_f("people", "人数", "People to test", "int", min=1),
      _f("reason", "原因", "Reason", "choice",
         choices=["immobile", "missed", "yellow_code", "other"])],
     ["核酸", "采样", "检测", "test", "swab"]),
    ("elderly_care", "老弱病残照护", "Elderly or disabled care", 2, 60, 720, True, False,
     "community_committee",
     [_f("need", "照护需求", "Care needed", required=True)],
     ["老人", "独居", "残疾", "卧床", "elderly", "disabled", "bedridden"]),
    ("psychological", "心理援助", "Psychological help", 3, 60, 1440, False, False,
     "community_committee",
     [_f("preferred_time", "方便联系时间", "When to call back")],
     ["心理", "焦虑", "失眠", "抑郁", "anxious", "depressed", "counselling"]),
    ("incident", "突发事件与纠纷", "Incident or dispute", 2, 30, 240, True, False,
     "street_office",
     [_f("kind", "类型", "Kind", "choice",
         choices=["barrier", "gathering", "dispute", "other"])],
     ["围挡", "推倒", "聚集", "吵架", "纠纷", "打架", "barrier", "pushed over", "gathered",
      "quarrel", "dispute", "fight"]),
    ("other", "其他", "Other", 4, 480, 4320, False, False, "community_committee", [], []),
]

# Targets per priority, as a factor of the category's defaults. Under "lockdown surge"
# normal and low priority work waits longer so critical work keeps its clock.
FACTORS = {
    "normal": {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0},
    "lockdown_surge": {1: 0.25, 2: 0.5, 3: 2.0, 4: 4.0},
}
VERSIONS = [("normal", "常态", "Normal", True), ("lockdown_surge", "封控高峰", "Lockdown surge", False)]


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    Version = apps.get_model("workorders", "SlaPolicyVersion")
    Target = apps.get_model("workorders", "SlaTarget")
    categories = []
    for order, row in enumerate(CATEGORIES):
        code, name, name_en, prio, resp, res, loc, medical, handler, fields, words = row
        categories.append(Category.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "default_priority": prio,
            "response_minutes": resp, "resolution_minutes": res, "location_required": loc,
            "medical": medical, "handler_kind": handler, "fields": fields, "keywords": words,
            "sort_order": order,
        })[0])
    for code, name, name_en, active in VERSIONS:
        version, _ = Version.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "active": active})
        for category in categories:
            for priority, factor in FACTORS[code].items():
                Target.objects.update_or_create(
                    version=version, category=category, priority=priority,
                    defaults={
                        "response_minutes": max(5, round(category.response_minutes * factor)),
                        "resolution_minutes": max(30, round(category.resolution_minutes * factor)),
                        "warning_percent": 80,
                        "pause_statuses": ["resolved"],
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
