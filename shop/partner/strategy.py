"""The shop's pricing and availability strategy: Oscar's default, plus partners that may not sell.

A partner can be taken off sale by a room above this one (a supplier suspended by staff, in
``suppliers``). This module does not import that room: it keeps a small registry of *sale gates*,
callables that return the ids of partners that must not sell right now, and ``suppliers`` registers
its gate when the app is ready. A lower room learns about a higher one through a hook, never an import.

Effect of a closed gate, checked on every request (nothing cached between requests):
- a product's stock record from a blocked partner is only chosen when no open partner sells it;
- that stock record's availability is "unavailable", so the product cannot be added to a basket, a
  basket line already holding it fails Oscar's checkout pre-condition, and the basket page says why.
Listings, search and product pages are handled by hiding the products (``is_public``), see
``suppliers.services.supplier_suspend``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability
from oscar.apps.partner.strategy import NoTax, StockRequired, Structured
from oscar.apps.partner.strategy import Selector as CoreSelector

SaleGate = Callable[[], Iterable[int]]
_sale_gates: dict[str, SaleGate] = {}


def register_sale_gate(name: str, gate: SaleGate) -> None:
    """Register (or replace) a callable returning ids of partners that may not sell at the moment."""
    _sale_gates[name] = gate


def unregister_sale_gate(name: str) -> None:
    _sale_gates.pop(name, None)


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
            ids: set[int] = set()
            for gate in _sale_gates.values():
                ids.update(gate())
            self._blocked = frozenset(ids)
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


class Default(SellablePartnerFirst, PartnerGateAvailability, NoTax, Structured):
    """Oscar's Default (first stock record, stock required, prices without tax) with the sale gates."""


class Selector(CoreSelector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
