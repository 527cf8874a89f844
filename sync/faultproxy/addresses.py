"""Loopback only: the fault proxy must never listen on, or relay to, another host."""

from __future__ import annotations

import ipaddress


def loopback_host(host: str) -> str:
    """The address itself if it is a loopback address; a clear error for anything else."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        raise ValueError(
            f"{host!r} is not an IP address: the fault proxy only accepts loopback "
            "addresses (127.0.0.0/8, ::1 or localhost)"
        ) from None
    if not address.is_loopback:
        raise ValueError(
            f"{host} is not a loopback address: the fault proxy never targets other "
            "hosts (use 127.0.0.1, ::1 or localhost)"
        )
    return str(address)


def parse_endpoint(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``PORT``, ``HOST:PORT`` or ``[V6]:PORT`` to a loopback host and a port."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = default_host, text
    elif host.count(":") and not host.startswith("["):
        raise ValueError(f"write an IPv6 address in brackets: [::1]:PORT, not {text}")
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"{port_text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{port} is not a port number (0 to 65535)")
    return loopback_host(host), port


def display(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
