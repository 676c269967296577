"""Where the service may send requests on a user's behalf (SSRF guard for notification targets).

Channel URLs and SMTP hosts are user input that a worker will connect to.  Link-local
addresses (169.254.0.0/16, fe80::/10: where cloud metadata services live), the known
metadata endpoints, unspecified and multicast addresses are refused.  Loopback and
private networks stay allowed: a self-hosted install commonly notifies internal services.

Checked twice: when a channel is saved (literal addresses and every IPv4 spelling
``inet_aton`` accepts, no DNS on the request path) and before each delivery (every
address the host resolves to), so a name that later resolves to a metadata address is
still refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BLOCKED_HOSTNAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.com",
    }
)
BLOCKED_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS metadata over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
    }
)


class UnsafeDestination(ValueError):
    """The destination is one the service refuses to connect to."""


def _literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, if it is an address (including ``2852039166``-style IPv4)."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def address_problem(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in BLOCKED_ADDRESSES:
        return "is a cloud metadata address"
    if address.is_link_local:
        return "is a link-local address"
    if address.is_unspecified:
        return "is an unspecified address"
    if address.is_multicast:
        return "is a multicast address"
    return None


def check_host(host: str) -> None:
    """Refuse a host name or literal address without resolving it."""
    name = host.strip().rstrip(".").lower()
    if not name:
        raise UnsafeDestination("host is empty")
    if name in BLOCKED_HOSTNAMES:
        raise UnsafeDestination(f"{host} is a cloud metadata host")
    literal = _literal_address(name)
    if literal is not None and (problem := address_problem(literal)):
        raise UnsafeDestination(f"{host} {problem}")


def check_url(url: str) -> str:
    """Validate an http(s) URL for outbound use; returns it stripped.  Raises ``ValueError``."""
    url = url.strip()
    if any(ch.isspace() for ch in url):
        raise ValueError("URL must not contain whitespace")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("URL has no host")
    if port == 0:
        raise ValueError("URL port must be between 1 and 65535")
    check_host(parts.hostname)
    return url


async def check_resolved(host: str, port: int, limit_seconds: float) -> None:
    """Resolve ``host`` and refuse it if any of its addresses is unsafe (right before connecting)."""
    check_host(host)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(limit_seconds):
            infos = await loop.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise OSError(f"resolving {host} timed out") from None
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if problem := address_problem(address):
            raise UnsafeDestination(f"{host} resolves to {address}, which {problem}")
