"""A worker killed mid-task: the task runs again within seconds (pool process) or the broker's
5-minute visibility timeout (whole worker); a worker gone for good shows in /readyz."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.heartbeat import HEARTBEAT_KEY
from core.models import SiteFlag
from core.tasks import worker_heartbeat_task
from shop.celery_app import app as celery_app
from tests.core.test_outbox import PrivateRedis


def test_tasks_are_acknowledged_late_requeued_when_their_worker_dies_and_redelivered_within_5_minutes():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] == 300
    # longer than any task may run, so a slow task is never handed to a second worker meanwhile
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    entry = settings.CELERY_BEAT_SCHEDULE["core-worker-heartbeat"]
    assert entry["task"] == "core.tasks.worker_heartbeat_task" and entry["schedule"] == 60.0


@pytest.mark.django_db
def test_readyz_reports_workers_whose_heartbeat_is_stale_or_missing(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a broker and workers
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 180

    missing = client.get("/readyz")
    worker_heartbeat_task()
    fresh = client.get("/readyz")
    SiteFlag.objects.filter(key=HEARTBEAT_KEY).update(updated_at=timezone.now() - timedelta(minutes=4))
    stale = client.get("/readyz")

    assert missing.status_code == 503 and missing.json()["checks"]["workers"]["ok"] is False
    assert fresh.status_code == 200 and fresh.json()["checks"]["workers"]["ok"] is True
    assert stale.status_code == 503
    assert "240 s old" in stale.json()["checks"]["workers"]["error"]
    assert client.get("/healthz").status_code == 200  # the web's own health does not depend on workers


@pytest.mark.django_db
def test_readyz_without_a_broker_needs_no_worker(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["workers"]["mode"] == "eager"


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_pool_process_killed_mid_task_has_its_task_run_again_at_once(tmp_path):
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis()
    redis.start()
    marks = tmp_path / "marks"
    env = {**os.environ, "REDIS_URL": redis.url, "DJANGO_SETTINGS_MODULE": "shop.settings.test"}
    # Under pytest-xdist the test settings give each worker its own Redis database; the Celery worker
    # must listen where this test sends, on the private server's own database.
    env.pop("PYTEST_XDIST_WORKER", None)
    # The worker's output goes to a file, not a pipe nobody reads (a full pipe would block the
    # worker), and is shown when the test fails.
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shop", "worker", "--pool", "prefork", "--concurrency", "1",
         "-I", "tests.resilience.worker_tasks", "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis.url
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()
    try:
        celery_app.send_task("tests.resilience.worker_tasks.mark_then_sleep", args=[str(marks), 60])
        started = lambda: marks.exists() and marks.read_text().count("\n") == 1  # noqa: E731
        try:
            wait_for(started, 120, "the task to start")
        except AssertionError as error:
            log.flush()
            raise AssertionError(
                f"{error}; the worker said:\n{(tmp_path / 'worker.log').read_text()[-3000:]}"
            )
        first_pid = int(marks.read_text().split()[0])

        os.kill(first_pid, signal.SIGKILL)  # the OOM killer, mid-task
        killed_at = time.monotonic()
        wait_for(lambda: Path(marks).read_text().count("\n") == 2, 60, "the task to run again")

        second_pid = int(marks.read_text().split()[1])
        assert second_pid != first_pid
        assert time.monotonic() - killed_at < 60  # not after the broker's visibility timeout
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        redis.stop()
        log.close()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        celery_app._after_fork()
