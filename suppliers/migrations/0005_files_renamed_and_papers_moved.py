"""Existing files follow the upload rule (core.uploads): logos and base photos are renamed where their
extension did not match their content; application documents and certificate scans move from the
public media folder to the private storage (under content names). Reversible: the papers move back."""

from django.core.files.storage import default_storage, storages
from django.db import migrations

from core.uploads import restore, restore_field

PRIVATE_FIELDS = [("SupplierDocument", "file"), ("Certification", "scan")]
PUBLIC_FIELDS = [("Supplier", "logo"), ("BasePhoto", "image")]


def forwards(apps, schema_editor):
    for model_name, field_name in PUBLIC_FIELDS:
        restore_field(apps.get_model("suppliers", model_name), field_name)
    for model_name, field_name in PRIVATE_FIELDS:
        restore_field(apps.get_model("suppliers", model_name), field_name, source=default_storage)


def backwards(apps, schema_editor):
    for model_name, field_name in PRIVATE_FIELDS:
        model = apps.get_model("suppliers", model_name)
        for pk, name in model.objects.exclude(**{field_name: ""}).values_list("pk", field_name):
            new_name = restore(name, source=storages["private"], target=default_storage)
            model.objects.filter(pk=pk).update(**{field_name: new_name})


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0004_application_usage"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
