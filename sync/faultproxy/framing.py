"""Just enough HTTP/1.1 framing to know where each request and response starts and ends.

The proxy needs message boundaries on a kept-alive connection to drop one
response at the right moment; it never interprets anything else. Sans-IO: feed
bytes, get events with offsets into the bytes fed.

Limits: HTTP/1.1 (and 1.0) in plain text only; heads up to 64 KiB with CRLF
line ends; bodies framed by Content-Length, chunked coding, or (responses)
the closing of the connection; pipelined requests are matched to responses in
order. Anything else (TLS, HTTP/2, a malformed head, an Upgrade or CONNECT
tunnel) makes the framer give up: the bytes still flow, but no events follow.
"""

from __future__ import annotations

import collections
import dataclasses
import enum

MAX_HEAD = 64 * 1024
MAX_LINE = 8 * 1024
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Side(enum.Enum):
    REQUEST = "request"
    RESPONSE = "response"


class EventKind(enum.Enum):
    START = "start"  # offset of the message's first byte
    HEAD = "head"  # offset just past the head; ``method`` set for requests
    END = "end"  # offset just past the message's last byte (final responses only)


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    offset: int
    method: str = ""


class _State(enum.Enum):
    IDLE = enum.auto()
    HEAD = enum.auto()
    BODY = enum.auto()
    CHUNK_SIZE = enum.auto()
    CHUNK_DATA = enum.auto()
    TRAILERS = enum.auto()
    UNTIL_CLOSE = enum.auto()
    OPAQUE = enum.auto()


@dataclasses.dataclass(frozen=True, slots=True)
class _Head:
    method: str
    status: int
    chunked: bool
    length: int | None


class HttpFramer:
    """Frames one direction of one connection; see the module docstring for the limits."""

    def __init__(self, side: Side) -> None:
        self.side = side
        self._state = _State.IDLE
        self._buffer = bytearray()
        self._remaining = 0
        self._methods: collections.deque[str] = collections.deque()

    @property
    def opaque(self) -> bool:
        return self._state is _State.OPAQUE

    def give_up(self) -> None:
        """Stop framing: what follows is not HTTP this framer can follow (a tunnel, TLS)."""
        self._state = _State.OPAQUE
        self._buffer.clear()

    def expect_response_to(self, method: str) -> None:
        """Tell a response framer which request comes next (HEAD responses have no body)."""
        self._methods.append(method)

    def feed_eof(self) -> bool:
        """The peer closed: True if that ended a response delimited by the close."""
        ended = self._state is _State.UNTIL_CLOSE
        self._state = _State.OPAQUE
        return ended

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        i, n = 0, len(data)
        while i < n and self._state is not _State.OPAQUE:
            state = self._state
            if state is _State.IDLE:
                if data[i] in b"\r\n":
                    i += 1
                    continue
                if data[i] not in _TOKEN:
                    self.give_up()
                    break
                events.append(Event(EventKind.START, i))
                self._state = _State.HEAD
            elif state is _State.HEAD:
                i = self._feed_head(data, i, events)
            elif state in (_State.BODY, _State.CHUNK_DATA):
                take = min(self._remaining, n - i)
                i += take
                self._remaining -= take
                if self._remaining == 0:
                    if state is _State.BODY:
                        self._end(events, i)
                    else:
                        self._state = _State.CHUNK_SIZE
            elif state in (_State.CHUNK_SIZE, _State.TRAILERS):
                i = self._feed_line(data, i, events)
            else:  # UNTIL_CLOSE: the body runs to the end of the connection
                i = n
        return events

    def _end(self, events: list[Event], offset: int) -> None:
        events.append(Event(EventKind.END, offset))
        self._state = _State.IDLE

    def _feed_head(self, data: bytes, i: int, events: list[Event]) -> int:
        before = len(self._buffer)
        self._buffer += data[i:]
        pos = self._buffer.find(b"\r\n\r\n", max(0, before - 3))
        if pos < 0:
            if len(self._buffer) > MAX_HEAD:
                self.give_up()
            return len(data)
        end = i + (pos + 4 - before)
        head = self._parse_head(bytes(self._buffer[: pos + 4]))
        self._buffer.clear()
        if head is None:
            self.give_up()
            return end
        events.append(Event(EventKind.HEAD, end, head.method if self.side is Side.REQUEST else ""))
        self._after_head(head, events, end)
        return end

    def _after_head(self, head: _Head, events: list[Event], end: int) -> None:
        if self.side is Side.REQUEST:
            if head.method == "CONNECT":
                self._end(events, end)
                self.give_up()
                return
            self._frame_body(head, events, end, default_until_close=False)
            return
        if 100 <= head.status < 200 and head.status != 101:
            self._state = _State.IDLE  # interim response: the final one follows
            return
        method = self._methods.popleft() if self._methods else "GET"
        tunnel = head.status == 101 or (method == "CONNECT" and 200 <= head.status < 300)
        if tunnel or method == "HEAD" or head.status in (204, 304):
            self._end(events, end)
            if tunnel:
                self.give_up()
            return
        self._frame_body(head, events, end, default_until_close=True)

    def _frame_body(
        self, head: _Head, events: list[Event], end: int, *, default_until_close: bool
    ) -> None:
        if head.chunked:
            self._state = _State.CHUNK_SIZE
        elif head.length is not None and head.length > 0:
            self._state = _State.BODY
            self._remaining = head.length
        elif head.length == 0 or not default_until_close:
            self._end(events, end)
        else:
            self._state = _State.UNTIL_CLOSE

    def _feed_line(self, data: bytes, i: int, events: list[Event]) -> int:
        newline = data.find(b"\n", i)
        if newline < 0:
            self._buffer += data[i:]
            if len(self._buffer) > MAX_LINE:
                self.give_up()
            return len(data)
        self._buffer += data[i:newline]
        line = bytes(self._buffer).strip()
        self._buffer.clear()
        end = newline + 1
        if self._state is _State.TRAILERS:
            if not line:
                self._end(events, end)
            return end
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            self.give_up()
            return end
        if size == 0:
            self._state = _State.TRAILERS
        else:
            self._state = _State.CHUNK_DATA
            self._remaining = size + 2  # the chunk and its CRLF
        return end

    def _parse_head(self, raw: bytes) -> _Head | None:
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        method, status = "", 0
        if self.side is Side.REQUEST:
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                return None
            method = parts[0]
        else:
            if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
                return None
            if not (len(parts[1]) == 3 and parts[1].isdigit()):
                return None
            status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                return None
            key = name.lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        return self._framing(method, status, headers)

    def _framing(self, method: str, status: int, headers: dict[str, str]) -> _Head | None:
        chunked, length = False, None
        coding = headers.get("transfer-encoding")
        if coding is not None:
            chunked = coding.split(",")[-1].strip().lower() == "chunked"
            if not chunked and self.side is Side.REQUEST:
                return None
        elif "content-length" in headers:
            values = {v.strip() for v in headers["content-length"].split(",")}
            if len(values) != 1 or not next(iter(values)).isdigit():
                return None
            length = int(values.pop())
        return _Head(method, status, chunked, length)
