"""Queueing a Celery task without ever waiting on a broker that is down."""


def queue_now(task, *args) -> None:
    """Queue a task or fail within milliseconds: never wait on a broker that is down.

    Celery's own publish would retry the connection for seconds (kombu's default), holding the
    request's answer; here the pooled connection is checked once, and a failure is the caller's
    to log: whatever had to happen is in the database and a periodic job catches up.
    """
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return
    with task.app.pool.acquire(block=True, timeout=1) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        task.apply_async(args=args, connection=connection, retry=False)
