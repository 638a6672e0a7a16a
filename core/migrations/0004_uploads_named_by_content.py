"""Files stored before the upload rule (core.uploads) by Oscar's catalogue and by Wagtail: any whose
extension does not match its content is stored again under a content name (a file that does is left
alone). Our own apps' files are handled by their own migrations. Nothing to undo going back: the new
names are as valid as the old."""

from django.db import migrations

from core.uploads import restore_field

FIELDS = [
    ("catalogue", "ProductImage", "original"),
    ("catalogue", "Category", "image"),
    ("catalogue", "ProductAttributeValue", "value_file"),
    ("catalogue", "ProductAttributeValue", "value_image"),
    ("wagtailimages", "Image", "file"),
    ("wagtailimages", "Rendition", "file"),
    ("wagtaildocs", "Document", "file"),
    ("wagtailusers", "UserProfile", "avatar"),
]


def forwards(apps, schema_editor):
    for app_label, model_name, field_name in FIELDS:
        restore_field(apps.get_model(app_label, model_name), field_name)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox_message"),
        ("catalogue", "0036_product_merchandising_order_index"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
