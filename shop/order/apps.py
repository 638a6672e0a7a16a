import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = "shop.order"

    def ready(self):
        super().ready()
        from . import analytics

        analytics.connect()  # Oscar's purchase analytics, in a few queries per order
