"""Template context every page needs for its header and footer."""

from django.conf import settings


def site_chrome(request):
    return {
        "LANGUAGES": settings.LANGUAGES,
        "STRIPE_ENABLED": bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY),
    }
