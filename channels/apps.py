from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """Institutional buyers in the four channels: 农超, 农企, 农校, 农餐."""

    name = "channels"
    verbose_name = _("Channels")

    def ready(self):
        from channels.terms import buyer_terms_for
        from shop.partner.strategy import register_buyer_terms

        # The storefront's strategy asks, once per request and only for a signed-in user, what this
        # buyer pays and how they must order (see the contract in shop.partner.strategy).
        register_buyer_terms("channels", buyer_terms_for)

        # A member's terms are remembered in the cache under a generation that these changes renew.
        from django.db.models.signals import post_delete, post_save

        from channels.models import Membership, Organisation, PriceList
        from channels.terms import terms_changed

        for model in (Membership, Organisation, PriceList):
            uid = f"channels.terms.{model.__name__}"
            post_save.connect(terms_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(terms_changed, sender=model, dispatch_uid=f"{uid}.delete")

        # Payment terms on account (issue 13, part 5): an invoice follows its order's cancellation.
        from channels import account_receivers  # noqa: F401
