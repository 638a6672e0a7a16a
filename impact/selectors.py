"""What the impact pages show: figures turned into labelled tables, chart data and map colours."""

from decimal import Decimal

from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.places import BeijingDistrict, County
from core.sales_channels import channel_label
from suppliers.models import Supplier

from .figures import MAP_COUNTIES, TOP, Figures, progress

Product = get_model("catalogue", "Product")


#: Hand-drawn schematic outlines (viewBox 0 0 400 300): north is up, neighbours touch as on the map.
MAP_SHAPES = {
    County.ZHUXI: "M30 150 L90 122 L122 172 L112 258 L34 278 L8 220 Z",
    County.ZHUSHAN: "M90 122 L170 112 L200 160 L215 178 L192 250 L112 258 L122 172 Z",
    County.FANGXIAN: "M215 178 L248 168 L272 142 L350 172 L372 250 L292 290 L192 250 Z",
    County.YUNXI: "M40 40 L150 22 L182 80 L170 112 L90 122 L30 150 L20 80 Z",
    County.YUNYANG: "M150 22 L250 16 L280 70 L252 100 L230 128 L200 160 L170 112 L182 80 Z",
    County.DANJIANGKOU: "M250 16 L380 30 L396 112 L350 172 L272 142 L262 104 L280 70 Z",
    County.MAOJIAN: "M252 100 L262 104 L272 142 L248 168 L238 136 Z",
    County.ZHANGWAN: "M230 128 L252 100 L238 136 L248 168 L215 178 L200 160 Z",
}


def _label(choices, value, empty):
    if not value:
        return empty
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _share(rows, total):
    return [(label, amount, int(amount * 100 / total) if total else 0) for label, amount in rows]


def _shade(amount: Decimal, top: Decimal) -> str:
    """A green from pale (no sales) to deep (the county that sold most)."""
    if not top or not amount:
        return "#eef3ea"
    ratio = float(amount / top)
    light, deep = (220, 236, 210), (38, 110, 50)
    red, green, blue = (round(a + (b - a) * ratio) for a, b in zip(light, deep, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def page_data(figures: Figures, *, categories: dict) -> dict:
    """Every table of the page (label, amount, percent of the total), the chart data, the map."""
    total = figures.sales
    top_suppliers = figures.by_supplier[:TOP]
    top_products = figures.by_product[:TOP]
    supplier_names = dict(
        Supplier.objects.filter(pk__in=[pk for pk, _amount in top_suppliers]).values_list("pk", "short_name")
    )
    product_names = dict(
        Product.objects.filter(pk__in=[pk for pk, _amount in top_products]).values_list("pk", "title")
    )
    unknown = _("Not known")
    months = [(month.strftime("%Y-%m"), amount) for month, amount in figures.by_month]
    counties = [(_label(County, code, unknown), amount) for code, amount in figures.by_county]
    county_amounts = dict(figures.by_county)
    top_county = max(county_amounts.values(), default=Decimal("0"))
    county_map = [
        {
            "code": code,
            "label": str(County(code).label),
            "amount": county_amounts.get(code, Decimal("0")),
            "shape": MAP_SHAPES[code],
            "fill": _shade(county_amounts.get(code, Decimal("0")), top_county),
        }
        for code in MAP_COUNTIES
    ]
    channels = [(channel_label(code), amount) for code, amount in figures.by_channel]
    target = figures.target or {}
    headline = [
        ("sales", _("Sales"), figures.sales, target.get("sales")),
        ("enterprises", _("Suppliers reached"), figures.suppliers, target.get("enterprises")),
        ("products", _("Products reached"), figures.products, target.get("products")),
        ("households", _("Households reached"), figures.households, target.get("households")),
    ]
    return {
        "figures": figures,
        "headline": [
            {"key": key, "label": label, "value": value, "target": goal, "progress": progress(value, goal)}
            for key, label, value, goal in headline
        ],
        "target": figures.target,
        "months": _share(months, total),
        "counties": _share(counties, total),
        "county_map": county_map,
        "suppliers": _share([(supplier_names.get(pk, str(pk)), a) for pk, a in top_suppliers], total),
        "products": _share([(product_names.get(pk, str(pk)), a) for pk, a in top_products], total),
        "channels": _share(channels, total),
        "categories": _share(
            [(categories.get(pk, unknown) if pk else unknown, a) for pk, a in figures.by_category], total
        ),
        "brands": _share(figures.by_brand[:TOP], total),
        "districts": _share(
            [
                (_label(BeijingDistrict, code, _("Outside Beijing or not known")), a)
                for code, a in figures.by_district
            ],
            total,
        ),
        "chart": {
            "months": [label for label, _a in months],
            "monthAmounts": [float(amount) for _label_, amount in months],
            "channels": [{"name": label, "value": float(amount)} for label, amount in channels],
            "suppliers": [
                {"name": supplier_names.get(pk, str(pk)), "value": float(amount)}
                for pk, amount in top_suppliers
            ],
            "salesLabel": _("Sales (yuan)"),
        },
    }
