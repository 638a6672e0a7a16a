"""Start many requests at the same moment, each in its own thread and database connection."""

import threading
from collections.abc import Callable

from django.db import connection


def race(work: Callable[[int], object], runners: int, *, timeout: float = 300) -> list:
    """Run ``work(0)`` … ``work(runners - 1)`` in threads released together by a barrier; the list of
    what each returned. An exception becomes ``("crash", repr(error))`` in its place, so a deadlock
    fails the test instead of vanishing in the thread; a thread still running after ``timeout``
    fails it too. Each thread opens its own connection and closes it; so does this one (before, so
    the test's own connection is not shared; Django reconnects on its next query)."""
    connection.close()
    start = threading.Barrier(runners)
    outcomes: list = [None] * runners

    def run(number):
        try:
            start.wait(timeout=60)
            outcomes[number] = work(number)
        except Exception as error:
            outcomes[number] = ("crash", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer did not finish"
    return outcomes
