"""A member's buyer terms: what the storefront's strategy asks this room (``shop.partner.strategy``).

``buyer_terms_for(user)`` is the registered terms source. Its cost, per request, for a signed-in
user (anonymous visitors never reach it):

- a user with no membership: one cache read (a "not a member" note, kept ``NON_MEMBER_SECONDS`` and
  dropped when the user joins an organisation), or on a miss one query;
- a member: one query (membership, organisation and both price lists' revisions together) and, on
  the first price asked for, one cache read of the price book, or on a miss one more query.

So channel prices add at most 2 queries to any page, however many products it shows. The price
book is every entry valid today of the organisation's channel list and of its contract list (the
contract wins), keyed by both lists' revisions and the day: a change to a list is seen by the next
request, in every process, because the revisions are read from the database each time.

Only an approved organisation's members get prices; a suspended one's members get a refusal
instead (nothing can be ordered, the reason is shown); applied or rejected ones buy as retail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from channels.models import Membership, Organisation, OrganisationOrder, PriceList, PriceListEntry
from shop.partner.strategy import ProductTerms

BOOK_SECONDS = 60 * 60
NON_MEMBER_SECONDS = 5 * 60


def non_member_key(user_id: int) -> str:
    return f"channels:non-member:{user_id}"


def forget_non_member(user_id: int) -> None:
    """The user just joined an organisation: look them up again from the next request on."""
    cache.delete(non_member_key(user_id))


@dataclass
class OrganisationTerms:
    """``shop.partner.strategy.BuyerTerms`` for a member of an organisation."""

    channel: str
    organisation_id: int
    organisation_name: str
    refusal: str
    channel_revision: int
    contract_revision: int
    _book: dict[int, ProductTerms] | None = field(default=None, repr=False)

    def product_terms(self, product_id: int) -> ProductTerms | None:
        if self._book is None:
            self._book = price_book(
                channel=self.channel,
                organisation_id=self.organisation_id,
                channel_revision=self.channel_revision,
                contract_revision=self.contract_revision,
            )
        return self._book.get(product_id)

    def record_order(self, order) -> None:
        """Inside the placement transaction: link the order to the organisation, or refuse it if the
        organisation stopped being approved since the page was priced (locks its row, last)."""
        from shop.order.exceptions import UnableToPlaceOrder

        organisation = Organisation.objects.select_for_update().get(pk=self.organisation_id)
        if not organisation.may_order:
            raise UnableToPlaceOrder(
                gettext("%(organisation)s cannot order at the moment (its status is “%(status)s”).")
                % {"organisation": organisation, "status": organisation.get_status_display()}
            )
        OrganisationOrder.objects.create(order=order, organisation=organisation, placed_by=order.user)


def _membership(user_id: int) -> Membership | None:
    channel_list = PriceList.objects.filter(
        channel=OuterRef("organisation__channel"), organisation__isnull=True
    ).values("revision")[:1]
    contract_list = PriceList.objects.filter(organisation=OuterRef("organisation_id")).values("revision")[:1]
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("organisation")
        .annotate(channel_revision=Subquery(channel_list), contract_revision=Subquery(contract_list))
        .first()
    )


def buyer_terms_for(user) -> OrganisationTerms | None:
    """The terms source registered with the storefront's strategy (see the module docstring)."""
    key = non_member_key(user.pk)
    if cache.get(key):
        return None
    membership = _membership(user.pk)
    if membership is None:
        cache.set(key, 1, NON_MEMBER_SECONDS)
        return None
    organisation = membership.organisation
    if organisation.status == Organisation.Status.APPROVED:
        refusal = ""
    elif organisation.status == Organisation.Status.SUSPENDED:
        refusal = gettext("%(organisation)s is suspended and cannot order; ask your channel manager") % {
            "organisation": organisation
        }
    else:
        return None
    return OrganisationTerms(
        channel=organisation.channel,
        organisation_id=organisation.pk,
        organisation_name=str(organisation),
        refusal=refusal,
        channel_revision=membership.channel_revision or 0,
        contract_revision=membership.contract_revision or 0,
    )


def price_book(
    *, channel: str, organisation_id: int, channel_revision: int, contract_revision: int, day=None
) -> dict[int, ProductTerms]:
    """product id → terms valid on ``day`` (today) for a member of the organisation: the contract
    price where there is one, else the channel's. Cached by the lists' revisions and the day."""
    day = day or timezone.localdate()
    if not channel_revision and not contract_revision:
        return {}  # neither list exists
    key = (
        f"channels:book:{channel}:{channel_revision}:{organisation_id}:{contract_revision}:{day.isoformat()}"
    )
    book = cache.get(key)
    if book is not None:
        return book
    rows = (
        PriceListEntry.objects.filter(
            Q(price_list__channel=channel, price_list__organisation__isnull=True)
            | Q(price_list__organisation_id=organisation_id),
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values_list("product_id", "price", "moq", "case_size", "price_list__organisation_id")
    )
    book = {}
    for product_id, price, moq, case_size, contract in rows:
        if contract is None and product_id in book:
            continue  # a contract price was read first: it wins
        book[product_id] = ProductTerms(
            price=price, moq=moq, case_size=case_size, source="contract" if contract else "channel"
        )
    cache.set(key, book, BOOK_SECONDS)
    return book
