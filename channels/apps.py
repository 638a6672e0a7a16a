from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """Institutional buyers in the four channels: 农超, 农企, 农校, 农餐."""

    name = "channels"
    verbose_name = _("Channels")
