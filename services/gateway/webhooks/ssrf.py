"""Where webhooks may go: public addresses only, unless an admin allow-lists a host or network.

Checked when a subscription is registered **and** again right before every send
(DNS may have changed), and the send then connects to the very address that was
checked (the host name travels only in ``Host`` and TLS SNI), so a DNS answer that
changes between check and connect (rebinding) cannot steer it elsewhere. Redirects
are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The URL may not receive webhooks; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AllowList:
    """Admin-approved exceptions: exact host names and IP networks."""

    hosts: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> AllowList:
        """Entries are host names (``receiver.internal``) or networks (``127.0.0.1/32``, ``10.1.0.0/16``)."""
        hosts: set[str] = set()
        networks = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, address: IPAddress) -> bool:
        """True if the host name or the address is allow-listed."""
        return host in self.hosts or any(address in net for net in self.networks)


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast only: no loopback, private, link-local, CGNAT, multicast, reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def validate_entry(entry: str) -> str:
    """Normalise an allow-list entry; ValueError if it is neither a host name nor a network."""
    entry = entry.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        pass
    labels = entry.split(".")
    if (
        not entry
        or len(entry) > 253
        or not all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
    ):
        raise ValueError("an allow-list entry is a host name or an IP network (CIDR)")
    return entry


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked destination: the URL, its host, and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a callback URL; DestinationRefused for anything odd."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("https", "http"):
        raise DestinationRefused("the URL must be https://")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("credentials in the URL are not allowed")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise DestinationRefused("the URL has no host")
    if parts.fragment:
        raise DestinationRefused("the URL may not carry a #fragment")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), 5)
    except (OSError, TimeoutError) as exc:
        raise DestinationRefused(f"the host does not resolve ({type(exc).__name__})") from None
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))


async def check_destination(url: str, allow: AllowList) -> Destination:
    """The destination to connect to, or :class:`DestinationRefused`.

    Every address the host resolves to must be public or allow-listed (one bad
    address refuses the URL: an attacker controls which one a client would pick).
    Plain ``http://`` is accepted only for allow-listed destinations (test receivers).
    """
    scheme, host, port = parse_url(url)
    addresses = await resolve(host, port)
    if not addresses:
        raise DestinationRefused("the host has no address")
    for address in addresses:
        if not is_public(address) and not allow.allows(host, address):
            raise DestinationRefused(f"{host} resolves to a non-public address ({address}); not allow-listed")
    if scheme == "http" and not all(allow.allows(host, a) for a in addresses):
        raise DestinationRefused("the URL must be https:// (plain http only for allow-listed receivers)")
    # Connect to an IPv4 address when there is one (receivers often listen on IPv4 only).
    address = next((a for a in addresses if a.version == 4), addresses[0])
    return Destination(url=url, scheme=scheme, host=host, port=port, address=address)
