from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("Impact reporting")

    def ready(self):
        from . import signals  # noqa: F401  (marks days dirty as orders change)
