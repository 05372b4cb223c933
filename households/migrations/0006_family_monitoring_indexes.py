"""Covering indexes for the monitoring dashboard, trend and map (docs/monitoring.md), built concurrently so that
pushes go on while they are made during fieldwork."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("geotag", "0002_photo_moves_to_photos"),
        ("households", "0005_family_interview_times"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="family",
            index=models.Index(fields=["sls", "created_at"], name="family_sls_created"),
        ),
        AddIndexConcurrently(
            model_name="family",
            index=models.Index(
                condition=models.Q(("status", "approved")), fields=["sls", "reviewed_at"], name="family_sls_approved_at"
            ),
        ),
        AddIndexConcurrently(
            model_name="family",
            index=models.Index(fields=["geotag"], include=("status", "sls"), name="family_geotag_status"),
        ),
        AddIndexConcurrently(
            model_name="prelistfamily",
            index=models.Index(fields=["sls"], include=("status",), name="prelist_sls_status"),
        ),
    ]
