"""Demo batches: every demo product gets published batches from its supplier's bases, with the farm
inputs, harvest and packing events, inspections and compliance certificates a real one would have.

Run by ``manage.py seed_demo`` after ``suppliers.demo``. Backfill: the catalogue demo already put the
stock in the stock records, so the batches are published with ``add_stock=False`` and their remaining
quantities add up to each product's net stock (the invariant in ``traceability.services``). Extra
demo states keep it too: one batch on hold was published (adding its units) and then held (taking
them off again); sold-out batches hold nothing. A product that already has batches is left alone, so
a second run writes nothing (and dates relative to today do not create new lots on a later day).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.demo.data import PARTNERS, PRODUCTS, DemoProduct
from suppliers.models import ProductionBase, Supplier
from traceability import services
from traceability.models import Batch, BatchUnit, BizStep, ComplianceCertificate, FarmInput
from traceability.rules import product_needs_certificate
from traceability.services import InputSpec, ItemSpec

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

COOP_PARTNER = "fangxian-mushroom-coop"  # the demo cooperative user's supplier: it also gets a draft

#: Lot code prefix by product category (the catalogue demo's category codes).
LOT_PREFIX = {
    "green-tea": "LC",
    "black-tea": "HC",
    "tea": "CH",
    "shiitake": "XG",
    "black-fungus": "MR",
    "citrus": "GJ",
    "olive-oil": "GL",
    "yellow-wine": "HJ",
    "dried-fish": "YG",
    "noodles": "FT",
    "herbs": "YC",
}

#: (days ago the older batch was harvested or made, days for the newer one) by category: fresh citrus
#: was picked days ago, dried fungi months ago, oil at last autumn's pressing, wine bottled long ago.
AGES = {
    "green-tea": (230, 205),
    "black-tea": (190, 160),
    "tea": (200, 150),
    "shiitake": (150, 60),
    "black-fungus": (170, 80),
    "citrus": (9, 3),
    "olive-oil": (330, 300),
    "yellow-wine": (300, 120),
    "dried-fish": (60, 25),
    "noodles": (120, 45),
    "herbs": (210, 90),
}

LAB = "十堰市农产品质量安全检测中心"
CONCLUSION = "所检项目符合 GB 2763-2021《食品中农药最大残留限量》及 GB 2762-2022《食品中污染物限量》要求。"
PROVINCE_LAB = "湖北省农产品质量安全检验站"

#: Items tested, by category: (analyte, result or None for not detected, limit, method).
TESTS = {
    "tea": [
        ("毒死蜱", None, "2", "GB 23200.113-2018"),
        ("吡虫啉", "0.03", "0.5", "GB/T 23379-2009"),
        ("联苯菊酯", "0.12", "5", "GB 23200.113-2018"),
        ("铅", "0.62", "5.0", "GB 5009.12-2023"),
    ],
    "citrus": [
        ("毒死蜱", None, "1", "GB 23200.113-2018"),
        ("吡虫啉", "0.04", "1", "GB/T 20769-2008"),
        ("阿维菌素", None, "0.02", "GB 23200.20-2016"),
        ("丙溴磷", "0.01", "0.2", "GB 23200.113-2018"),
    ],
    "fungi": [
        ("铅", "0.21", "1.0", "GB 5009.12-2023"),
        ("镉", "0.08", "0.5", "GB 5009.15-2023"),
        ("总汞", None, "0.1", "GB 5009.17-2021"),
        ("总砷", "0.11", "0.5", "GB 5009.11-2024"),
    ],
    "olive-oil": [
        ("苯并[a]芘", "1.2", "10", "GB 5009.27-2016"),
        ("铅", None, "0.1", "GB 5009.12-2023"),
        ("酸价", "0.4", "0.8", "GB 5009.229-2016"),
    ],
}

#: Sprays and fertiliser on the bases, by category: (kind, name, dose, days before harvest, interval).
FARM_INPUTS = {
    "tea": [
        ("fertiliser", "菜籽饼有机肥", "150千克/亩", 70, 0),
        ("pesticide", "10%吡虫啉可湿性粉剂", "20克/亩，稀释2000倍", 25, 7),
        ("pesticide", "2.5%联苯菊酯乳油", "30毫升/亩", 18, 7),
    ],
    "citrus": [
        ("fertiliser", "腐熟羊粪有机肥", "1.5吨/亩", 120, 0),
        ("pesticide", "1.8%阿维菌素乳油", "稀释3000倍喷雾", 40, 14),
        ("pesticide", "10%吡虫啉可湿性粉剂", "稀释2500倍喷雾", 30, 14),
    ],
    "fungi": [
        ("other", "栎木屑培养料", "每袋1.5千克", 150, 0),
    ],
}


@dataclass
class Plan:
    """The batches a product gets: quantities of its published batches, oldest first."""

    data: DemoProduct
    product: object
    record: object
    supplier: Supplier
    bases: list[ProductionBase]


def _category_group(category: str) -> str:
    if category in ("green-tea", "black-tea", "tea"):
        return "tea"
    if category in ("shiitake", "black-fungus"):
        return "fungi"
    return category


def _split(stock: int) -> list[int]:
    """Net stock split over one or two batches (the older one nearly sold through)."""
    if stock >= 40:
        older = max(1, round(stock * 0.35))
        return [older, stock - older]
    return [stock] if stock > 0 else []


def _base_for(plan: Plan, number: int) -> ProductionBase:
    if plan.data.category == "yellow-wine":
        for base in plan.bases:
            if "酿造" in base.name or "车间" in base.name:
                return base
    return plan.bases[number % len(plan.bases)]


def _lot_code(category: str, day: datetime.date, item: int, number: int) -> str:
    return f"{LOT_PREFIX.get(category, 'PC')}-{day:%y%m%d}-{item}{number + 1}"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    """``hour`` o'clock on ``day``, or a little before now when that is still to come today."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now() - datetime.timedelta(minutes=5))


