"""Which Stripe payment methods the shop may offer: its own setting, its keys, and the account.

A method is offered when it is listed in ``settings.STRIPE_PAYMENT_METHODS``, the three Stripe keys
are set, and the Stripe account's capability for it (``card_payments``, ``alipay_payments``,
``wechat_pay_payments``) is "active". The capabilities are read from Stripe (``GET /v1/account``)
by ``stripe_capabilities_refresh`` (every 30 minutes, shop/schedule.py) and kept in the cache; when
the cache has none, the first checkout that asks fetches them (one request at a time).

When Stripe cannot be asked, card stays offered (Stripe would refuse the intent anyway, and card
was offered before the account was consulted) but Alipay and WeChat Pay are not: a buyer is never
sent to a method the account may not have.
"""

import logging

from django.conf import settings
from django.core.cache import cache

from . import stripe_gateway as gateway

logger = logging.getLogger(__name__)

#: The Stripe payment method types the shop knows, and the account capability each one needs.
CAPABILITIES = {
    "card": "card_payments",
    "alipay": "alipay_payments",
    "wechat_pay": "wechat_pay_payments",
}
#: Payment method types that only work in Chinese yuan here (and need nothing in the browser).
WALLETS = ("alipay", "wechat_pay")

CACHE_KEY = "payment:stripe:capabilities"
LOCK_KEY = "payment:stripe:capabilities:lock"
# Kept well past the refresh interval, so a missed run or two never hides a method.
CACHE_SECONDS = 6 * 60 * 60
# After a failed fetch, the checkout does not ask Stripe again for this long.
FAILURE_SECONDS = 5 * 60
UNKNOWN = {"_unknown": "1"}


def methods_enabled() -> list[str]:
    """The method types the shop's setting switches on, known ones only, in the setting's order."""
    return [name for name in settings.STRIPE_PAYMENT_METHODS if name in CAPABILITIES]


def stripe_capabilities_refresh() -> dict[str, str]:
    """Ask Stripe for the account's capabilities and keep them; ``StripeError`` if it cannot answer."""
    capabilities = gateway.account_capabilities()
    cache.set(CACHE_KEY, capabilities, CACHE_SECONDS)
    return capabilities


def stripe_capabilities() -> dict[str, str]:
    """The account's capabilities as last read, fetched now if none are kept (``UNKNOWN`` on failure)."""
    capabilities = cache.get(CACHE_KEY)
    if capabilities is not None:
        return capabilities
    if not cache.add(LOCK_KEY, 1, 30):  # another request is asking Stripe right now
        return UNKNOWN
    try:
        return stripe_capabilities_refresh()
    except gateway.StripeError:
        logger.warning("stripe: could not read the account's capabilities; wallets hidden for now")
        cache.set(CACHE_KEY, UNKNOWN, FAILURE_SECONDS)
        return UNKNOWN
    finally:
        cache.delete(LOCK_KEY)


def stripe_method_offered(method: str) -> bool:
    """Whether checkout may offer this Stripe payment method type now."""
    if method not in methods_enabled() or not gateway.stripe_enabled():
        return False
    if method in WALLETS and settings.OSCAR_DEFAULT_CURRENCY != "CNY":
        return False
    capabilities = stripe_capabilities()
    if capabilities is UNKNOWN or capabilities.get("_unknown"):
        return method not in WALLETS
    return capabilities.get(CAPABILITIES[method]) == "active"
