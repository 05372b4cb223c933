from django.db import migrations
from django.db.models import F


def fill_activated_at(apps, schema_editor):
    # Models loaded before drafts existed were all in use: "most recently loaded" stays their order.
    PMTModel = apps.get_model("ranking", "PMTModel")
    PMTModel.objects.update(activated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("ranking", "0005_pmt_fit")]

    operations = [migrations.RunPython(fill_activated_at, migrations.RunPython.noop)]
