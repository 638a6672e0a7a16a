from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_home_body_into_stream")]

    operations = [
        migrations.RemoveField(model_name="homepage", name="body_html"),
    ]
