"""Channel factories: organisations in the four channels, members, channel managers, price lists."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone
from oscar.test.factories import UserFactory

from channels.models import (
    DeliverySite,
    ManagerAssignment,
    Membership,
    Organisation,
    PriceList,
    PriceListEntry,
)
from channels.permissions import MANAGERS_GROUP
from channels.terms import terms_changed
from core.sales_channels import SalesChannel
from suppliers.validators import uscc_check_character

PAST = datetime.date(2025, 1, 1)


def beijing_uscc(n: int, *, prefix: str = "91", division: str = "110105") -> str:
    """A USCC with a correct check character: "91" a company, "12" a public institution (a school)."""
    body = f"{prefix}{division}MA02{n:05d}"
    return body + uscc_check_character(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An approved organisation (a school canteen unless told otherwise)."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"北京市第{n}实验学校")
    short_name = factory.Sequence(lambda n: f"实验学校{n}")
    channel = SalesChannel.SCHOOL
    uscc = factory.Sequence(lambda n: beijing_uscc(n + 1))
    contact_name = "郑老师"
    phone = "13911000003"
    email = factory.Sequence(lambda n: f"school{n}@example.com")
    address = "北京市海淀区中关村南大街12号"
    invoice_title = factory.LazyAttribute(lambda o: o.name)
    tax_number = factory.LazyAttribute(lambda o: o.uscc)
    billing_address = "北京市海淀区中关村南大街12号"
    billing_phone = "01062345678"
    bank_name = "北京银行海淀支行"
    bank_account = "20000003123456789012"
    status = Organisation.Status.APPROVED


class DeliverySiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverySite

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"校区{n}")
    district = "海淀区"
    address = "中关村南大街12号 食堂后门"
    contact_name = "王师傅"
    phone = "13911000013"


def member_of(organisation, *, role=Membership.Role.BUYER, user=None, **user_fields):
    """A user bound to ``organisation`` with ``role`` (a new user unless given)."""
    user = user or UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def channel_manager(*channels, **user_fields):
    """A user in the "Channel managers" group, assigned to ``channels``."""
    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    for channel in channels:
        ManagerAssignment.objects.create(user=user, channel=channel)
    return user


def price(
    product,
    amount,
    *,
    channel=SalesChannel.SCHOOL,
    organisation=None,
    moq=1,
    case_size=1,
    since=PAST,
    until=None,
):
    """An entry in the channel's list (or the organisation's contract list); bumps the list's revision."""
    if organisation is not None:
        channel = organisation.channel
    price_list, _created = PriceList.objects.get_or_create(channel=channel, organisation=organisation)
    entry = PriceListEntry.objects.create(
        price_list=price_list,
        product=product,
        price=Decimal(amount),
        moq=moq,
        case_size=case_size,
        valid_from=since,
        valid_until=until,
    )
    PriceList.objects.filter(pk=price_list.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    terms_changed()  # as the price list services do
    return entry
