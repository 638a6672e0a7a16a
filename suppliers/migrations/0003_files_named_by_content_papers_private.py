"""Uploads: folders instead of name-making callables (core.uploads names every file by its content),
and application documents and certificate scans move to the private storage."""

import core.uploads
import suppliers.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('suppliers', '0002_cooperative_users_group'),
    ]

    operations = [
        migrations.AlterField(
            model_name='basephoto',
            name='image',
            field=models.ImageField(upload_to='suppliers/bases/', validators=[suppliers.validators.validate_image_upload], verbose_name='photo'),
        ),
        migrations.AlterField(
            model_name='certification',
            name='scan',
            field=models.FileField(blank=True, help_text='A PDF or a photo of the certificate, at most 10 MB.', storage=core.uploads.private_storage, upload_to='suppliers/certificates/', validators=[suppliers.validators.validate_document_upload], verbose_name='scanned certificate'),
        ),
        migrations.AlterField(
            model_name='supplier',
            name='logo',
            field=models.ImageField(blank=True, upload_to='suppliers/logos/', validators=[suppliers.validators.validate_image_upload], verbose_name='logo'),
        ),
        migrations.AlterField(
            model_name='supplierdocument',
            name='file',
            field=models.FileField(storage=core.uploads.private_storage, upload_to='suppliers/documents/', validators=[suppliers.validators.validate_document_upload], verbose_name='file'),
        ),
    ]
