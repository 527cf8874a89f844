"""The fault-injecting TCP proxy: a real listener between a client and a loopback upstream.

It runs its own asyncio loop in one thread: one thread serves every connection,
latency and bandwidth are timers rather than sleeping threads, and stopping is
a cancellation that closes every socket. The public methods are synchronous
and safe to call from any thread; a new plan takes effect before ``set_plan``
returns.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sync.faultproxy.addresses import display, loopback_host
from sync.faultproxy.link import Link
from sync.faultproxy.plan import Direction, Fault, FaultPlan, Stats
from sync.faultproxy.relay import Relay, RelayContext, reset_socket
from sync.faultproxy.shaping import TokenBucket

log = logging.getLogger(__name__)

TICK_S = 0.02  # how often the outage schedule is looked at
ACCEPT_BATCH = 32
CALL_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class FaultProxy:
    """Relays TCP from ``listen_host:port`` to a loopback upstream, injecting the plan's faults.

    ``clock`` (seconds, monotonic) drives only the outage schedule, so tests can
    move it by hand and call ``refresh()``; ``seed`` fixes jitter and random drops.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        *,
        plan: FaultPlan | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_connections: int = 64,
    ) -> None:
        self._host = loopback_host(listen_host)
        self._port = listen_port
        self._clock = clock
        self._max_connections = max_connections
        upstream = (loopback_host(upstream_host), upstream_port)
        self._link = Link(upstream, plan or FaultPlan(), seed, clock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # Owned by the loop thread once started:
        self._listener: socket.socket | None = None
        self._relays: dict[Relay, asyncio.Task[None]] = {}
        self._in_outage = False
        self._stopping: asyncio.Event | None = None
        self._context: RelayContext | None = None

    @property
    def port(self) -> int:
        """The listening port (chosen at start when 0 was asked for); kept across outages."""
        if self._thread is None:
            raise RuntimeError("start the proxy first")
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        return f"http://{display(self._host, self.port)}"

    @property
    def plan(self) -> FaultPlan:
        return self._link.plan

    def set_plan(self, plan: FaultPlan) -> FaultPlan:
        """Install ``plan`` (an outage schedule without origin starts now); applied on return."""
        installed = self._link.set_plan(plan)
        self.refresh()
        return installed

    def update_plan(self, **changes: Any) -> FaultPlan:
        """Change some fields of the current plan atomically, e.g. ``update_plan(stall=True)``."""
        installed = self._link.update_plan(**changes)
        self.refresh()
        return installed

    def set_upstream(self, host: str, port: int) -> None:
        """Relay new connections to another loopback server (one restarted on a new port)."""
        self._link.upstream = (loopback_host(host), port)

    def drop_next_response(self, count: int = 1) -> None:
        """The next ``count`` HTTP responses are dropped after their request reached upstream."""
        self._link.arm_drop(count)

    def cut_next_upload(self, after_bytes: int) -> None:
        """The next client bytes to arrive (any connection) are cut after ``after_bytes``."""
        self._link.arm_cut(after_bytes)

    def stats(self) -> Stats:
        return self._link.stats()

    def refresh(self) -> None:
        """Apply the plan and the outage schedule now (after moving an injected clock)."""
        self._in_loop(self._apply)

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("the proxy was already started")
        loop = asyncio.SelectorEventLoop()  # add_reader also works on Windows with this loop
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._run, args=(loop, ready), name="faultproxy", daemon=True
        )
        self._loop, self._thread = loop, thread
        thread.start()
        try:
            ready.result(timeout=CALL_TIMEOUT_S)
        except BaseException:
            thread.join(STOP_TIMEOUT_S)
            self._loop = self._thread = None
            raise
        return self

    def stop(self) -> None:
        """Reset every connection, close the listener, end the thread; idempotent."""
        loop, thread, stopping = self._loop, self._thread, self._stopping
        if loop is None or thread is None or stopping is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already ended
            loop.call_soon_threadsafe(stopping.set)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError(f"the fault proxy did not stop within {STOP_TIMEOUT_S} s")
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _in_loop(self, function: Callable[[], None]) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if threading.current_thread() is thread:
            function()
            return
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def call() -> None:
            try:
                function()
            except BaseException as exc:
                done.set_exception(exc)
            else:
                done.set_result(None)

        loop.call_soon_threadsafe(call)
        done.result(timeout=CALL_TIMEOUT_S)

    def _run(self, loop: asyncio.AbstractEventLoop, ready: concurrent.futures.Future[None]) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(ready))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        flowing = asyncio.Event()
        buckets = {d: TokenBucket(loop.time) for d in Direction}
        self._context = RelayContext(self._link, flowing, buckets)
        try:
            self._open_listener()
            self._apply()
        except BaseException as exc:
            self._close_listener(count=False)
            ready.set_exception(exc)
            return
        ready.set_result(None)
        ticker = loop.create_task(self._tick())
        try:
            await self._stopping.wait()
        finally:
            ticker.cancel()
            self._close_listener(count=False)
            for relay in list(self._relays):
                relay.reset(None)
            tasks = [ticker, *self._relays.values()]
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S / 2)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self._apply()

    def _offline_now(self) -> tuple[bool, bool]:
        """Whether new connections are refused, and whether an outage is under way."""
        plan = self._link.plan
        outage = plan.outage is not None and not plan.outage.online_at(self._clock())
        return plan.offline or outage, outage

    def _apply(self) -> None:
        plan = self._link.plan
        refusing, outage = self._offline_now()
        if refusing:
            self._close_listener(count=True)
        elif self._listener is None:
            try:
                self._open_listener()
            except OSError as exc:  # someone took the port during the outage: retry next tick
                log.warning("fault proxy cannot listen again on %s: %s", self._port, exc)
        hard_outage = plan.outage is not None and plan.outage.reset_established
        if outage and not self._in_outage and hard_outage:
            for relay in list(self._relays):
                relay.reset(Fault.OUTAGE_RESET)
        self._in_outage = outage
        assert self._context is not None
        if plan.stall or (outage and not hard_outage):
            self._context.flowing.clear()
        else:
            self._context.flowing.set()

    def _open_listener(self) -> None:
        if self._listener is not None:
            return
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name != "nt":  # rebinding the same port after an outage (TIME_WAIT)
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self._host, self._port))
            listener.listen(128)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            raise
        self._port = int(listener.getsockname()[1])
        self._listener = listener
        asyncio.get_running_loop().add_reader(listener.fileno(), self._accept_ready)

    def _close_listener(self, *, count: bool) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        asyncio.get_running_loop().remove_reader(listener.fileno())
        listener.close()  # the kernel refuses new connections from here on
        if count:
            self._link.fault(Fault.LISTENER_CLOSED)

    def _accept_ready(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if self._listener is None:
                return
            try:
                sock, _address = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("fault proxy accept failed: %s", exc)
                return
            self._admit(sock)

    def _admit(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self._link.count("connections")
        plan = self._link.plan
        if self._offline_now()[0]:  # the outage began between two ticks
            self._link.fault(Fault.REFUSED)
            reset_socket(sock)
        elif plan.reset_new_connections:
            self._link.fault(Fault.RESET)
            reset_socket(sock)
        elif len(self._relays) >= self._max_connections:
            self._link.count("over_capacity")
            reset_socket(sock)
        else:
            assert self._context is not None
            relay = Relay(self._context, sock, plan)
            task = asyncio.get_running_loop().create_task(relay.run())
            self._relays[relay] = task
            task.add_done_callback(lambda done: self._relay_done(relay, done))

    def _relay_done(self, relay: Relay, task: asyncio.Task[None]) -> None:
        self._relays.pop(relay, None)
        if not task.cancelled() and task.exception() is not None:
            self._link.count("errors")
            log.error("fault proxy relay failed", exc_info=task.exception())
