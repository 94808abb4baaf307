"""The staff order page shows every category's extra fields under their translated labels
(a field named ``items`` once made the 生活物资 page a 500)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from lifeline.api.tests.helpers import client_for
from lifeline.workorders.labels import choice_label
from lifeline.workorders.models import Category
from lifeline.workorders.pages.staff import extra_rows
from lifeline.workorders.services import workorder_create


def _filled(definition: dict[str, Any], n: int) -> Any:
    kind = definition.get("type", "text")
    if kind == "int":
        return max(int(definition.get("min") or 0), 7)
    if kind == "decimal":
        return "12.5"
    if kind == "bool":
        return True
    if kind == "date":
        return dt.date(2022, 11, 5).isoformat()
    if kind == "choice":
        return definition["choices"][-1]
    return f"填写值{n}-{definition['name']}"


def test_order_page_of_every_seeded_category_shows_all_its_extra_fields(
    city, ladder, categories, grid_worker_a
):
    # given: one order of every seeded category, every extra field filled
    client = client_for(grid_worker_a)
    assert "food_supplies" in categories
    for n, category in enumerate(Category.objects.order_by("sort_order")):
        extra = {d["name"]: _filled(d, n) for d in category.fields}
        order = workorder_create(
            actor=grid_worker_a,
            category_code=category.code,
            area=city.grid_a,
            description="需要帮助",
            address="1栋",
            extra=extra,
        ).order

        # when: the staff page is opened
        response = client.get(f"/workorders/{order.pk}/")

        # then: it renders, with each value under the field's label, not its raw name
        assert response.status_code == 200, category.code
        page = response.content.decode()
        for definition in category.fields:
            value = extra[definition["name"]]
            if definition.get("type") == "choice":
                # a choice is shown by its label, never its stored key
                assert f'data-testid="extra-value">{value}</dd>' not in page
                value = choice_label(value)
            assert f'data-testid="extra-value">{value}</dd>' in page, (category.code, value)
            assert f"<dt>{definition['label']}</dt>" in page, (category.code, definition)
            assert f"<dt>{definition['name']}</dt>" not in page


def test_extra_field_labels_follow_the_language(categories):
    food = categories["food_supplies"]
    extra = {"items": "米 10 斤", "people": 3}
    with translation.override("en"):
        assert extra_rows(food, extra) == [
            ("Items needed", "米 10 斤"),
            ("People in household", "3"),
        ]
    with translation.override("zh-hans"):
        assert extra_rows(food, extra) == [("所需物资", "米 10 斤"), ("人数", "3")]


def test_extra_values_of_fields_no_longer_defined_keep_their_name_and_booleans_read_yes_no(
    categories,
):
    other = Category(
        code="x",
        name="x",
        fields=[{"name": "ok", "label": "可以", "label_en": "OK", "type": "bool"}],
    )
    with translation.override("en"):
        rows = extra_rows(other, {"ok": False, "legacy": "旧值", "blank": ""})
    assert rows == [("OK", "no"), ("legacy", "旧值")]
