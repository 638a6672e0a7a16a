"""The shop's pricing and availability strategy: Oscar's default, plus partners that may not sell
and buyers with terms of their own (an organisation's channel prices).

A partner can be taken off sale by a room above this one (a supplier suspended by staff, in
``suppliers``). This module does not import that room: it keeps a small registry of *sale gates*,
callables that return the ids of partners that must not sell right now, and ``suppliers`` registers
its gate when the app is ready. A lower room learns about a higher one through a hook, never an import.

Effect of a closed gate, checked on every request (nothing cached between requests):
- a product's stock record from a blocked partner is only chosen when no open partner sells it;
- that stock record's availability is "unavailable", so the product cannot be added to a basket, a
  basket line already holding it fails Oscar's checkout pre-condition, and the basket page says why.
Lists, search, the sitemap and CMS blocks leave such products out through the one definition of "on
sale", ``catalogue.on_sale.products_on_sale``, which reads the same gates (``blocked_partner_ids``);
a suspended supplier's products are also hidden (``is_public``, ``suppliers.services.supplier_suspend``).

Buyer terms, the second hook, are written up above ``register_buyer_terms`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability, prices
from oscar.apps.partner.strategy import NoTax, StockRequired, Structured
from oscar.apps.partner.strategy import Selector as CoreSelector

SaleGate = Callable[[], Iterable[int]]
_sale_gates: dict[str, SaleGate] = {}


def register_sale_gate(name: str, gate: SaleGate) -> None:
    """Register (or replace) a callable returning ids of partners that may not sell at the moment."""
    _sale_gates[name] = gate


def unregister_sale_gate(name: str) -> None:
    _sale_gates.pop(name, None)


def blocked_partner_ids() -> frozenset[int]:
    """Ids of partners that may not sell right now, from every registered gate (read afresh).

    The storefront's one definition of "on sale" (``catalogue.on_sale``) reads the same gates, so
    a product the strategy will not sell is never listed, searched, put in the sitemap or a CMS block.
    """
    ids: set[int] = set()
    for gate in _sale_gates.values():
        ids.update(gate())
    return frozenset(ids)


class PartnerOffSale(availability.Unavailable):
    """The product's seller is not selling at the moment (e.g. its supplier is suspended)."""

    message = _("Not available: the supplier is not selling at the moment")

    def is_purchase_permitted(self, quantity):
        return False, _("the supplier is not selling at the moment")


class SellablePartnerFirst:
    """Pick the first stock record whose partner may sell; a blocked one only when there is no other.

    The blocked-partner ids are read once per strategy instance (Oscar builds one per request, in the
    basket middleware), so a page costs one small query however many products it shows.
    """

    _blocked: frozenset[int] | None = None

    @property
    def blocked_partner_ids(self) -> frozenset[int]:
        if self._blocked is None:
            self._blocked = blocked_partner_ids()
        return self._blocked

    def is_partner_blocked(self, partner_id) -> bool:
        return bool(_sale_gates) and partner_id in self.blocked_partner_ids

    def select_stockrecord(self, product):
        # Indexing the (usually prefetched) related manager costs no query, as in Oscar's UseFirstStockRecord.
        records = list(product.stockrecords.all())
        if not records:
            return None
        for record in records:
            if not self.is_partner_blocked(record.partner_id):
                return record
        return records[0]


class PartnerGateAvailability(StockRequired):
    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and self.is_partner_blocked(stockrecord.partner_id):
            return PartnerOffSale()
        return super().availability_policy(product, stockrecord)


# --- Buyer terms --------------------------------------------------------------------------------
# A buyer may have prices and order rules of their own: a member of an approved organisation pays
# its channel's price list (or its contract price) and orders in whole cases from a minimum
# quantity. The room that knows organisations (``channels``) registers a *terms source* when its
# app is ready; this module never imports it.
#
# The contract of a source, ``source(user) -> BuyerTerms | None``:
# - it is called at most once per strategy (Oscar builds one strategy per request, in the basket
#   middleware), lazily, the first time a price or an availability is asked for, and only for a
#   signed-in user; anonymous visitors never reach it;
# - it decides from the database alone (no request parameter, cookie or URL), returns ``None`` for a
#   buyer with no terms (retail), and costs at most 2 queries however many products the page shows;
# - ``BuyerTerms.product_terms(product_id)`` then answers from memory (no query);
# - ``BuyerTerms.record_order(order)`` is called by ``shop.order.utils.OrderCreator`` inside the
#   placement transaction, after the stock records and batches were locked and allocated; it may
#   lock its own rows (after those, never before) and raise ``UnableToPlaceOrder`` to refuse the
#   order, which rolls everything back.
# The first registered source that returns terms wins; there is normally one.


@dataclass(frozen=True)
class ProductTerms:
    """What one buyer pays for one product (the product that has the stock record), and how they
    must order it."""

    price: Decimal  # per unit; the shop charges no tax on top
    moq: int  # minimum order quantity, a whole number of cases
    case_size: int  # ordered in whole cases of this many units
    source: str  # "contract" (the organisation's own price) or "channel" (its channel's list)


class BuyerTerms(Protocol):
    #: The ``core.sales_channels.SalesChannel`` value orders of this buyer are recorded under.
    channel: str
    organisation_id: int | None
    #: Empty when the buyer may order; otherwise why not (e.g. the organisation is suspended),
    #: shown wherever Oscar shows why something cannot be bought.
    refusal: str

    def product_terms(self, product_id: int) -> ProductTerms | None: ...

    def record_order(self, order) -> None: ...


BuyerTermsSource = Callable[[object], "BuyerTerms | None"]
_terms_sources: dict[str, BuyerTermsSource] = {}


