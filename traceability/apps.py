from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    """Batches, trace events, inspections, certificates, trace codes, allocation and recall."""

    name = "traceability"
    verbose_name = _("Traceability")
