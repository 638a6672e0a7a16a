"""Who is asking, by network address: for sign-in throttling (django-axes) and per-address allowances.

Behind the proxy (deploy/nginx.conf) every request comes from the proxy's own address; the client's
is the last entry the proxy appended to ``X-Forwarded-For``. ``TRUSTED_PROXY_COUNT`` says how many
proxies of ours stand in front of Django (docker-compose: 1, nginx; a TLS load balancer in front of
it makes 2): the client is that many entries from the right. Entries further left were written by
the client itself and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

#: An IPv6 household or phone gets a whole /64: counting single addresses there would count nothing.
IPV6_PREFIX = 64


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address as the outermost trusted proxy saw it (``REMOTE_ADDR`` with none)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 (an address, not a bind)
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the request skipped one of them; the leftmost is the farthest known.
    candidate = hops[-count] if len(hops) >= count else hops[0]
    return _valid(candidate) or remote


def client_network(request) -> str:
    """The network a client counts as for allowances: its IPv4 address, or its IPv6 /64."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)