def _farm_inputs(plan: Plan, base: ProductionBase, harvest: datetime.date) -> None:
    group = _category_group(plan.data.category)
    if group not in FARM_INPUTS or FarmInput.objects.filter(base=base, product=plan.product).exists():
        return
    for kind, name, dose, before, interval in FARM_INPUTS[group]:
        services.farm_input_record(
            base=base,
            product=plan.product,
            kind=kind,
            name=name,
            dose=dose,
            applied_on=harvest - datetime.timedelta(days=before),
            pre_harvest_interval_days=interval,
            plot=base.plots[0] if base.plots else "",
        )


def _inspect(batch: Batch, plan: Plan, packed: datetime.date, number: int):
    group = _category_group(plan.data.category)
    if group not in TESTS:
        return None
    items = [
        ItemSpec(
            analyte,
            Decimal(result) if result else None,
            Decimal(limit),
            "mg/kg" if analyte != "苯并[a]芘" else "μg/kg",
            method,
        )
        for analyte, result, limit, method in TESTS[group]
    ]
    sampled = min(packed + datetime.timedelta(days=1), timezone.localdate())
    partner_number = next(p.number for p in PARTNERS if p.code == plan.data.partner)
    return services.inspection_record(
        batch=batch,
        laboratory=PROVINCE_LAB if group == "olive-oil" else LAB,
        report_number=f"SYJC{sampled:%Y%m}-{partner_number:02d}{plan.data.item:02d}{number + 1}",
        sampling_date=sampled,
        report_date=min(sampled + datetime.timedelta(days=2), timezone.localdate()),
        items=items,
        conclusion=CONCLUSION,
    )


def _batch(
    plan: Plan, number: int, quantity: int, age: int, *, inputs=(), publish=True, complete=True
) -> Batch:
    """One batch with its farm inputs, harvest and packing events, inspection and certificate."""
    today = timezone.localdate()
    base = _base_for(plan, number)
    harvest = today - datetime.timedelta(days=age)
    packed = min(harvest + datetime.timedelta(days=1 if plan.data.category == "citrus" else 3), today)
    shelf_life = int(plan.data.attributes.get("shelf_life_days", 365))
    _farm_inputs(plan, base, harvest)
    batch = services.batch_create(
        product=plan.product,
        base=base,
        lot_code=_lot_code(plan.data.category, harvest, plan.data.item, number),
        harvest_date=harvest,
        packing_date=packed,
        best_before=packed + datetime.timedelta(days=shelf_life),
        quantity=quantity,
        unit=BatchUnit.PIECE,
        inputs=inputs,
    )
    actor = plan.supplier.legal_name
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.COMMISSIONING,
        event_type="TransformationEvent" if inputs else "",
        event_time=_at(harvest, 9),
        base=base,
        actor=actor,
        quantity=Decimal(quantity),
        details={
            "note": "分装自以下批次"
            if inputs
            else "采收"
            if plan.data.category in ("citrus", "shiitake", "black-fungus")
            else "生产"
        },
    )
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.PACKING,
        event_time=_at(packed, 15),
        base=base,
        actor=actor,
        quantity=Decimal(quantity),
    )
    if plan.data.category == "citrus":
        services.trace_event_record(
            batch=batch,
            biz_step=BizStep.STORING,
            event_time=_at(packed, 18),
            place="丹江口市冷链物流中心（5℃）",
            actor="丹江口冷链",
        )
    if not complete:
        return batch
    inspection = _inspect(batch, plan, packed, number)
    if product_needs_certificate(plan.product):
        services.certificate_issue(
            batch=batch,
            issuer=actor,
            contact=plan.supplier.phone,
            basis=ComplianceCertificate.Basis.LAB_TEST
            if inspection
            else ComplianceCertificate.Basis.SELF_TEST,
            inspection=inspection,
            issued_at=_at(packed, 16),
        )
    if publish:
        batch = services.batch_publish(batch=batch, add_stock=False)
    return batch


