"""`make run` after the install: migrate when behind, load the demo data once, serve with autoreload.

    .venv/bin/python scripts/run_local.py 127.0.0.1:8000

A second `make run` must serve within seconds, and Django's start-up (Oscar, Wagtail) costs seconds
per process. ``manage.py migrate``, ``seed_demo --once`` and ``runserver`` as three commands pay it
four times (runserver's reloader sets Django up in its watcher process too), and ``migrate`` with
nothing to apply still runs the system checks and every post-migrate handler. Here the watcher
process never sets Django up: it only restarts the server process whenever that exits to reload.
The first server process asks the migration graph whether anything is unapplied (cheap), migrates
only then, runs ``seed_demo --once``, and serves; later ones (after a code change) just serve.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")


def base_url(argv: list[str]) -> str:
    """The address runserver serves on, as the base of links made without a request (QR codes, mails).

    ``make run PORT=8001`` serves on 127.0.0.1:8001, so labels printed from it must point there too.
    """
    address = next((arg for arg in argv if not arg.startswith("-")), "127.0.0.1:8000")
    if address.isdigit():
        address = f"127.0.0.1:{address}"
    return f"http://{address}"


PREPARE = "SHOP_RUN_LOCAL_PREPARE"


def prepare() -> None:
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False)
    else:
        print("Database up to date: no migrations to apply.")
        from core.apps import sync_site

        sync_site()  # the port may differ from the last run's (make run PORT=…)
    call_command("seed_demo", once=True)
    connections.close_all()


def serve() -> None:
    """The server process (RUN_MAIN=true): Django's runserver serves and exits with 3 on a change."""
    import django
    from django.core.management import call_command

    django.setup()
    if os.environ.pop(PREPARE, "") == "1":
        prepare()
    call_command("runserver", *sys.argv[1:], skip_checks=False)  # call_command skips checks by default


def watch() -> int:
    """What runserver's reloader does in its first process, without setting Django up there."""
    from django.utils import autoreload

    env = {**os.environ, autoreload.DJANGO_AUTORELOAD_ENV: "true", PREPARE: "1"}
    args = autoreload.get_child_arguments()
    while True:
        code = subprocess.run(args, env=env, close_fds=False).returncode  # noqa: S603
        if code != 3:  # 3: a file changed, start again
            return code
        env.pop(PREPARE, None)


if __name__ == "__main__":
    os.environ.setdefault("WAGTAILADMIN_BASE_URL", base_url(sys.argv[1:]))
    if os.environ.get("RUN_MAIN") == "true":
        serve()
    else:
        try:
            sys.exit(watch())
        except KeyboardInterrupt:
            sys.exit(0)
