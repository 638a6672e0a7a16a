import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    name = "shop.partner"

    def ready(self):
        super().ready()
        from . import receivers

        receivers.connect()  # Oscar's stock-record receivers, for many records at once
