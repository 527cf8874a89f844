"""A workstation's link to the office's PostgreSQL server, through the real fault proxy.

"Away" is the proxy resetting every connection and refusing new ones, as a
database PC that was switched off looks from a workstation.
"""

from __future__ import annotations

from sqlalchemy import make_url

from sync.faultproxy.plan import OutageSchedule
from sync.faultproxy.proxy import FaultProxy


def proxied_url(postgres_url: str, proxy: FaultProxy) -> str:
    """``postgres_url`` with the proxy in between."""
    url = make_url(postgres_url).set(host=proxy.host, port=proxy.port)
    return url.render_as_string(hide_password=False)


def open_proxy(postgres_url: str) -> FaultProxy:
    url = make_url(postgres_url)
    return FaultProxy(url.host or "127.0.0.1", url.port or 5432)


def away(proxy: FaultProxy) -> None:
    """The database PC switched off: every connection reset, new ones refused."""
    proxy.update_plan(outage=OutageSchedule(period_s=3600.0, online_s=0.0))
    proxy.refresh()


def back(proxy: FaultProxy) -> None:
    proxy.update_plan(outage=None)
    proxy.refresh()
