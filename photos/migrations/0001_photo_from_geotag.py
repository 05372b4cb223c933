# Photo, taken over from the geotag app (geotag/migrations/0002_photo_moves_to_photos.py) without
# touching the database: the model keeps the table geotag_photo (Meta.db_table), so its rows, their
# foreign keys and the files they name stay as they are. The content type follows the model, so
# permissions and admin history that point at it stay attached.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=target, model="photo").exists():
        content_type.objects.filter(app_label=source, model="photo").update(app_label=target)


def content_type_to_photos(apps, schema_editor):
    _move_content_type(apps, schema_editor, "geotag", "photos")


def content_type_to_geotag(apps, schema_editor):
    _move_content_type(apps, schema_editor, "photos", "geotag")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("geotag", "0002_photo_moves_to_photos"),
        ("households", "0001_family_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Photo",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("client_uuid", models.UUIDField(unique=True)),
                        ("sha256", models.CharField(max_length=64)),
                        ("size_bytes", models.PositiveIntegerField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("received", "Diterima, belum diproses"),
                                    ("ready", "Siap"),
                                    ("rejected", "Ditolak"),
                                ],
                                default="received",
                                max_length=10,
                            ),
                        ),
                        ("original", models.FileField(blank=True, upload_to="photos/incoming/")),
                        ("image", models.FileField(blank=True, upload_to="photos/ready/")),
                        ("thumbnail", models.FileField(blank=True, upload_to="photos/thumbs/")),
                        ("width", models.PositiveIntegerField(blank=True, null=True)),
                        ("height", models.PositiveIntegerField(blank=True, null=True)),
                        ("rejection_code", models.CharField(blank=True, max_length=30)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "family",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="photos",
                                to="households.family",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "foto rumah",
                        "verbose_name_plural": "foto rumah",
                        "db_table": "geotag_photo",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_photos, content_type_to_geotag, elidable=True),
    ]