def _plans() -> list[Plan]:
    plans = []
    for data in PRODUCTS:
        partner = next(p for p in PARTNERS if p.code == data.partner)
        product = Product.objects.filter(gtin=partner.gtin(data.item)).first()
        supplier = Supplier.objects.filter(partner__code=data.partner).first()
        if product is None or supplier is None:
            continue
        record = StockRecord.objects.filter(product=product, partner_id=supplier.partner_id).first()
        bases = list(ProductionBase.objects.filter(supplier=supplier).order_by("pk"))
        if record is None or not bases:
            continue
        plans.append(Plan(data, product, record, supplier, bases))
    return plans


#: Lineage: product (partner, item) → [(partner, item of the input product, quantity used, unit)].
LINEAGE = {
    ("zhuxi-tribute-tea-coop", 4): [
        ("zhuxi-tribute-tea-coop", 1, "2.5", "kg"),
        ("zhuxi-tribute-tea-coop", 3, "2.5", "kg"),
    ],
    ("wudang-daocha", 4): [("wudang-daocha", 2, "3.0", "kg"), ("wudang-daocha", 3, "3.0", "kg")],
    ("fangxian-mushroom-coop", 5): [("fangxian-mushroom-coop", 3, "30", "kg")],
    ("yunyang-olive-oil", 3): [("yunyang-olive-oil", 1, "3.5", "l")],
}
#: One batch shown on hold (published, then held: net stock unchanged).
ON_HOLD = ("danjiangkou-citrus-coop", 2)


def seed(command=None) -> None:
    plans = _plans()
    by_key = {(plan.data.partner, plan.data.item): plan for plan in plans}
    created = 0
    # Inputs before the products made from them.
    ordered = sorted(plans, key=lambda plan: (plan.data.partner, plan.data.item) in LINEAGE)
    for plan in ordered:
        key = (plan.data.partner, plan.data.item)
        if Batch.objects.filter(product=plan.product).exists():
            continue
        net = (plan.record.num_in_stock or 0) - (plan.record.num_allocated or 0)
        older_age, newer_age = AGES.get(plan.data.category, (120, 60))
        inputs = []
        for partner, item, quantity, unit in LINEAGE.get(key, ()):
            source = by_key.get((partner, item))
            batch = (
                source
                and Batch.objects.filter(product=source.product).order_by("-harvest_date", "-pk").first()
            )
            if batch is not None:
                inputs.append(InputSpec(batch, Decimal(quantity), unit))
        quantities = _split(net)
        if not quantities:
            # Sold out: one earlier batch, all of it sold before the shop tracked orders by batch.
            batch = _batch(plan, 0, 30, older_age, inputs=inputs)
            Batch.objects.filter(pk=batch.pk).update(
                status=Batch.Status.SOLD_OUT, quantity_remaining=0, status_changed_at=timezone.now()
            )
            created += 1
            continue
        ages = [older_age, newer_age][-len(quantities) :]
        for number, (quantity, age) in enumerate(zip(quantities, ages, strict=True)):
            _batch(plan, number, quantity, age, inputs=inputs if number == len(quantities) - 1 else ())
            created += 1
        if key == ON_HOLD:
            held = _batch_for_hold(plan, older_age)
            services.batch_hold(batch=held, reason="冷库温度记录缺失两小时，待核查后放行")
            created += 1
        if plan.data.partner == COOP_PARTNER and plan.data.item == 1:
            _batch(plan, 2, 40, 2, publish=False, complete=False)  # a draft awaiting its inspection
            created += 1
    if command is not None:
        command.stdout.write(
            f"  {created} batches created; {Batch.objects.count()} in all, "
            f"{Batch.objects.filter(status=Batch.Status.PUBLISHED).count()} on sale"
        )


def _batch_for_hold(plan: Plan, age: int) -> Batch:
    """A batch published the ordinary way (adding its units), so holding it takes them off again."""
    batch = _batch(plan, 5, 24, age + 2, publish=False)
    return services.batch_publish(batch=batch, add_stock=True)
