# Photo moved to the photos app (photos/migrations/0001_photo_from_geotag.py takes it over). Only
# Django's record of the models changes: the table geotag_photo, its rows and the files stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("geotag", "0001_geotags_and_photos"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Photo")],
            database_operations=[],
        ),
    ]
