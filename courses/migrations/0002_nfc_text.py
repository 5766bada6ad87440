"""Compose (NFC) the titles and names editors typed before input was composed at the boundary
(courses/text.py). Only the rows whose text changes are written, a thousand at a time."""

from django.db import migrations

from courses.text import nfc_stored_rows

COLUMNS = {
    ("wagtailcore", "Page"): ("title", "draft_title"),
    ("courses", "TrainingPage"): ("summary",),
    ("courses", "BestPracticePage"): ("summary",),
    ("courses", "LegalDocument"): ("title",),
    ("courses", "ContentGroup"): ("name",),
    ("courses", "FieldOfWork"): ("name",),
    ("courses", "Skill"): ("name",),
    ("courses", "Trainer"): ("name", "title", "organisation"),
    ("courses", "CourseSession"): ("venue", "schedule_note"),
}


def compose(apps, schema_editor):
    for (app_label, model_name), fields in COLUMNS.items():
        nfc_stored_rows(apps.get_model(app_label, model_name), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_catalog"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Nothing to undo: the composed text reads exactly like the decomposed one.
    operations = [migrations.RunPython(compose, migrations.RunPython.noop, elidable=True)]
