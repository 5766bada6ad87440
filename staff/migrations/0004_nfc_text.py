"""Compose (NFC) the names and titles users typed before input was composed at the boundary
(courses/text.py): a name stored decomposed would be a second name for uniqueness, sorting and search.
Only the rows whose text changes are written, a thousand at a time."""

from django.db import migrations

from courses.text import nfc_stored_rows

COLUMNS = {
    "Official": ("full_name", "job_position", "leadership_position", "ethnicity"),
    "Unit": ("name",),
    "UnitSuccession": ("legal_basis",),
    "Rank": ("name",),
}


def compose(apps, schema_editor):
    for model_name, fields in COLUMNS.items():
        nfc_stored_rows(apps.get_model("staff", model_name), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_accounts"),
    ]

    # Nothing to undo: the composed text reads exactly like the decomposed one.
    operations = [migrations.RunPython(compose, migrations.RunPython.noop, elidable=True)]
