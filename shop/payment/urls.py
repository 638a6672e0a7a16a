"""Public payment URLs, mounted at /payments/ by shop/urls.py (before Wagtail's catch-all)."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("orders/<str:number>/pay/", views.order_pay, name="order-pay"),
    path("orders/<str:number>/status/", views.order_status, name="order-status"),
    path("orders/<str:number>/status.json", views.order_status_json, name="order-status-json"),
]
