"""Fill the natural sort keys of existing buildings and households, and store the relations
communities wrote in Chinese as the vocabulary's codes (unknown words stay as written and
read as they are). The key function and the words are copied here, not imported: a
migration keeps working when the app's code moves on."""

import re

from django.db import migrations

_DIGITS = re.compile(r"\d+")
BATCH = 2000

WORDS = {
    "head": ("户主", "本人", "户主本人"),
    "spouse": ("配偶", "妻子", "丈夫", "妻", "夫", "爱人", "老伴"),
    "child": ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女"),
    "child_in_law": ("儿媳", "女婿", "子女配偶"),
    "parent": ("父母", "父亲", "母亲", "父", "母"),
    "parent_in_law": ("公婆", "岳父母", "公公", "婆婆", "岳父", "岳母"),
    "grandchild": ("孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙"),
    "grandparent": ("祖父母", "外祖父母", "祖父", "祖母", "外祖父", "外祖母"),
    "sibling": ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    "tenant": ("租户", "租客", "承租人"),
    "other": ("其他", "其它", "亲属", "家属", "亲戚", "朋友", "同住人", "借住", "保姆"),
}


def natural_key(text):
    return _DIGITS.sub(lambda m: m.group().lstrip("0").rjust(10, "0"), text or "")[:255]


def _fill(model, source, key):
    rows = []
    for pk, value in model.objects.values_list("pk", source).iterator(chunk_size=BATCH):
        rows.append(model(pk=pk, **{key: natural_key(value)}))
        if len(rows) >= BATCH:
            model.objects.bulk_update(rows, [key])
            rows = []
    if rows:
        model.objects.bulk_update(rows, [key])


def forwards(apps, schema_editor):
    _fill(apps.get_model("registry", "Building"), "name", "name_sort")
    _fill(apps.get_model("registry", "Household"), "unit_no", "unit_sort")
    person = apps.get_model("registry", "Person")
    for code, words in WORDS.items():
        person.objects.filter(relation__in=words).update(relation=code)


def backwards(apps, schema_editor):
    person = apps.get_model("registry", "Person")
    for code, words in WORDS.items():
        person.objects.filter(relation=code).update(relation=words[0])


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_natural_sort_phone_suffix_relations")]

    operations = [migrations.RunPython(forwards, backwards)]
