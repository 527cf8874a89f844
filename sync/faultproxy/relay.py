"""One client connection relayed to the upstream, with the plan's faults applied on the way.

Each direction is a reader and a writer joined by a small queue: the reader
stamps every chunk with its delivery time as it arrives (so latency overlaps
like a long link, instead of adding up per chunk) and decides the cuts and the
response drop; the writer waits for that time, for a stall to end and for the
bandwidth tokens, then writes. The queue bound is the connection's window:
when it is full the reader stops reading and TCP pushes back on the sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import socket
import struct
from collections.abc import Coroutine, Mapping
from typing import Any

from sync.faultproxy.framing import EventKind, HttpFramer, Side
from sync.faultproxy.link import Link
from sync.faultproxy.plan import Direction, Fault, FaultPlan
from sync.faultproxy.shaping import DelayLine, TokenBucket, burst_bytes

CHUNK = 16 * 1024
WINDOW_CHUNKS = 16  # at most 256 KiB held per direction of a connection
CONNECT_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 2.0
_CUT_FAULT = {Direction.UP: Fault.CUT_UPLOAD, Direction.DOWN: Fault.CUT_DOWNLOAD}


class _Then(enum.Enum):
    CONTINUE = enum.auto()
    EOF = enum.auto()
    RESET = enum.auto()


@dataclasses.dataclass(slots=True)
class _Item:
    deliver_at: float
    data: bytes
    completes: int = 0  # HTTP messages whose last byte is in ``data``
    then: _Then = _Then.CONTINUE
    fault: Fault | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RelayContext:
    """What every relay of one proxy shares: the link and the stall gate."""

    link: Link
    flowing: asyncio.Event  # cleared while the link is stalled
    buckets: Mapping[Direction, TokenBucket]


def reset_socket(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN, as a dead link or a crashed peer would."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _no_delay(writer: asyncio.StreamWriter) -> None:
    """Relay each chunk at once: delays are the plan's business, not Nagle's."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reset_stream(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Relay:
    """Relays one accepted client socket until both sides are done or a fault resets it."""

    def __init__(self, context: RelayContext, client: socket.socket, plan: FaultPlan) -> None:
        self._context = context
        self._link = context.link
        self._client = client
        self._budget = {d: plan.cut_after(d) for d in Direction}
        self._framers = {
            Direction.UP: HttpFramer(Side.REQUEST),
            Direction.DOWN: HttpFramer(Side.RESPONSE),
        }
        self._writers: dict[Direction, asyncio.StreamWriter] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._main: asyncio.Task[None] | None = None
        self._requests_forwarded = 0
        self._responses_seen = 0
        self._closing = False

    async def run(self) -> None:
        self._main = asyncio.current_task()
        self._link.count("active")
        try:
            await self._relay()
        finally:
            await self._finish()
            self._link.count("active", -1)

    def reset(self, fault: Fault | None) -> None:
        """Reset both sides now and stop relaying; ``fault`` is counted if given."""
        if self._closing:
            return
        self._closing = True
        if fault is not None:
            self._link.fault(fault)
        gentle = fault is Fault.CUT_UPLOAD and self._link.plan.cut_closes_upstream
        for direction, writer in self._writers.items():
            if gentle and direction is Direction.UP:
                writer.close()  # FIN after what was written; ``_finish`` waits for it
            else:
                _reset_stream(writer)
        current = asyncio.current_task()
        for task in (*self._tasks, self._main):
            if task is not None and task is not current:
                task.cancel()

    async def _relay(self) -> None:
        if self._closing:
            return
        client_reader, client_writer = await asyncio.open_connection(sock=self._client)
        self._writers[Direction.DOWN] = client_writer
        _no_delay(client_writer)
        queues = {d: asyncio.Queue[_Item](WINDOW_CHUNKS) for d in Direction}
        self._spawn(self._read(Direction.UP, client_reader, queues[Direction.UP]))
        if not self._context.flowing.is_set():
            self._link.fault(Fault.STALL)
            await self._context.flowing.wait()
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*self._link.upstream), CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            self.reset(None)  # the far side is down: the client sees a reset
            return
        self._writers[Direction.UP] = upstream_writer
        _no_delay(upstream_writer)
        self._spawn(self._write(Direction.UP, upstream_writer, queues[Direction.UP]))
        self._spawn(self._read(Direction.DOWN, upstream_reader, queues[Direction.DOWN]))
        self._spawn(self._write(Direction.DOWN, client_writer, queues[Direction.DOWN]))
        await asyncio.wait(set(self._tasks))

    async def _finish(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in self._writers.values():
            if not self._closing:
                writer.close()
            with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT_S)
            if not writer.transport.is_closing():
                writer.transport.abort()
        if not self._writers:  # never wrapped in a stream: still ours to close
            reset_socket(self._client)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._tasks.add(asyncio.get_running_loop().create_task(coroutine))

    async def _read(
        self, direction: Direction, reader: asyncio.StreamReader, queue: asyncio.Queue[_Item]
    ) -> None:
        delays = DelayLine(self._link.uniform)
        loop = asyncio.get_running_loop()
        while True:
            try:
                data = await reader.read(CHUNK)
            except OSError:  # the peer reset: pass the reset on, after what came before it
                item = _Item(0.0, b"", then=_Then.RESET)
            else:
                if data:
                    item = self._shape(direction, data)
                else:
                    ended = self._framers[direction].feed_eof()
                    item = _Item(0.0, b"", completes=int(ended), then=_Then.EOF)
            plan = self._link.plan
            item.deliver_at = delays.deliver_at(
                loop.time(), plan.latency_s(direction), plan.jitter_ms / 1000.0
            )
            await queue.put(item)
            if item.then is not _Then.CONTINUE:
                return

    def _shape(self, direction: Direction, data: bytes) -> _Item:
        """Apply the cut and the response drop to one chunk as it arrives."""
        item = _Item(0.0, data)
        budget = self._budget[direction]
        if budget is None and direction is Direction.UP:
            budget = self._link.take_cut()
        if budget is not None:
            if len(data) >= budget:
                item.data, item.then, item.fault = data[:budget], _Then.RESET, _CUT_FAULT[direction]
            budget = max(0, budget - len(data))
        self._budget[direction] = budget
        if direction is Direction.UP:
            allowed = self._link.link_cut_within(len(item.data))
            if allowed is not None:
                item.data, item.then, item.fault = (
                    item.data[:allowed],
                    _Then.RESET,
                    Fault.CUT_UPLOAD,
                )
        for event in self._framers[direction].feed(item.data):
            if event.kind is EventKind.HEAD and direction is Direction.UP:
                self._framers[Direction.DOWN].expect_response_to(event.method)
            elif event.kind is EventKind.END:
                item.completes += 1
                if direction is Direction.DOWN:
                    self._responses_seen += 1
            elif event.kind is EventKind.START and self._should_drop(direction):
                item.data, item.then, item.fault = (
                    item.data[: event.offset],
                    _Then.RESET,
                    Fault.DROP_RESPONSE,
                )
                break
        if self._framers[Direction.DOWN].opaque:
            self._framers[Direction.UP].give_up()  # a tunnel (101, CONNECT) or not HTTP
        return item

    def _should_drop(self, direction: Direction) -> bool:
        """A response starts: drop it if its request was fully forwarded and the plan says so."""
        if direction is not Direction.DOWN:
            return False
        return self._requests_forwarded > self._responses_seen and self._link.decide_drop()

    async def _write(
        self, direction: Direction, writer: asyncio.StreamWriter, queue: asyncio.Queue[_Item]
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            item = await queue.get()
            wait = item.deliver_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not self._context.flowing.is_set():
                self._link.fault(Fault.STALL)
                await self._context.flowing.wait()
            try:
                await self._send(direction, writer, item)
            except OSError:
                self.reset(None)  # the receiving side went away: reset the other too
                return
            if item.then is _Then.EOF:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof() and not writer.transport.is_closing():
                        writer.write_eof()
                return
            if item.then is _Then.RESET:
                self.reset(item.fault)
                return

    async def _send(self, direction: Direction, writer: asyncio.StreamWriter, item: _Item) -> None:
        rate = self._link.plan.bandwidth(direction)
        data = item.data
        step = len(data) if rate is None else burst_bytes(rate)
        for start in range(0, len(data), max(1, step)):
            piece = data[start : start + step]
            if rate is not None:
                await self._context.buckets[direction].take(len(piece), rate)
            # Counted before the write: once the bytes are out, the peer (a test
            # thread) may look at the counters, and the upstream may answer.
            self._link.count_bytes(direction, len(piece))
            if start + step >= len(data):
                self._completed(direction, item.completes)
            writer.write(piece)
            await writer.drain()
        if not data:
            self._completed(direction, item.completes)

    def _completed(self, direction: Direction, messages: int) -> None:
        if not messages:
            return
        if direction is Direction.UP:
            self._requests_forwarded += messages
            self._link.count("requests_forwarded", messages)
        else:
            self._link.count("responses_relayed", messages)
