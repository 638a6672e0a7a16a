"""Traceability factories: a supplier selling a product from a base, draft and published batches,
inspections, certificates and farm inputs — built through the services wherever a rule applies."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory
from tests.factories.suppliers import ProductionBaseFactory, SupplierFactory, portal_user_for
from traceability import services
from traceability.models import Batch, BatchUnit, ComplianceCertificate, FarmInput

ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")


#: Slugs of the farm-produce classes tests use; their classes get ``needs_certificate`` (as the
#: catalogue migration 0037 and the catalogue's own classes set it).
FARM_PRODUCE_SLUGS = (
    "fresh-fruit",
    "fresh-vegetables",
    "fresh-fungi",
    "dried-fungi",
    "fresh-tea-leaves",
    "fresh-fish",
    "eggs",
)


def product_class(slug: str, name: str = "", needs_certificate: bool | None = None):
    """A product class by slug: ``dried-fungi``, ``tea`` … (farm produce needs a certificate)."""
    if needs_certificate is None:
        needs_certificate = slug in FARM_PRODUCE_SLUGS
    klass, _created = ProductClass.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name or slug,
            "track_stock": True,
            "requires_shipping": True,
            "needs_certificate": needs_certificate,
        },
    )
    return klass


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@dataclass
class Seller:
    """A supplier, one of its bases and one product it sells through its partner's stock record."""

    supplier: object
    base: object
    product: object
    stockrecord: object

    def user(self, **fields):
        return portal_user_for(self.supplier, **fields)


def seller(
    *,
    product_class_slug: str = "tea",
    title: str = "竹溪贡茶 明前特级 100克",
    stock: int = 0,
    price: str = "88.00",
    gtin: str = "",
    supplier=None,
    sku: str = "",
) -> Seller:
    """A supplier selling one product (net stock ``stock``) grown on one of its bases."""
    supplier = supplier or SupplierFactory()
    base = ProductionBaseFactory(supplier=supplier)
    product = ShiyanProductFactory(title=title, product_class=product_class(product_class_slug), gtin=gtin)
    record = ShiyanStockRecordFactory(
        product=product,
        partner=supplier.partner,
        price=Decimal(price),
        num_in_stock=stock,
        num_allocated=0,
        **({"partner_sku": sku} if sku else {}),
    )
    return Seller(supplier, base, product, record)


class BatchFactory(factory.django.DjangoModelFactory):
    """A draft batch written directly (no rule checked): for reads, lists and isolation tests."""

    class Meta:
        model = Batch

    product = factory.SubFactory(ShiyanProductFactory)
    base = factory.SubFactory(ProductionBaseFactory)
    lot_code = factory.Sequence(lambda n: f"LOT-{n:05d}")
    harvest_date = factory.LazyFunction(lambda: days_ago(10))
    packing_date = factory.LazyFunction(lambda: days_ago(9))
    best_before = factory.LazyFunction(lambda: today() + datetime.timedelta(days=300))
    quantity = 50
    quantity_remaining = factory.SelfAttribute("quantity")
    unit = BatchUnit.PIECE
    status = Batch.Status.DRAFT


def draft(
    seller_: Seller, *, quantity: int = 40, harvest: int = 10, best_before_in: int = 300, **fields
) -> Batch:
    """A draft batch created through ``batch_create`` (rules checked)."""
    return services.batch_create(
        product=seller_.product,
        base=fields.pop("base", seller_.base),
        harvest_date=days_ago(harvest),
        packing_date=fields.pop("packing_date", days_ago(max(harvest - 1, 0))),
        best_before=today() + datetime.timedelta(days=best_before_in),
        quantity=quantity,
        **fields,
    )


def passed_inspection(batch: Batch, *, number: str = "", items=None):
    return services.inspection_record(
        batch=batch,
        laboratory="十堰市农产品质量安全检测中心",
        report_number=number or f"SY-{batch.pk}-{Batch.objects.count()}-{timezone.now().timestamp()}",
        sampling_date=days_ago(5),
        items=items
        or [
            services.ItemSpec("毒死蜱", None, Decimal("0.05")),
            services.ItemSpec("吡虫啉", Decimal("0.02"), Decimal("0.5")),
        ],
    )


def failed_inspection(batch: Batch, *, number: str = ""):
    return services.inspection_record(
        batch=batch,
        laboratory="湖北省农产品质量检测中心",
        report_number=number or f"FAIL-{batch.pk}-{timezone.now().timestamp()}",
        sampling_date=days_ago(3),
        items=[services.ItemSpec("铅", Decimal("1.20"), Decimal("1.0"))],
    )


def certificate(batch: Batch, **fields) -> ComplianceCertificate:
    return services.certificate_issue(
        batch=batch,
        issuer=fields.pop("issuer", "房县菌菇专业合作社"),
        contact=fields.pop("contact", "13971912345"),
        basis=fields.pop("basis", ComplianceCertificate.Basis.SELF_TEST),
        **fields,
    )


def published(seller_: Seller, *, quantity: int = 40, **fields) -> Batch:
    """A batch published through ``batch_publish`` (stock added), with a certificate when it needs one."""
    batch = draft(seller_, quantity=quantity, **fields)
    from traceability.rules import product_needs_certificate

    if product_needs_certificate(seller_.product):
        certificate(batch)
    return services.batch_publish(batch=batch)


def spray(base, *, applied_days_ago: int, interval: int, product=None, name: str = "10%吡虫啉可湿性粉剂"):
    return services.farm_input_record(
        base=base,
        product=product,
        kind=FarmInput.Kind.PESTICIDE,
        name=name,
        dose="20克/亩",
        applied_on=days_ago(applied_days_ago),
        pre_harvest_interval_days=interval,
    )


def net_stock(record) -> int:
    record = StockRecord.objects.get(pk=record.pk)
    return record.num_in_stock - (record.num_allocated or 0)
