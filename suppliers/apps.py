from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    """Cooperatives, enterprises and family farms, their production bases and certifications."""

    name = "suppliers"
    verbose_name = _("Suppliers")
