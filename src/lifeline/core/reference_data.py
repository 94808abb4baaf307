"""Reference data (work-order categories, pass types, the medical-access rule table).

It is created by each app's data migration. A database flush (``flush``, and every
transactional test) empties it while the schema stays, so after each ``post_migrate``
the seed of any reference table found EMPTY is run again. A table with rows is never
touched, so edits made by staff after the first migration are kept.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps as django_apps

# (app label, model whose emptiness means "not seeded", module, seed function), in the
# order the migrations run them: every seed of an empty table runs again, in this order.
SEEDS: list[tuple[str, str, str, str]] = [
    ("workorders", "Category", "lifeline.workorders.migrations.0002_seed_categories", "seed"),
    ("workorders", "Category", "lifeline.workorders.migrations.0008_category_internal", "seed"),
    (
        "workorders",
        "Category",
        "lifeline.counselling.migrations.0002_route_psychological",
        "forward",
    ),
    (
        "workorders",
        "Category",
        "lifeline.command.migrations.0003_review_action_category",
        "forward",
    ),
    ("workorders", "Category", "lifeline.notices.migrations.0003_visit_category", "seed"),
    ("passes", "PassType", "lifeline.passes.migrations.0002_seed_pass_types", "seed"),
    ("health", "RuleTable", "lifeline.health.seed_table", "install"),
    ("supplies", "Item", "lifeline.supplies.migrations.0002_seed_catalogue", "seed"),
]


def restore_missing_reference_data(**kwargs: Any) -> None:
    empty: dict[tuple[str, str], bool] = {}
    for app_label, model_name, module, function in SEEDS:
        owner = module.split(".")[1]
        if not django_apps.is_installed(f"lifeline.{app_label}") or not (
            django_apps.is_installed(f"lifeline.{owner}")
        ):
            continue
        key = (app_label, model_name)
        if key not in empty:
            empty[key] = not django_apps.get_model(app_label, model_name).objects.exists()
        if empty[key]:
            getattr(import_module(module), function)(django_apps, None)
