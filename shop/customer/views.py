"""Oscar's account views with one change: signing out takes a POST.

A GET that signs out can be fired by anyone: a link, an ``<img>`` on another site, a browser's
prefetch. Here GET only shows a page with a "Sign out" button (a form with a CSRF token).
"""

from django.template.response import TemplateResponse
from oscar.apps.customer import views


class LogoutView(views.LogoutView):
    http_method_names = ["get", "head", "post", "options"]

    def get(self, request, *args, **kwargs):
        """Ask: the buyer confirms with the button, which posts."""
        return TemplateResponse(request, "oscar/customer/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        """Sign out, drop Oscar's cookies and go to the shop's home page (Oscar's own ``get``)."""
        return super().get(request, *args, **kwargs)


class OrderHistoryView(views.OrderHistoryView):
    """The buyer's orders as cards (status, first products, parcel, total, one-tap re-order): each
    page reads its orders' lines and parcels in two queries, not two per order."""

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines", "shipments")


class OrderDetailView(views.OrderDetailView):
    """Oscar's order page, with the order's timeline: placed, paid, each parcel, delivered."""

    def get_context_data(self, **kwargs):
        from shop.order.services import order_timeline

        context = super().get_context_data(**kwargs)
        context["timeline"] = order_timeline(context["order"])
        return context
