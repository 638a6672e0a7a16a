from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    """Phone-first accounts: sign-in, sign-up and guest checkout by mobile number and SMS code."""

    name = "shop.phone"
    label = "phone"
    verbose_name = _("Mobile sign-in")
    default_auto_field = "django.db.models.BigAutoField"
