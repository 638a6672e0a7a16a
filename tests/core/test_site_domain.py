"""Links in e-mails sent without a request (Celery) are built from the Site row, kept at SITE_DOMAIN."""

import pytest
from django.contrib.sites.models import Site

from core.apps import sync_site

pytestmark = pytest.mark.django_db


def test_the_site_row_follows_site_domain_after_migrate(settings):
    settings.SITE_DOMAIN = "shop.shiyan.example"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com")

    sync_site()

    assert Site.objects.get(pk=settings.SITE_ID).domain == "shop.shiyan.example"


def test_a_missing_site_row_is_created(settings):
    settings.SITE_DOMAIN = "shop.shiyan.example"
    Site.objects.all().delete()
    Site.objects.clear_cache()

    sync_site()

    assert Site.objects.get(pk=settings.SITE_ID).domain == "shop.shiyan.example"
