from decimal import Decimal

from django.db import migrations


def baseline(apps, schema_editor):
    YearTarget = apps.get_model("impact", "YearTarget")
    YearTarget.objects.get_or_create(
        year=2020,
        defaults={
            "sales": Decimal("200000000.00"),
            "enterprises": 84,
            "products": 330,
            "households": 30000,
            "note": "2016–2020 plan (baseline)",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_impact_rollups")]
    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
