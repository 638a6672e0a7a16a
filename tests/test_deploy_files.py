"""docker-compose.yml, Dockerfile and .dockerignore: checked as files (no Docker engine needed).

They must parse, wire proxy/web/worker/beat/db/redis as documented in docs/operations.md, and set only
environment variables the settings actually read. tests/test_proxy.py runs deploy/nginx.conf for real.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat", "migrate")
# Read by Django/Celery themselves rather than by shop/settings.
READ_OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)  # join continued lines
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def settings_env_names() -> set[str]:
    """Every variable name shop/settings/*.py reads through django-environ (env(...), env.bool(...))."""
    names = set()
    for path in (ROOT / "shop" / "settings").glob("*.py"):
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


def command_words(value) -> list[str]:
    return value if isinstance(value, list) else shlex.split(value)


def test_compose_has_the_five_services_and_a_migrate_step(compose):
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(compose["services"])
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert command_words(services["migrate"]["command"])[-3:] == ["manage.py", "migrate", "--noinput"]


def test_web_worker_and_beat_run_the_same_image(compose):
    services = compose["services"]
    builds = {(str(services[name].get("build")), services[name].get("image")) for name in APP_SERVICES}
    assert len(builds) == 1
    build, image = builds.pop()
    assert build == "." and image


def test_commands_run_gunicorn_and_celery_on_the_real_modules(compose, dockerfile):
    services = compose["services"]
    # web runs the image's CMD (gunicorn), the others override it.
    assert "command" not in services["web"]
    worker = command_words(services["worker"]["command"])
    beat = command_words(services["beat"]["command"])
    assert worker[:4] == ["celery", "-A", "shop", "worker"]
    assert beat[:4] == ["celery", "-A", "shop", "beat"]
    from shop import celery_app

    assert celery_app.main == "shop"


def test_app_services_point_at_db_and_redis(compose):
    services = compose["services"]
    db_env = services["db"]["environment"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme in {"postgres", "postgresql"}
        assert database.hostname == "db" and database.port == 5432
        assert database.path.lstrip("/") == db_env["POSTGRES_DB"]
        assert database.username == db_env["POSTGRES_USER"]
        assert urlsplit(env["REDIS_URL"]).hostname == "redis"
        assert env["DJANGO_SETTINGS_MODULE"] == "shop.settings.production"
        # production.py has no default for these: the stack must pass them.
        assert "DJANGO_SECRET_KEY" in env and "DJANGO_ALLOWED_HOSTS" in env


def test_app_services_wait_for_healthy_db_and_redis_and_for_migrations(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_long_running_service_has_a_healthcheck(compose):
    services = compose["services"]
    for name in ("proxy", "web", "worker", "beat", "db", "redis"):
        test = services[name]["healthcheck"]["test"]
        assert test and test[0] in {"CMD", "CMD-SHELL"}, name
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in web_check
    assert resolve("/healthz").url_name == "healthz"


def test_volumes_are_declared_and_mounted(compose):
    declared = set(compose["volumes"])
    assert {"pgdata", "media", "private_media"} <= declared
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/app/media" in services[name]["volumes"]
        assert services[name]["environment"]["DJANGO_MEDIA_ROOT"] == "/app/media"
        # Private papers and uploaded sheets: never served by the proxy.
        assert "private_media:/app/private-media" in services[name]["volumes"]
        assert services[name]["environment"]["DJANGO_PRIVATE_MEDIA_ROOT"] == "/app/private-media"
    assert not any("private_media" in mount for mount in services["proxy"]["volumes"])
    for service in services.values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).is_file(), f"{mount}: {source} is not in the repository"
            else:
                assert source in declared, f"{mount}: volume {source} is not declared"


def test_the_proxy_is_the_only_door_and_serves_the_media_volume_read_only(compose):
    from django.conf import settings

    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${WEB_PORT:-8000}:80"]
    assert "ports" not in services["web"], "gunicorn is reached through the proxy only"
    assert "media:/srv/media:ro" in proxy["volumes"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "http://127.0.0.1/proxy-health" in proxy["healthcheck"]["test"]

    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f"location {settings.MEDIA_URL} {{" in conf and "alias /srv/media/;" in conf
    assert "proxy_pass http://web:8000;" in conf
    assert "listen 80;" in conf and "location = /proxy-health" in conf


def test_compose_sets_only_variables_the_settings_read(compose):
    known = settings_env_names() | READ_OUTSIDE_SETTINGS
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"} <= known
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - known
        assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"


def test_dockerfile_builds_a_non_root_image_that_serves_shop_wsgi(dockerfile):
    keywords = [keyword for keyword, _ in dockerfile]
    assert dockerfile[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(rest for keyword, rest in dockerfile if keyword == "RUN")
    assert "pip install -r requirements/base.txt" in runs
    assert "manage.py collectstatic --noinput" in runs and "DJANGO_SECRET_KEY=" in runs
    users = [rest for keyword, rest in dockerfile if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    env = " ".join(rest for keyword, rest in dockerfile if keyword == "ENV")
    assert "DJANGO_SETTINGS_MODULE=shop.settings.production" in env
    (cmd,) = [rest for keyword, rest in dockerfile if keyword == "CMD"]
    import json

    words = json.loads(cmd)
    assert words[0] == "gunicorn"
    module, _, attribute = words[1].partition(":")
    assert (module, attribute) == ("shop.wsgi", "application")
    wsgi = (ROOT / "shop" / "wsgi.py").read_text()
    assert "application = get_wsgi_application()" in wsgi


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "/media", "/private-media", "/staticfiles", ".env"} <= ignored
    assert any(entry.startswith("*.sqlite3") or entry.startswith("db.sqlite3") for entry in ignored)
