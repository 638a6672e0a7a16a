"""China as the one shipping country: Oscar's checkout needs an address.Country row for it."""

from django.db import migrations


def add_china(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={
            "iso_3166_1_a3": "CHN",
            "iso_3166_1_numeric": "156",
            "printable_name": "中国",
            "name": "中华人民共和国",
            "display_order": 100,
            "is_shipping_country": True,
        },
    )


def remove_china(apps, schema_editor):
    # Addresses cascade from their country, so a China that addresses use is only switched off.
    Country = apps.get_model("address", "Country")
    UserAddress = apps.get_model("address", "UserAddress")
    ShippingAddress = apps.get_model("order", "ShippingAddress")
    in_use = (
        UserAddress.objects.filter(country_id="CN").exists()
        or ShippingAddress.objects.filter(country_id="CN").exists()
    )
    if in_use:
        Country.objects.filter(pk="CN").update(is_shipping_country=False)
    else:
        Country.objects.filter(pk="CN").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("address", "0007_useraddress_code"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
    ]

    operations = [migrations.RunPython(add_china, remove_china)]
