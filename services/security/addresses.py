"""Client addresses: parsing, normalising, and who the client of a request really is.

The client is the socket peer.  ``X-Forwarded-For`` is read only when that peer is one of
``TRUSTED_PROXIES``: from the right (the hop our proxy appended) leftwards, the first hop
that is not itself a trusted proxy is the client.  Anything a client writes into the
header left of that is ignored, so a forged header from an untrusted peer changes nothing.

Parsing an address costs microseconds; the request path asks the same few questions
about the same few addresses again and again, so :class:`AddressBook` memoises them in
a bounded dict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from services.core.errors import BadRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_CACHE_MAX = 20_000


def parse_ip(text: str) -> IPAddress | None:
    """An address (IPv4-mapped IPv6 becomes its IPv4), or None when ``text`` is not one.

    Zone ids (``fe80::1%eth0``) are refused: they name an interface of one host, not a client.
    """
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text or len(text) > 45 or "%" in text:
        return None
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def normalize(text: str) -> str | None:
    addr = parse_ip(text)
    return None if addr is None else addr.compressed


def require_ip(text: str, field: str = "ip_address") -> str:
    """The normalised address, or a 400 naming ``field`` (IPv4 or IPv6, no CIDR, no zone id)."""
    value = normalize(text)
    if value is None:
        raise BadRequest.field(field, "must be an IPv4 or IPv6 address", "ip_address")
    return value


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def within(addr: IPAddress, nets: tuple[Network, ...]) -> bool:
    return any(addr.version == n.version and addr in n for n in nets)


class AddressBook:
    """Memoised answers about peer strings: normalised form, allow-listed, trusted proxy."""

    def __init__(self, allowlist: Iterable[str], trusted_proxies: Iterable[str]) -> None:
        self.allow = networks(allowlist)
        self.trusted = networks(trusted_proxies)
        self._peers: dict[str, tuple[str, bool, bool]] = {}

    def peer(self, text: str) -> tuple[str, bool, bool]:
        """(normalised address, allow-listed, trusted proxy).

        A peer that is not an address (a unix socket, an in-process test client's "testclient")
        cannot be told apart from any other such peer: it is treated like the allow list (never
        observed, never blocked) rather than one shared identity that one bad client could get
        blocked for everyone.
        """
        known = self._peers.get(text)
        if known is not None:
            return known
        addr = parse_ip(text)
        if addr is None:
            answer = (text[:45], True, False)
        else:
            answer = (addr.compressed, within(addr, self.allow), within(addr, self.trusted))
        if len(self._peers) >= _CACHE_MAX:
            self._peers.clear()
        self._peers[text] = answer
        return answer

    def is_allowed(self, address: str) -> bool:
        return self.peer(address)[1]

    def client(self, peer: str, forwarded: list[bytes]) -> str:
        """The client address of a request from ``peer`` with these ``X-Forwarded-For`` header values."""
        address, _, trusted = self.peer(peer)
        if not trusted or not forwarded:
            return address
        hops = [h for value in forwarded for h in value.decode("latin-1").split(",")]
        for hop in reversed(hops):
            parsed = parse_ip(hop)
            if parsed is None:
                return address  # garbage where a hop should be: trust nothing left of it
            hop_address, _, hop_trusted = self.peer(parsed.compressed)
            address = hop_address
            if not hop_trusted:
                return address
        return address  # every hop was a proxy: the leftmost is the best we know
