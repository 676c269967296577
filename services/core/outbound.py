"""Where the service may send requests on a user's behalf (SSRF guard for notification targets).

Channel URLs and SMTP hosts are admin input that a worker connects to, so by default only
public unicast addresses are reachable.  Refused: loopback, private (RFC 1918, fc00::/7),
shared address space (CGNAT, 100.64.0.0/10), link-local (169.254.0.0/16, fe80::/10: where
cloud metadata services live), unspecified, "this network" (0.0.0.0/8), broadcast,
multicast, documentation, benchmarking and other reserved ranges, and any other address
the IANA registries do not mark globally reachable.  IPv6 forms that embed an IPv4
address (``::ffff:a.b.c.d``, 6to4, NAT64 ``64:ff9b::/96``) are judged by that address.
The operator opens named networks with ``OUTBOUND_ALLOW_CIDRS`` (e.g. ``10.20.0.0/16`` for
internal receivers); the cloud metadata names and addresses stay refused even then.

Checked twice:

* when a channel is saved (:func:`check_url`, :func:`check_host`): the syntax, with no
  ambiguity left (one parse for the standard library and httpx, no octal/hex/short IPv4
  spellings such as ``0177.0.0.1`` or ``2852039166``, no control characters, ports
  1-65535) and literal addresses against the policy; no DNS on the request path;
* before each delivery (:func:`resolve`): every address the host resolves to.  The
  senders then connect to one of exactly those addresses (pinned; the TLS name stays the
  host), so a name cannot resolve to something else between the check and the connection.

Errors raised while delivering carry details for the logs only; what a delivery stores
is one of the generic :data:`REFUSED` / :data:`UNRESOLVABLE` texts.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import httpx
import idna

from services.core.config import Settings, get_settings

log = logging.getLogger("notifications.outbound")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REFUSED = "destination refused by outbound policy"
UNRESOLVABLE = "could not resolve the destination host"
METADATA = "is a cloud metadata address"
MAX_URL_LENGTH = 2000
MAX_ADDRESSES = 4  # pinned connection attempts per delivery (one per resolved address)

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
# Refused even inside an allowed CIDR: allowing 100.64.0.0/10 (e.g. a VPN) must not open these.
BLOCKED_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("fd00:ec2::254"),  # AWS metadata over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
    }
)


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# (what, networks) in the order a refusal names them; anything else not globally reachable
# is refused as "a non-public address".
_CATEGORIES: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = (
    ("an unspecified address", _nets("0.0.0.0/32", "::/128")),
    ("a 'this network' address", _nets("0.0.0.0/8")),
    ("a loopback address", _nets("127.0.0.0/8", "::1/128")),
    ("a private address", _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "64:ff9b:1::/48")),
    ("a shared (CGNAT) address", _nets("100.64.0.0/10")),
    ("a link-local address", _nets("169.254.0.0/16", "fe80::/10")),
    ("a broadcast address", _nets("255.255.255.255/32")),
    ("a multicast address", _nets("224.0.0.0/4", "ff00::/8")),
    (
        "a documentation address",
        _nets("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"),
    ),
    ("a benchmarking address", _nets("198.18.0.0/15", "2001:2::/48")),
    ("a reserved address", _nets("240.0.0.0/4", "192.0.0.0/24", "::/8", "100::/64", "2001::/23", "fec0::/10")),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")
_FORBIDDEN_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class UnsafeDestination(ValueError):
    """The destination is one the outbound policy refuses (the message names why, for admins and logs)."""


class Unresolvable(OSError):
    """The host name did not resolve (in time)."""


@lru_cache(maxsize=8)
def _allowed(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def allowed_networks(settings: Settings | None = None) -> tuple[IPNetwork, ...]:
    """The networks ``OUTBOUND_ALLOW_CIDRS`` opens."""
    return _allowed(tuple((settings or get_settings()).outbound_allow_cidrs))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _category(address: IPAddress) -> str | None:
    for what, networks in _CATEGORIES:
        if any(address.version == n.version and address in n for n in networks):
            return what
    if not address.is_global:
        return "a non-public address"
    return None


def address_problem(address: IPAddress, allow: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why the policy refuses ``address`` (``"is a loopback address"``), or None when it may be reached.

    An IPv6 address embedding an IPv4 one is judged by the IPv4 address; an allowed network
    containing either form lets it through, except for the cloud metadata addresses.
    """
    inner = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    judged: IPAddress = inner or address
    if address in BLOCKED_ADDRESSES or judged in BLOCKED_ADDRESSES:
        return METADATA
    if any(a.version == n.version and a in n for a in (address, judged) for n in allow):
        return None
    what = _category(judged)
    if what is None:
        return None
    return f"is {what}" if inner is None else f"embeds {judged}, {what}"


