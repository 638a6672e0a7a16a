"""Every periodic job, in one place, with what its schedule means (Celery beat reads this)."""

CELERY_BEAT_SCHEDULE: dict = {}
