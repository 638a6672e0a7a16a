from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """Wagtail pages and blocks that show live shop data."""

    name = "cms"
    verbose_name = _("CMS")

    def ready(self):
        from cms import signals

        signals.connect()
