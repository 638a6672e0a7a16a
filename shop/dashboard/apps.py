"""Oscar's dashboard, forked so its sub-apps can be (Oscar loads ``dashboard.<app>.<module>``
classes through this app's package: ``shop.dashboard.catalogue.forms`` and so on)."""

import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"
