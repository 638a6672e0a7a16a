"""Every periodic job, in one place, with what its schedule means (Celery beat reads this)."""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE: dict = {
    # Every day at 08:00 Shanghai time (CELERY_TIMEZONE): e-mail suppliers whose certificates expire in
    # 30 or 7 days. Running it more often (or twice after a restart) sends nothing twice: each
    # certificate gets at most one reminder per threshold (a unique CertificationReminder row).
    "suppliers-certification-expiry-reminders": {
        "task": "suppliers.tasks.certification_expiry_reminders_send_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Wagtail scheduled publishing: a page set to go live (or expire) at 09:00 does so by 09:01.
    "cms-publish-scheduled-pages": {
        "task": "cms.pages_publish_scheduled_task",
        "schedule": 60.0,
    },
}
