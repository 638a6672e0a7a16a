"""Who owns a stock record's ``num_in_stock``: people typing a number, or a higher room.

For a product sold through batches (traceability), stock is the sum of its published batches:
publishing adds, holding and recall take away, and typing a number by hand would break that. The
higher room registers an *owner* here when its app is ready; rooms that let people edit stock (the
cooperative portal) ask before they offer or accept a change. This module imports no higher room.
"""

from collections.abc import Callable, Iterable

StockOwner = Callable[[Iterable[int]], set[int]]
_owners: dict[str, StockOwner] = {}


def register_stock_owner(name: str, owner: StockOwner) -> None:
    """Register (or replace) a callable: given product ids, the ids whose stock it manages."""
    _owners[name] = owner


def products_with_owned_stock(product_ids: Iterable[int]) -> set[int]:
    """The products among ``product_ids`` whose stock no one may set by hand."""
    product_ids = list(product_ids)
    owned: set[int] = set()
    for owner in _owners.values():
        owned |= owner(product_ids)
    return owned
