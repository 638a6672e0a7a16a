"""A member's buyer terms: what the storefront's strategy asks this room (``shop.partner.strategy``).

``buyer_terms_for(user)`` is the registered terms source. Its cost, per request, for a signed-in
user (anonymous visitors never reach it):

- a user with no membership: one cache read (a "not a member" note, kept ``NON_MEMBER_SECONDS`` and
  dropped when the user joins an organisation), or on a miss one query;
- a member: the same one cache read, which also brings their membership (organisation, status and
  both price lists' versions) as last looked up, with the terms generation it was read under; only
  when that generation is not the current one, one query (written out in SQL: see
  ``_membership_sql``). Then, on the first price asked for, one cache read of the price book, or on a
  miss one more query.

The terms generation (``TERMS_GENERATION_KEY``) is a token in the shared cache replaced, after the
commit, whenever a membership, an organisation or a price list is saved or deleted
(``terms_changed``, connected in ``channels.apps``; the price list services call it for their
queryset updates). It is read before the query, so a lookup racing a change is stored under the old
generation and never used again: a member removed, an organisation suspended or a list changed is
seen by the member's next request, in every process.

So channel prices add at most 2 queries to any page, however many products it shows. The price
book is every entry valid today of the organisation's channel list and of its contract list (the
contract wins), keyed by both lists' versions (id, revision, last change) and the day: a change to a
list is seen by the next request, in every process, because the versions are read from the database
each time. A book under a given key never changes, so each process also keeps the last
``BOOKS_IN_MEMORY`` books it read in memory: a warm page unpickles no book at all.

Only an approved organisation's members get prices; a suspended one's members get a refusal
instead (nothing can be ordered, the reason is shown); applied or rejected ones buy as retail.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from channels.models import Membership, Organisation, OrganisationOrder, PriceList, PriceListEntry
from shop.partner.strategy import ProductTerms

BOOK_SECONDS = 60 * 60
MEMBER_SECONDS = 10 * 60
TERMS_GENERATION_KEY = "channels:terms:generation"
BOOKS_IN_MEMORY = 64
NON_MEMBER_SECONDS = 5 * 60

_books: OrderedDict[str, dict] = OrderedDict()
_books_lock = threading.Lock()


def non_member_key(user_id: int) -> str:
    return f"channels:non-member:{user_id}"


def member_key(user_id: int) -> str:
    return f"channels:member:{user_id}"


def forget_non_member(user_id: int) -> None:
    """The user just joined an organisation: look them up again from the next request on."""
    cache.delete(non_member_key(user_id))


def terms_changed(**_signal_kwargs) -> None:
    """A membership, organisation or price list changed: every member's terms are looked up again
    from the next request on. A new generation now (this transaction's own later reads) and again
    after the commit (a request that read the old rows meanwhile stored them under the first one).
    Usable as a signal receiver."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(TERMS_GENERATION_KEY, uuid.uuid4().hex, None)


@dataclass
class OrganisationTerms:
    """``shop.partner.strategy.BuyerTerms`` for a member of an organisation."""

    channel: str
    organisation_id: int
    organisation_name: str
    refusal: str
    channel_version: str
    contract_version: str
    _book: dict[int, ProductTerms] | None = field(default=None, repr=False)

    def product_terms(self, product_id: int) -> ProductTerms | None:
        if self._book is None:
            self._book = price_book(
                channel=self.channel,
                organisation_id=self.organisation_id,
                channel_version=self.channel_version,
                contract_version=self.contract_version,
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


@functools.cache
def _membership_sql() -> str:
    """The membership, its organisation and both price lists' versions (id:revision:last change) in
    one statement. Written out once rather than built by the ORM on every request: this runs for
    every signed-in member's page, and compiling the equivalent queryset cost 30 times the query."""
    quote = connection.ops.quote_name
    membership, organisation, price_list = (
        quote(model._meta.db_table) for model in (Membership, Organisation, PriceList)
    )
    # Only table names (from the models) are put in; the user id is a parameter.
    version = f"SELECT pl.id || ':' || pl.revision || ':' || pl.updated_at FROM {price_list} pl"  # noqa: S608
    return (
        f"SELECT o.id, o.channel, o.status, o.name, o.short_name, "  # noqa: S608
        f"({version} WHERE pl.channel = o.channel AND pl.organisation_id IS NULL), "
        f"({version} WHERE pl.organisation_id = o.id) "
        f"FROM {membership} m INNER JOIN {organisation} o ON o.id = m.organisation_id WHERE m.user_id = %s"
    )


@dataclass(frozen=True)
class _Member:
    organisation_id: int
    channel: str
    status: str
    name: str
    channel_version: str
    contract_version: str


def _membership(user_id: int) -> _Member | None:
    with connection.cursor() as cursor:
        cursor.execute(_membership_sql(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, channel, status, name, short_name, channel_version, contract_version = row
    return _Member(pk, channel, status, short_name or name, channel_version or "", contract_version or "")


def buyer_terms_for(user) -> OrganisationTerms | None:
    """The terms source registered with the storefront's strategy (see the module docstring)."""
    key, remembered = non_member_key(user.pk), member_key(user.pk)
    found = cache.get_many([key, remembered, TERMS_GENERATION_KEY])
    if found.get(key):
        return None
    generation = found.get(TERMS_GENERATION_KEY)
    if generation is None:
        cache.add(TERMS_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(TERMS_GENERATION_KEY)
    stored = found.get(remembered)
    if stored is not None and generation is not None and stored[0] == generation:
        member = stored[1]
    else:
        member = _membership(user.pk)
        if member is None:
            cache.set(key, 1, NON_MEMBER_SECONDS)
            return None
        if generation is not None:
            cache.set(remembered, (generation, member), MEMBER_SECONDS)
    if member.status == Organisation.Status.APPROVED:
        refusal = ""
    elif member.status == Organisation.Status.SUSPENDED:
        refusal = gettext("%(organisation)s is suspended and cannot order; ask your channel manager") % {
            "organisation": member.name
        }
    else:
        return None
    return OrganisationTerms(
        channel=member.channel,
        organisation_id=member.organisation_id,
        organisation_name=member.name,
        refusal=refusal,
        channel_version=member.channel_version,
        contract_version=member.contract_version,
    )


def price_book(
    *, channel: str, organisation_id: int, channel_version: str, contract_version: str, day=None
) -> dict[int, ProductTerms]:
    """product id → terms valid on ``day`` (today) for a member of the organisation: the contract
    price where there is one, else the channel's. Kept in memory and in the cache under the lists'
    versions and the day (organisations without a contract list share their channel's book)."""
    day = day or timezone.localdate()
    if not channel_version and not contract_version:
        return {}  # neither list exists
    # Without a contract list the book is the channel's alone: one book for all such organisations.
    holder = organisation_id if contract_version else "-"
    key = f"channels:book:{channel}:{channel_version}:{holder}:{contract_version}:{day.isoformat()}"
    key = key.replace(" ", "_")
    with _books_lock:
        book = _books.get(key)
        if book is not None:
            _books.move_to_end(key)
            return book
    book = cache.get(key)
    if book is None:
        book = _read_book(channel=channel, organisation_id=organisation_id, day=day)
        cache.set(key, book, BOOK_SECONDS)
    with _books_lock:
        _books[key] = book
        while len(_books) > BOOKS_IN_MEMORY:
            _books.popitem(last=False)
    return book


def forget_books() -> None:
    """Empty this process's memory of price books (tests; the cache and the versions stay)."""
    with _books_lock:
        _books.clear()


def _read_book(*, channel: str, organisation_id: int, day) -> dict[int, ProductTerms]:
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
    return book
