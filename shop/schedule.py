"""Every periodic job, in one place, with what its schedule means (Celery beat reads this)."""

CELERY_BEAT_SCHEDULE: dict = {
    # Wagtail scheduled publishing: a page set to go live (or expire) at 09:00 does so by 09:01.
    "cms-publish-scheduled-pages": {
        "task": "cms.pages_publish_scheduled_task",
        "schedule": 60.0,
    },
}
