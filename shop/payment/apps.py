import oscar.apps.payment.apps as apps


class PaymentConfig(apps.PaymentConfig):
    name = "shop.payment"

    def ready(self):
        super().ready()
        from . import checks, receivers  # noqa: F401  (registers the checks, connects the order signals)
