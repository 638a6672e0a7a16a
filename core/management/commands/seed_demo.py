"""Load the demo data: suppliers, products, accounts (and, as rooms arrive, batches and pages).

Idempotent: running it twice leaves the same data. Each room contributes a ``demo`` module with a
``seed(command)`` function; they run in dependency order, each in its own transaction.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Lower rooms first: each may rely on what the ones before it created.
DEMO_MODULES = ["catalogue.demo", "core.demo_accounts", "cms.demo"]
SEED_MARKER_KEY = "demo_seeded"


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do nothing when the demo data was loaded before."
        )

    def handle(self, *args, once=False, **options):
        from core.models import SiteFlag

        if once and SiteFlag.objects.filter(key=SEED_MARKER_KEY).exists():
            self.stdout.write("Demo data already loaded (run `python manage.py seed_demo` to refresh).")
            return
        for module_name in DEMO_MODULES:
            module = importlib.import_module(module_name)
            self.stdout.write(self.style.MIGRATE_HEADING(f"Seeding {module_name} …"))
            with transaction.atomic():
                module.seed(self)
        SiteFlag.objects.update_or_create(key=SEED_MARKER_KEY, defaults={"value": "1"})
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
