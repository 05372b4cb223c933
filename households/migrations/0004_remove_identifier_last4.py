"""Contract: the last four digits of NIK / No. KK are no longer stored beside the ciphertext.

The mask is now read from the keyed hash (households.identifiers.mask). Code before this change
reads the columns and code after it does not write them, so web and worker are stopped while this
runs (docs/operations.md, "Upgrading").
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_fill_revision_identifier_tokens"),
    ]

    operations = [
        migrations.RemoveField(model_name="family", name="kk_last4"),
        migrations.RemoveField(model_name="member", name="nik_last4"),
    ]
