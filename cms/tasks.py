"""Celery tasks of the CMS."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.pages_publish_scheduled_task", ignore_result=True)
def pages_publish_scheduled_task():
    """Publish pages whose “go live” time has come and unpublish expired ones (Wagtail's command).

    Idempotent: a page already published or unpublished is left alone, so overlapping runs are harmless.
    """
    call_command("publish_scheduled", verbosity=0)
