"""Load the demo data: suppliers, products, accounts (and, as rooms arrive, batches and pages).

Idempotent: running it twice leaves the same data. Each room contributes a ``demo`` module with a
``seed(command)`` function; they run in dependency order, each in its own transaction. A module may
also define ``report(command)``: those run after every module has seeded (and on ``--once`` when
there is nothing to do), so what a developer needs to read (the demo accounts) comes last.
"""

import contextlib
import importlib
import logging
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Lower rooms first: each may rely on what the ones before it created. core.demo_accounts needs the
# catalogue's partners; suppliers.demo links the demo cooperative user to its supplier; the CMS pages
# show products, suppliers and batches, so they come last; traceability.demo needs the suppliers' bases;
# channels.demo binds demo accounts to organisations and prices catalogue products; impact.demo sells a
# year of the suppliers' products (paid orders) and builds the roll-ups the home page's figures read.
DEMO_MODULES = [
    "catalogue.demo",
    "core.demo_accounts",
    "suppliers.demo",
    "traceability.demo",
    "channels.demo",
    "channels.demo_quotes",  # issue 13, part 3: a quote in each state (needs channels.demo)
    "channels.demo.accounts",  # orders on account, a statement, an overdue account (issue 13, part 5)
    "impact.demo",
    "cms.demo",
]
SEED_MARKER_KEY = "demo_seeded"


@contextlib.contextmanager
def _quietly():
    """Seeding places demo orders: their e-mails go nowhere (not to the console of `make run`) and
    the hundreds of tasks run in-process on the way are not each logged."""
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        trace.setLevel(level)


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do nothing when the demo data was loaded before."
        )

    def handle(self, *args, once=False, **options):
        from core.models import SiteFlag

        modules = [importlib.import_module(name) for name in DEMO_MODULES]
        if once and SiteFlag.objects.filter(key=SEED_MARKER_KEY).exists():
            self.stdout.write("Demo data already loaded (run `python manage.py seed_demo` to refresh).")
            self._report(modules)
            return
        started = time.monotonic()
        with _quietly():
            for module in modules:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Seeding {module.__name__} …"))
                with transaction.atomic():
                    module.seed(self)
        SiteFlag.objects.get_or_create(key=SEED_MARKER_KEY, defaults={"value": "1"})
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self._report(modules)

    def _report(self, modules):
        for module in modules:
            report = getattr(module, "report", None)
            if report is not None:
                report(self)
