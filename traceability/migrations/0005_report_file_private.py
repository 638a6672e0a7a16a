"""Inspection reports: a folder instead of a name-making callable (core.uploads names every file by
its content), stored in the private storage."""

import core.uploads
import suppliers.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('traceability', '0004_batch_imports_api_idempotency_keys'),
    ]

    operations = [
        migrations.AlterField(
            model_name='inspection',
            name='report_file',
            field=models.FileField(blank=True, storage=core.uploads.private_storage, upload_to='traceability/reports/', validators=[suppliers.validators.validate_pdf_upload], verbose_name='report (PDF)'),
        ),
    ]