def register_buyer_terms(name: str, source: BuyerTermsSource) -> None:
    """Register (or replace) a callable giving a signed-in user's terms, or ``None`` (retail)."""
    _terms_sources[name] = source


def unregister_buyer_terms(name: str) -> None:
    _terms_sources.pop(name, None)


def _terms_for(user) -> BuyerTerms | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for source in _terms_sources.values():
        terms = source(user)
        if terms is not None:
            return terms
    return None


class BuyerPrice(prices.FixedPrice):
    """A price from the buyer's terms; ``terms`` says how to order, ``retail`` what others pay."""

    def __init__(self, *, currency, excl_tax, retail, terms: ProductTerms):
        super().__init__(currency=currency, excl_tax=excl_tax, tax=Decimal("0.00"))
        self.retail = retail
        self.terms = terms


class BuyerRefused(availability.Unavailable):
    """The buyer may not order at the moment (e.g. their organisation is suspended)."""

    def __init__(self, reason: str):
        self.reason = reason
        self.message = _("Not available: %(reason)s") % {"reason": reason}

    def is_purchase_permitted(self, quantity):
        return False, self.reason


class OrderedInCases(availability.Base):
    """Another availability (stock) plus the buyer's minimum order and whole cases."""

    def __init__(self, inner, terms: ProductTerms):
        self.inner = inner
        self.terms = terms

    code = property(lambda self: self.inner.code)
    message = property(lambda self: self.inner.message)
    short_message = property(lambda self: self.inner.short_message)
    dispatch_date = property(lambda self: self.inner.dispatch_date)
    num_available = property(lambda self: getattr(self.inner, "num_available", None))

    @property
    def is_available_to_buy(self):
        return self.inner.is_available_to_buy

    def is_purchase_permitted(self, quantity):
        moq, case = self.terms.moq, self.terms.case_size
        if quantity < moq:
            return False, _("the minimum order is %(moq)s (not %(quantity)s)") % {
                "moq": moq,
                "quantity": quantity,
            }
        if quantity % case:
            lower = quantity - quantity % case
            return False, _(
                "it is sold in whole cases of %(case)s: order %(lower)s or %(upper)s, not %(quantity)s"
            ) % {"case": case, "lower": max(lower, moq), "upper": lower + case, "quantity": quantity}
        return self.inner.is_purchase_permitted(quantity)


class BuyerTermsMixin:
    """Looks the signed-in buyer's terms up once, on first use (anonymous visitors: never)."""

    @property
    def buyer_terms(self) -> BuyerTerms | None:
        if not hasattr(self, "_buyer_terms"):
            self._buyer_terms = _terms_for(self.user) if _terms_sources else None
        return self._buyer_terms

    @property
    def is_personal(self) -> bool:
        """True when what this strategy shows is the buyer's own: pages must not be shared then."""
        return self.buyer_terms is not None

    @property
    def price_context(self) -> str:
        """Who else sees the same prices and order rules as this buyer, for caches of whole pages
        (``core.page_cache``): "" for retail (everyone without terms); otherwise the buyer's terms
        in full (their ``repr``: a source's terms are a dataclass naming the organisation, its
        channel, its lists' versions and any refusal) and the day, as the price book is read for
        today. Buyers of one organisation share it; nobody else does."""
        terms = self.buyer_terms
        if terms is None:
            return ""
        return f"terms:{terms!r}:{timezone.localdate().isoformat()}"

    def product_terms(self, product_id) -> ProductTerms | None:
        terms = self.buyer_terms
        return terms.product_terms(product_id) if terms is not None and not terms.refusal else None

    def terms_signature(self, product_ids: Iterable[int]) -> str:
        """What of these products' prices and availability is particular to this buyer ("" for
        retail), for caches of rendered products (``catalogue.cards``). No query once the terms
        are loaded."""
        terms = self.buyer_terms
        if terms is None:
            return ""
        if terms.refusal:
            return f"refused:{terms.refusal}"
        return "member|" + "|".join(f"{pk}:{self.product_terms(pk)!r}" for pk in product_ids)


class BuyerPricing(NoTax):
    def pricing_policy(self, product, stockrecord):
        policy = super().pricing_policy(product, stockrecord)
        terms = self.product_terms(stockrecord.product_id) if stockrecord is not None else None
        if terms is None or not policy.exists:
            return policy
        return BuyerPrice(
            currency=stockrecord.price_currency, excl_tax=terms.price, retail=stockrecord.price, terms=terms
        )

    def parent_pricing_policy(self, product, children_stock):
        # As Oscar: the first child with a stock record prices the parent, at this buyer's price.
        for child, record in children_stock:
            if record is not None:
                policy = self.pricing_policy(child, record)
                if policy.exists:
                    return prices.FixedPrice(
                        currency=policy.currency, excl_tax=policy.excl_tax, tax=Decimal("0.00")
                    )
        return prices.Unavailable()


class BuyerAvailability(PartnerGateAvailability):
    def availability_policy(self, product, stockrecord):
        policy = super().availability_policy(product, stockrecord)
        terms = self.buyer_terms
        if terms is None:
            return policy
        if terms.refusal:
            return BuyerRefused(terms.refusal)
        product_terms = terms.product_terms(stockrecord.product_id) if stockrecord is not None else None
        return OrderedInCases(policy, product_terms) if product_terms else policy


class Default(BuyerTermsMixin, SellablePartnerFirst, BuyerAvailability, BuyerPricing, Structured):
    """Oscar's Default (first stock record, stock required, prices without tax) with the sale gates
    and the buyer's own terms."""

    def __init__(self, request=None, user=None):
        super().__init__(request)
        if self.user is None and user is not None and getattr(user, "is_authenticated", False):
            self.user = user  # offline use: a user without a request (Oscar's Selector contract)


class Selector(CoreSelector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request, user=user)
