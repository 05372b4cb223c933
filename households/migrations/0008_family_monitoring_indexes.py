"""Covering indexes for the monitoring dashboard, trend and map (docs/monitoring.md). Plain (not
concurrent) so that the migration stays reversible inside a transaction, as the migration tests run
it; at 500,000 families each takes seconds, during which family writes wait."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_admin_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["sls", "created_at"], name="family_sls_created"),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(
                condition=models.Q(("status", "approved")), fields=["sls", "reviewed_at"], name="family_sls_approved_at"
            ),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["geotag"], include=("status", "sls"), name="family_geotag_status"),
        ),
        migrations.AddIndex(
            model_name="prelistfamily",
            index=models.Index(fields=["sls"], include=("status",), name="prelist_sls_status"),
        ),
    ]
