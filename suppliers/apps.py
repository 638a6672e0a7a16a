from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    """Cooperatives, enterprises and family farms, their production bases and certifications."""

    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from shop.partner.strategy import register_sale_gate
        from suppliers.selectors import partner_ids_off_sale

        # The storefront's strategy asks this gate, on every request, which partners may not sell.
        register_sale_gate("suppliers", partner_ids_off_sale)
        # Pillow's own guard against decompression bombs, at the limit the upload checks use.
        Image.MAX_IMAGE_PIXELS = settings.PILLOW_MAX_IMAGE_PIXELS
