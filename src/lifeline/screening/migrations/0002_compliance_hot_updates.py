"""The result import's write path: no per-row constraint check on person results, and
compliance rows that a result updates in place (HOT) instead of re-indexing.

A compliance row is updated by every result of its person. With the two (grid, date)
indexes every update inserted three index entries; indexed by grid alone, an update
changes no indexed column, and with pages kept half-full on PostgreSQL the new version
fits beside the old one even when one import updates every row of a page.
"""

import django.db.models.deletion
from django.db import migrations, models

FILLFACTOR = 50


def _fillfactor(value: int | None):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        if value is None:
            schema_editor.execute("ALTER TABLE screening_compliance RESET (fillfactor)")
        else:
            schema_editor.execute(
                f"ALTER TABLE screening_compliance SET (fillfactor = {int(value)})"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_import_job"),
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="compliance",
            name="scr_compl_grid_tested_idx",
        ),
        migrations.RemoveIndex(
            model_name="compliance",
            name="scr_compl_grid_until_idx",
        ),
        migrations.AlterField(
            model_name="personresult",
            name="sample",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                primary_key=True,
                related_name="result",
                serialize=False,
                to="screening.sample",
            ),
        ),
        migrations.AddIndex(
            model_name="compliance",
            index=models.Index(fields=["grid"], name="scr_compl_grid_idx"),
        ),
        # Applies to rows written from now on; existing rows keep their pages until the
        # table is rewritten (VACUUM FULL), and updates fill the room pruning frees.
        migrations.RunPython(_fillfactor(FILLFACTOR), _fillfactor(None)),
    ]
