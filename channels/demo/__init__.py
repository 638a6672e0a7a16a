"""Demo organisations, one per channel, with sites, price lists and a member account each.

Run by ``manage.py seed_demo`` after the catalogue and the demo accounts. Idempotent: organisations
are found by their USCC, sites by name, price entries by list, product and start day; a second run
writes nothing. With ``DEMO_ACCOUNTS_ENABLED`` off the organisations and prices are still made, but
no account is bound to them and no manager assigned.

- 鲜丰超市 (农超), a supermarket chain with two stores, buying in cases of 12;
- 华电科技职工食堂 (农企), a company canteen;
- 海淀实验中学 (农校), a school with two campuses, with contract prices of its own for citrus;
- 京味小馆 (农餐), a restaurant ordering small quantities.
The channel manager demo account (channel@) is assigned to all four channels.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.demo.data import PARTNERS
from channels.models import (
    DeliverySite,
    ManagerAssignment,
    Membership,
    Organisation,
    OrganisationStatusChange,
    PriceList,
    PriceListEntry,
)
from channels.terms import terms_changed
from core.demo_utils import record_sync
from core.sales_channels import SalesChannel
from suppliers.validators import uscc_check_character

Product = get_model("catalogue", "Product")

MANAGER_EMAIL = "channel@demo.shiyan.example"
# Demo prices are valid from a fixed day in the past, open-ended: valid whenever the demo runs, and
# a later run finds the same entries (a moving start day would overlap the earlier ones).
PRICES_FROM = datetime.date(2025, 1, 1)


def _uscc(prefix: str, division: str, n: int) -> str:
    body = f"{prefix}{division}MA01{n:05d}"
    return body + uscc_check_character(body)


@dataclass(frozen=True)
class DemoSite:
    name: str
    district: str
    address: str
    contact: str
    phone: str
    notes: str = ""


@dataclass(frozen=True)
class DemoOrganisation:
    email: str  # the member account (core.demo_accounts), its administrator
    name: str
    short_name: str
    channel: str
    uscc: str
    contact: str
    phone: str
    address: str
    bank: str
    account: str
    sites: tuple[DemoSite, ...]
    pledge: str = "0"


ORGANISATIONS = (
    DemoOrganisation(
        "supermarket@demo.shiyan.example",
        "北京鲜丰超市连锁有限公司",
        "鲜丰超市",
        SalesChannel.SUPERMARKET,
        _uscc("91", "110105", 1),
        "周采购",
        "13911000001",
        "北京市朝阳区望京街道阜通东大街6号",
        "中国工商银行北京望京支行",
        "0200 0049 0920 0012 345",
        (
            DemoSite(
                "望京店",
                "朝阳区",
                "阜通东大街6号 方恒购物中心B1 收货区",
                "孙店长",
                "13911000011",
                "收货 6:00–9:00",
            ),
            DemoSite(
                "五道口店", "海淀区", "成府路28号 优盛大厦地下一层", "钱店长", "13911000012", "收货 6:30–9:30"
            ),
        ),
        pledge="500000",
    ),
    DemoOrganisation(
        "enterprise@demo.shiyan.example",
        "北京华电科技有限公司",
        "华电科技职工食堂",
        SalesChannel.ENTERPRISE,
        _uscc("91", "110105", 2),
        "吴主管",
        "13911000002",
        "北京市朝阳区酒仙桥路10号",
        "中国建设银行北京酒仙桥支行",
        "1105 0161 5400 0000 6789",
        (
            DemoSite(
                "职工食堂",
                "朝阳区",
                "酒仙桥路10号 园区3号楼一层后门",
                "吴主管",
                "13911000002",
                "工作日 7:00–10:00",
            ),
        ),
        pledge="300000",
    ),
    DemoOrganisation(
        "school@demo.shiyan.example",
        "北京市海淀实验中学",
        "海淀实验中学",
        SalesChannel.SCHOOL,
        _uscc("12", "110108", 3),
        "郑老师",
        "13911000003",
        "北京市海淀区中关村南大街12号",
        "北京银行海淀支行",
        "2000 0003 1234 5678 9012",
        (
            DemoSite(
                "海淀校区",
                "海淀区",
                "中关村南大街12号 学生食堂后门",
                "郑老师",
                "13911000003",
                "周一 7:00–8:30 验收",
            ),
            DemoSite(
                "昌平校区",
                "昌平区",
                "回龙观西大街9号 食堂收货口",
                "王师傅",
                "13911000013",
                "周一 7:30–9:00 验收",
            ),
        ),
        pledge="800000",
    ),
    DemoOrganisation(
        "restaurant@demo.shiyan.example",
        "北京京味小馆餐饮管理有限公司",
        "京味小馆",
        SalesChannel.RESTAURANT,
        _uscc("92", "110101", 4),
        "冯厨师长",
        "13911000004",
        "北京市东城区鼓楼东大街88号",
        "中国农业银行北京鼓楼支行",
        "1103 0101 0400 1234 5",
        (DemoSite("鼓楼店", "东城区", "鼓楼东大街88号 后厨", "冯厨师长", "13911000004", "每天 9:00–10:30"),),
    ),
)

# (partner code, item) → per channel: (share of the retail price, case size, minimum order).
CHANNEL_TERMS = {
    SalesChannel.SUPERMARKET: ("0.78", 12, 24),
    SalesChannel.ENTERPRISE: ("0.85", 10, 10),
    SalesChannel.SCHOOL: ("0.82", 6, 12),
    SalesChannel.RESTAURANT: ("0.90", 2, 2),
}
PRICED_PRODUCTS = (
    ("fangxian-mushroom-coop", 2),  # 房县椴木香菇 厚菇 500克
    ("fangxian-mushroom-coop", 4),  # 房县香菇片 200克
    ("fangxian-muer-farm", 1),  # 房县黑木耳 小碗耳 250克
    ("fangxian-muer-farm", 4),  # 房县秋木耳 便携装 100克
    ("danjiangkou-citrus-coop", 1),  # 丹江口蜜橘 5斤装
    ("danjiangkou-fishery", 2),  # 库区香辣小鱼干 250克
    ("yunxi-mountain-farm", 1),  # 郧西手工红薯粉条 1千克
    ("zhushan-tea-coop", 2),  # 竹山圣水绿茶 一级 250克
    ("yunyang-olive-oil", 1),  # 郧阳特级初榨橄榄油 500毫升
)
# The school's contract: citrus for the canteens at a lower price, in smaller cases.
SCHOOL_CONTRACT = ((("danjiangkou-citrus-coop", 1), "0.72", 4, 8),)


def seed(command) -> None:
    User = get_user_model()
    accounts_enabled = settings.DEMO_ACCOUNTS_ENABLED
    products = _products()
    manager = User.objects.filter(email__iexact=MANAGER_EMAIL).first() if accounts_enabled else None
    organisations = []
    for spec in ORGANISATIONS:
        organisation = _organisation(spec, by=manager)
        organisations.append(organisation)
        for site in spec.sites:
            record_sync(
                DeliverySite,
                lookup={"organisation": organisation, "name": site.name},
                values={
                    "district": site.district,
                    "address": site.address,
                    "contact_name": site.contact,
                    "phone": site.phone,
                    "notes": site.notes,
                    "is_active": True,
                },
            )
        if accounts_enabled:
            user = User.objects.filter(email__iexact=spec.email).first()
            if user is not None and not Membership.objects.filter(user=user).exists():
                Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    if manager is not None:
        for channel in CHANNEL_TERMS:
            ManagerAssignment.objects.get_or_create(user=manager, channel=channel)
    written = 0
    for channel, (share, case_size, moq) in CHANNEL_TERMS.items():
        rows = [(products[key], share, case_size, moq) for key in PRICED_PRODUCTS if key in products]
        written += _price_list(channel=channel, organisation=None, rows=rows, by=manager)
    school = next(o for o in organisations if o.channel == SalesChannel.SCHOOL)
    rows = [(products[key], share, case, moq) for key, share, case, moq in SCHOOL_CONTRACT if key in products]
    written += _price_list(channel=SalesChannel.SCHOOL, organisation=school, rows=rows, by=manager)
    # The school's weekly standing delivery (issue 13, part 10).
    from channels.demo.standing import seed_standing

    school_admin = Membership.objects.filter(organisation=school, role=Membership.Role.ADMIN).first()
    seed_standing(school=school, products=products, by=school_admin.user if school_admin else None)
    command.stdout.write(
        f"  channels: {len(organisations)} organisations, {written} price entries written"
        + ("" if accounts_enabled else " (no member accounts: DEMO_ACCOUNTS_ENABLED is off)")
    )


def _products() -> dict[tuple[str, int], object]:
    gtins = {partner.gtin(item): (partner.code, item) for partner in PARTNERS for item in range(1, 10)}
    found = Product.objects.filter(gtin__in=list(gtins)).prefetch_related("stockrecords")
    return {gtins[product.gtin]: product for product in found if product.stockrecords.all()}


def _organisation(spec: DemoOrganisation, *, by) -> Organisation:
    organisation, created = record_sync(
        Organisation,
        lookup={"uscc": spec.uscc},
        values={
            "name": spec.name,
            "short_name": spec.short_name,
            "channel": spec.channel,
            "contact_name": spec.contact,
            "phone": spec.phone,
            "email": spec.email,
            "address": spec.address,
            "invoice_title": spec.name,
            "tax_number": spec.uscc,
            "billing_address": spec.address,
            "billing_phone": spec.phone,
            "bank_name": spec.bank,
            "bank_account": spec.account.replace(" ", ""),
            "yearly_pledge": Decimal(spec.pledge),
        },
    )
    if created:
        organisation.full_clean()
    if (
        organisation.status != Organisation.Status.APPROVED
        and not organisation.status_changes.filter(new_status=Organisation.Status.APPROVED).exists()
    ):
        # As if it applied and a manager approved it: both steps in its history.
        now = timezone.now()
        OrganisationStatusChange.objects.create(
            organisation=organisation, old_status="", new_status="applied", reason="演示申请", changed_at=now
        )
        OrganisationStatusChange.objects.create(
            organisation=organisation,
            old_status="applied",
            new_status="approved",
            changed_by=by,
            reason="资质核验通过（演示）",
            changed_at=now,
        )
        Organisation.objects.filter(pk=organisation.pk).update(
            status=Organisation.Status.APPROVED, status_changed_at=now, status_changed_by=by, status_reason=""
        )
        terms_changed()  # a queryset update sends no signal
        organisation.refresh_from_db()
    return organisation


def _price(product, share: str) -> Decimal:
    retail = product.stockrecords.all()[0].price
    return (
        (retail * Decimal(share)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))
    )


def _price_list(*, channel, organisation, rows, by) -> int:
    """Bring one list to the wanted entries (from PRICES_FROM, open-ended); count what was written."""
    price_list, _created = PriceList.objects.get_or_create(channel=channel, organisation=organisation)
    existing = {entry.product_id: entry for entry in price_list.entries.filter(valid_from=PRICES_FROM)}
    written = 0
    for product, share, case_size, moq in rows:
        wanted = {"price": _price(product, share), "moq": moq, "case_size": case_size, "valid_until": None}
        entry = existing.get(product.pk)
        if entry is None:
            entry = PriceListEntry(price_list=price_list, product=product, valid_from=PRICES_FROM)
        elif all(getattr(entry, name) == value for name, value in wanted.items()):
            continue
        for name, value in wanted.items():
            setattr(entry, name, value)
        entry.full_clean()
        entry.save()
        written += 1
    if written:
        PriceList.objects.filter(pk=price_list.pk).update(
            revision=F("revision") + 1, updated_by=by, updated_at=timezone.now()
        )
        terms_changed()  # a queryset update sends no signal
    return written
