"""Copy the home page's old rich-text body into the first "text" block of its new StreamField body."""

import json
import uuid

from django.db import migrations


def rich_text_into_stream(apps, schema_editor):
    HomePage = apps.get_model("cms", "HomePage")
    for page in HomePage.objects.exclude(body_html=""):
        page.body = json.dumps([{"type": "text", "value": page.body_html, "id": str(uuid.uuid4())}])
        page.save(update_fields=["body"])


def stream_into_rich_text(apps, schema_editor):
    HomePage = apps.get_model("cms", "HomePage")
    for page in HomePage.objects.all():
        texts = [block.value for block in page.body if block.block_type == "text"]
        page.body_html = "".join(str(t) for t in texts)
        page.save(update_fields=["body_html"])


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_pages_brand_channel_story_navigation")]

    operations = [migrations.RunPython(rich_text_into_stream, stream_into_rich_text)]