def normalize_host(host: str) -> str:
    """The ASCII form of a host name or IP literal (brackets removed); ``ValueError`` when malformed or ambiguous.

    Accepted: an IPv4 address in canonical dotted-quad form, an IPv6 address (no zone id),
    or a DNS name (IDNA; labels of letters, digits, ``-`` and ``_``).  Refused as ambiguous:
    a name whose last label is numeric (``0177.0.0.1``, ``127.1``, ``2852039166``,
    ``0x7f.1``): resolvers read those as IPv4 addresses in ways that differ between parsers.
    """
    if not isinstance(host, str):
        raise ValueError("host must be a string")
    name = host.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if not name:
        raise ValueError("host is empty")
    if "%" in name:
        raise ValueError("host must not contain '%' (percent-encoding or IPv6 zone ids)")
    if ":" in name:
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            raise ValueError(f"{host!r} is not a valid IPv6 address") from None
    name = name.lower()
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            raise ValueError(f"{host!r} is not a valid host name") from None
    bare = name[:-1] if name.endswith(".") else name
    labels = bare.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        try:
            return str(ipaddress.IPv4Address(bare))
        except ValueError:
            raise ValueError(f"{host!r} is an ambiguous IPv4 address (use the dotted-quad form)") from None
    if len(bare) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is not a valid host name")
    return name


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.rstrip("."))
    except ValueError:
        return None


def check_host(host: str, settings: Settings | None = None) -> str:
    """Validate a host for outbound use without resolving it; returns its normalized form.

    Raises ``ValueError`` for malformed input and :class:`UnsafeDestination` (a ValueError)
    for a metadata name or a literal address the policy refuses.
    """
    name = normalize_host(host)
    if name.rstrip(".") in BLOCKED_HOSTNAMES:
        raise UnsafeDestination(f"{host.strip()} is a cloud metadata host")
    literal = _literal(name)
    if literal is not None and (problem := address_problem(literal, allowed_networks(settings))):
        hint = "" if problem == METADATA else " (the operator can allow its network in OUTBOUND_ALLOW_CIDRS)"
        raise UnsafeDestination(f"{literal} {problem}; refused by the outbound policy{hint}")
    return name


def check_url(url: str, settings: Settings | None = None) -> str:
    """Validate an http(s) URL for outbound use; returns it stripped.  Raises ``ValueError``.

    The URL must parse the same way for :func:`urllib.parse.urlsplit` and httpx (which
    sends it), with no whitespace, control characters or backslashes, at most one ``@``,
    a valid host (:func:`check_host`) and a port in 1-65535.
    """
    if not isinstance(url, str):
        raise ValueError("URL must be a string")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"URL must be at most {MAX_URL_LENGTH} characters")
    if _FORBIDDEN_URL_CHARS.search(url) or any(ch.isspace() for ch in url):
        raise ValueError("URL must not contain whitespace, control characters or backslashes")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("URL must be valid UTF-8") from None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("URL must start with http:// or https://")
    if parts.netloc.count("@") > 1:
        raise ValueError("URL must not contain more than one '@' before the host")
    if not parts.hostname:
        raise ValueError("URL has no host")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("URL port must be between 1 and 65535")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"invalid URL: {exc}") from None
    host = check_host(parts.hostname, settings)
    default = 443 if parts.scheme == "https" else 80
    try:
        same_host = normalize_host(parsed.raw_host.decode("ascii")) == host
    except ValueError:
        same_host = False
    if not same_host or (parsed.port or default) != (port or default):
        raise ValueError("URL is ambiguous (its host or port reads differently to different parsers)")
    return url


async def resolve(host: str, port: int, settings: Settings | None = None) -> list[IPAddress]:
    """The addresses to connect to for ``host`` (at most :data:`MAX_ADDRESSES`), each allowed by the policy.

    Raises :class:`UnsafeDestination` if the host or *any* of its addresses is refused,
    :class:`Unresolvable` when it does not resolve, ``ValueError`` when ``host`` is
    malformed.  The caller bounds the time (the lookup runs in the default executor).
    """
    settings = settings or get_settings()
    name = check_host(host, settings)
    literal = _literal(name)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        log.info("cannot resolve %s: %s", name, exc)
        raise Unresolvable(UNRESOLVABLE) from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolvable(UNRESOLVABLE)
    allow = allowed_networks(settings)
    for address in addresses:
        if problem := address_problem(address, allow):
            raise UnsafeDestination(f"{name} resolves to {address}, which {problem}")
    return addresses[:MAX_ADDRESSES]
