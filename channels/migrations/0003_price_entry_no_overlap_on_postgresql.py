"""PostgreSQL only: no two entries of one price list price the same product on the same day.

An exclusion constraint over (price list, product, validity as a closed date range; an open end is
unbounded), which needs the btree_gist extension for the equality parts. SQLite has no such
constraint: there the import's own check, run under the price list's row lock, is the guard
(``channels.services.prices``). The constraint is not in the model's Meta, so Django's model state
(and ``makemigrations``) does not know of it; ``full_clean`` never checks it.
"""

from django.db import migrations

CONSTRAINT = "channels_entry_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE channels_pricelistentry ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        "price_list_id WITH =, product_id WITH =, daterange(valid_from, valid_until, '[]') WITH &&)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE channels_pricelistentry DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_channel_managers_group")]

    operations = [migrations.RunPython(add, remove)]
