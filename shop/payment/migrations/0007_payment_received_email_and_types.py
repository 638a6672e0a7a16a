"""Data: the "payment received" e-mail type (editable in the dashboard) and the payment event types.

The card payment source type ("stripe-card") is created by the payment method itself, with its
name in the site's language, the way the checkout's other methods create theirs.
"""

from django.db import migrations

COMM_TYPE = {"code": "PAYMENT_RECEIVED", "name": "Payment received", "category": "Order related"}
EVENT_TYPES = [{"code": "paid", "name": "Paid"}, {"code": "refunded", "name": "Refunded"}]


def create(apps, schema_editor):
    CommunicationEventType = apps.get_model("communication", "CommunicationEventType")
    PaymentEventType = apps.get_model("order", "PaymentEventType")
    CommunicationEventType.objects.get_or_create(
        code=COMM_TYPE["code"], defaults={"name": COMM_TYPE["name"], "category": COMM_TYPE["category"]}
    )
    for event_type in EVENT_TYPES:
        if not PaymentEventType.objects.filter(name=event_type["name"]).exists():
            PaymentEventType.objects.get_or_create(code=event_type["code"], defaults={"name": event_type["name"]})


def remove(apps, schema_editor):
    # Only the e-mail type is ours alone; the event types may already be referenced.
    apps.get_model("communication", "CommunicationEventType").objects.filter(code=COMM_TYPE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payment", "0006_stripe_payment_event_refund"),
        ("communication", "0004_auto_20200801_0817"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
    ]

    operations = [migrations.RunPython(create, remove)]
