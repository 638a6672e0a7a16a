"""A task for tests/resilience/test_workers.py, loaded by the test's own worker (``celery -I``)."""

import os
import time

from celery import shared_task


@shared_task
def mark_then_sleep(path: str, seconds: float) -> None:
    """Write this process's id to ``path``, then take ``seconds``: long enough to be killed in."""
    with open(path, "a") as marks:
        marks.write(f"{os.getpid()}\n")
    time.sleep(seconds)
