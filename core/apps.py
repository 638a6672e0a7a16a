from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces every room uses: places, identifiers, health check, demo data."""

    name = "core"
    verbose_name = _("Core")
