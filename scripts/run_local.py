"""`make run` after the install: migrate when behind, load the demo data once, serve; in one process.

    .venv/bin/python scripts/run_local.py 127.0.0.1:8000

Each separate ``manage.py`` call pays Django's start-up (Oscar, Wagtail: seconds), and ``migrate``
with nothing to apply still runs the system checks and every post-migrate handler. So this asks the
migration graph whether anything is unapplied (cheap) and migrates only then, runs
``seed_demo --once`` in the same process, then hands over to ``runserver`` (autoreload on). The
reloader's child re-runs this script with RUN_MAIN=true and goes straight to serving.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")


def prepare() -> None:
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False)
    else:
        print("Database up to date: no migrations to apply.")
    call_command("seed_demo", once=True)
    connections.close_all()


def main() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    if os.environ.get("RUN_MAIN") != "true":  # the reloader's child: its parent has prepared
        prepare()
    call_command("runserver", *sys.argv[1:], skip_checks=False)  # call_command skips them by default


if __name__ == "__main__":
    main()
