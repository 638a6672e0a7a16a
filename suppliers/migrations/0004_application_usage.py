"""The daily allowance of anonymous applications per network (rate and size)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('suppliers', '0003_files_named_by_content_papers_private'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApplicationUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('network', models.CharField(max_length=64, verbose_name='network')),
                ('day', models.DateField(verbose_name='day')),
                ('applications', models.PositiveIntegerField(default=0, verbose_name='applications')),
                ('bytes_uploaded', models.PositiveBigIntegerField(default=0, verbose_name='bytes uploaded')),
            ],
            options={
                'verbose_name': 'application usage',
                'verbose_name_plural': 'application usage',
                'ordering': ['-day', 'network'],
                'constraints': [models.UniqueConstraint(fields=('network', 'day'), name='suppliers_usage_one_row_per_network_day')],
            },
        ),
    ]
