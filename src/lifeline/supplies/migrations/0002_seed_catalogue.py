"""The starting catalogue: categories, units of measure (斤 = 0.5 kg, a box of 20 masks)
and the items the seeds name. Operators add more in the admin."""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("ppe", "防护用品", "Protective equipment"),
    ("disinfection", "消杀用品", "Disinfection"),
    ("food", "食品", "Food"),
    ("fresh", "生鲜", "Fresh food"),
    ("medicine", "药品", "Medicines"),
    ("fuel", "燃料", "Fuel"),
    ("daily", "生活用品", "Daily necessities"),
]

# code, name, English name, dimension, factor (in the dimension's base), only for item
UNITS = [
    ("piece", "件", "piece", "count", "1", None),
    ("bottle", "瓶", "bottle", "count", "1", None),
    ("box", "盒", "box", "count", "1", None),
    ("bag", "袋", "bag", "count", "1", None),
    ("cylinder", "瓶(罐)", "cylinder", "count", "1", None),
    ("portion", "份", "portion", "count", "1", None),
    ("kg", "公斤", "kg", "mass", "1", None),
    ("jin", "斤", "jin (0.5 kg)", "mass", "0.5", None),
    ("g", "克", "g", "mass", "0.001", None),
    ("t", "吨", "tonne", "mass", "1000", None),
    ("n95_box20", "盒(20只)", "box of 20", "count", "20", "n95"),
    ("suit_case50", "箱(50套)", "case of 50", "count", "50", "protective_suit"),
    ("alcohol_case24", "箱(24瓶)", "case of 24", "count", "24", "alcohol_500ml"),
    ("rice_bag25", "袋(25公斤)", "bag of 25 kg", "mass", "25", "rice"),
]

# code, category, name, English name, base unit, expiry, lot, yuan per base unit
ITEMS = [
    ("protective_suit", "ppe", "防护服", "Protective suit", "piece", True, True, "35"),
    ("n95", "ppe", "N95口罩", "N95 mask", "piece", True, True, "3.5"),
    ("surgical_mask", "ppe", "医用外科口罩", "Surgical mask", "piece", True, True, "0.5"),
    ("gloves", "ppe", "医用手套", "Medical gloves", "piece", True, True, "0.3"),
    ("alcohol_500ml", "disinfection", "酒精 500ml", "Alcohol 500 ml", "bottle", True, True, "8"),
    ("disinfectant", "disinfection", "84消毒液", "Disinfectant", "bottle", True, True, "10"),
    ("rice", "food", "大米", "Rice", "kg", False, False, "6"),
    ("flour", "food", "面粉", "Flour", "kg", False, False, "5"),
    ("cooking_oil", "food", "食用油", "Cooking oil", "bottle", True, False, "70"),
    ("instant_noodles", "food", "方便面", "Instant noodles", "box", True, False, "40"),
    ("vegetables", "fresh", "蔬菜", "Vegetables", "kg", False, False, "6"),
    ("meat", "fresh", "猪肉", "Pork", "kg", False, False, "40"),
    ("eggs", "fresh", "鸡蛋", "Eggs", "kg", False, False, "12"),
    ("vegetable_portion", "fresh", "蔬菜包", "Vegetable portion", "portion", False, False, "30"),
    ("fever_medicine", "medicine", "退烧药", "Fever medicine", "box", True, True, "20"),
    ("antihypertensive", "medicine", "降压药", "Blood-pressure medicine", "box", True, True, "30"),
    ("insulin", "medicine", "胰岛素", "Insulin", "box", True, True, "60"),
    ("gas_cylinder", "fuel", "液化气", "Gas cylinder", "cylinder", False, False, "120"),
    ("diapers", "daily", "尿不湿", "Diapers", "bag", False, False, "50"),
    ("infant_formula", "daily", "婴儿奶粉", "Infant formula", "box", True, True, "200"),
]


def seed(apps, schema_editor):
    ItemCategory = apps.get_model("supplies", "ItemCategory")
    MeasureUnit = apps.get_model("supplies", "MeasureUnit")
    Item = apps.get_model("supplies", "Item")
    categories = {
        code: ItemCategory.objects.get_or_create(code=code, defaults={"name": n, "name_en": en})[0]
        for code, n, en in CATEGORIES
    }
    units = {}
    for code, n, en, dim, factor, only in UNITS:
        if only is None:
            units[code] = MeasureUnit.objects.get_or_create(
                code=code,
                defaults={"name": n, "name_en": en, "dimension": dim, "factor": Decimal(factor)},
            )[0]
    items = {}
    for code, cat, n, en, base, expiry, lot, value in ITEMS:
        items[code] = Item.objects.get_or_create(
            code=code,
            defaults={
                "category": categories[cat],
                "name": n,
                "name_en": en,
                "base_unit": units[base],
                "tracks_expiry": expiry,
                "tracks_lot": lot,
                "unit_value": Decimal(value),
            },
        )[0]
    for code, n, en, dim, factor, only in UNITS:
        if only is not None:
            MeasureUnit.objects.get_or_create(
                code=code,
                defaults={
                    "name": n,
                    "name_en": en,
                    "dimension": dim,
                    "factor": Decimal(factor),
                    "item": items[only],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
