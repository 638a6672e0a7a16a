"""Retry policies shared by the rooms' Celery tasks."""

import smtplib

#: E-mail tasks: transient failures of the mail server are retried with backoff (30 s, doubling, up
#: to 30 min, 8 tries); anything else is a bug and surfaces. The services behind these tasks
#: remember who was mailed already, so a retry never mails anyone twice.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}
