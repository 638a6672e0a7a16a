"""System checks for Stripe payment methods (``manage.py check``, and every start-up).

``payment.W001``: a method switched on in ``STRIPE_PAYMENT_METHODS`` that can never be offered as
configured (unknown name, Stripe keys missing, Alipay or WeChat Pay with a shop currency other
than CNY, or its checkout method missing from ``SHOP_PAYMENT_METHODS``). A warning, not an error:
the shop runs, the method is simply not shown.
"""

from django.conf import settings
from django.core.checks import Warning, register

from .capabilities import CAPABILITIES, WALLETS
from .stripe_gateway import stripe_enabled

CHECKOUT_METHODS = {
    "card": "shop.payment.methods.StripeCard",
    "alipay": "shop.payment.methods.StripeAlipay",
    "wechat_pay": "shop.payment.methods.StripeWechatPay",
}


@register("payment")
def stripe_payment_methods_check(app_configs=None, **kwargs):
    problems = []

    def warn(message, hint):
        problems.append(Warning(message, hint=hint, obj="STRIPE_PAYMENT_METHODS", id="payment.W001"))

    for name in settings.STRIPE_PAYMENT_METHODS:
        if name not in CAPABILITIES:
            warn(f"unknown Stripe payment method {name!r}", f"use some of: {', '.join(CAPABILITIES)}")
            continue
        if name not in WALLETS:
            continue
        if not stripe_enabled():
            warn(
                f"{name} is switched on but the Stripe keys are not all set, so it is never offered",
                "set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET",
            )
        if settings.OSCAR_DEFAULT_CURRENCY != "CNY":
            warn(
                f"{name} is offered only for prices in CNY, not {settings.OSCAR_DEFAULT_CURRENCY}",
                "Alipay and WeChat Pay take yuan here; remove them from STRIPE_PAYMENT_METHODS",
            )
        if CHECKOUT_METHODS[name] not in settings.SHOP_PAYMENT_METHODS:
            warn(
                f"{name} is switched on but {CHECKOUT_METHODS[name]} is not in SHOP_PAYMENT_METHODS",
                "add it to SHOP_PAYMENT_METHODS so the checkout can offer it",
            )
    return problems
