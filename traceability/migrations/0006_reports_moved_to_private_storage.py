"""Existing inspection reports move from the public media folder to the private storage, under names
whose extension comes from their content (core.uploads). Reversible: they move back."""

from django.core.files.storage import default_storage, storages
from django.db import migrations

from core.uploads import restore, restore_field


def forwards(apps, schema_editor):
    restore_field(apps.get_model("traceability", "Inspection"), "report_file", source=default_storage)


def backwards(apps, schema_editor):
    inspection = apps.get_model("traceability", "Inspection")
    for pk, name in inspection.objects.exclude(report_file="").values_list("pk", "report_file"):
        new_name = restore(name, source=storages["private"], target=default_storage)
        inspection.objects.filter(pk=pk).update(report_file=new_name)


class Migration(migrations.Migration):
    dependencies = [
        ("traceability", "0005_report_file_private"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
