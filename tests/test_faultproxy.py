"""The fault proxy over real loopback sockets: every fault does what the sync tests rely on."""

from __future__ import annotations

import contextlib
import http.client
import queue
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.faultproxy import Fault, FaultPlan, FaultProxy, OutageSchedule
from sync.faultproxy.framing import EventKind, HttpFramer, Side
from sync.faultproxy.shaping import DelayLine
from tests.support.echo_http import EchoServer, closed_port, pattern, running

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = (2.0, 10.0)  # connect, read: no test waits forever


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[EchoServer]:
    with running() as echo:
        yield echo


@pytest.fixture
def proxy(server: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", server.port, seed=7) as running:
        yield running
        assert running.stats().errors == 0


def connection(proxy: FaultProxy) -> contextlib.closing[http.client.HTTPConnection]:
    return contextlib.closing(http.client.HTTPConnection(proxy.host, proxy.port, timeout=10))


def fetch(conn: http.client.HTTPConnection, method: str, path: str, body: bytes = b"") -> bytes:
    conn.request(method, path, body=body if method == "POST" else None)
    with conn.getresponse() as response:
        assert response.status == 200
        return response.read()


def answered(url: str) -> bool:
    try:
        requests.get(url, timeout=TIMEOUT).raise_for_status()
    except requests.ConnectionError:
        return False
    return True


def timed_get(session: requests.Session, url: str) -> float:
    started = time.monotonic()
    session.get(url, timeout=TIMEOUT).raise_for_status()
    return time.monotonic() - started


def test_large_bodies_and_several_requests_pass_intact_on_one_kept_alive_connection(
    proxy: FaultProxy, server: EchoServer
) -> None:
    upload = pattern(2 * 1024 * 1024)
    with requests.Session() as session:
        big = session.get(f"{proxy.url}/bytes?n=3000000", timeout=TIMEOUT)
        assert big.content == pattern(3_000_000)
        assert session.post(f"{proxy.url}/echo", data=upload, timeout=TIMEOUT).content == upload
        chunked = session.get(f"{proxy.url}/bytes?n=1000000&chunked=1", timeout=TIMEOUT)
        assert chunked.content == pattern(1_000_000)
        streamed = session.post(f"{proxy.url}/echo", data=iter([b"a" * 70000, b"b" * 5]))
        assert streamed.content == b"a" * 70000 + b"b" * 5  # a chunked request body
        assert session.get(f"{proxy.url}/bytes?n=0", timeout=TIMEOUT).content == b""
    stats = proxy.stats()
    assert stats.connections == 1
    assert stats.requests_forwarded == stats.responses_relayed == 5
    assert stats.bytes_up > len(upload) and stats.bytes_down > 3_000_000 + len(upload)
    assert [r.complete for r in server.received()] == [True] * 5


def test_latency_is_added_in_each_direction(proxy: FaultProxy) -> None:
    with requests.Session() as session:
        url = f"{proxy.url}/bytes?n=100"
        timed_get(session, url)  # connect outside the measurement
        baseline = min(timed_get(session, url) for _ in range(3))
        proxy.set_plan(FaultPlan(latency_up_ms=150, latency_down_ms=150))
        delayed = min(timed_get(session, url) for _ in range(2))
    assert delayed - baseline >= 0.25  # 300 ms added per round trip; generous bound


@pytest.mark.parametrize("direction", ["down", "up"])
def test_bandwidth_cap_is_roughly_respected(proxy: FaultProxy, direction: str) -> None:
    size, rate = 64 * 1024, 32 * 1024
    with requests.Session() as session:
        session.get(f"{proxy.url}/bytes?n=1", timeout=TIMEOUT)
        down = direction == "down"
        proxy.set_plan(FaultPlan(bandwidth_down=rate) if down else FaultPlan(bandwidth_up=rate))
        started = time.monotonic()
        if down:
            received = session.get(f"{proxy.url}/bytes?n={size}", timeout=TIMEOUT).content
        else:
            echo = session.post(f"{proxy.url}/echo", data=pattern(size), timeout=TIMEOUT)
            received = echo.content
        elapsed = time.monotonic() - started
    assert received == pattern(size)
    assert 1.5 <= elapsed < 8.0  # 2 s at the cap, less one 50 ms burst


def test_jitter_is_reproducible_from_its_seed_and_never_reorders() -> None:
    def schedule(seed: int) -> list[float]:
        line = DelayLine(random.Random(seed).uniform)
        return [line.deliver_at(now=i * 0.001, latency_s=0.1, jitter_s=0.05) for i in range(50)]

    first = schedule(3)
    assert first == schedule(3) != schedule(4)
    assert first == sorted(first)
    assert all(0.1 <= t - i * 0.001 <= 0.15 + 0.05 for i, t in enumerate(first))


def test_offline_refuses_connections_and_returns_on_the_same_port(proxy: FaultProxy) -> None:
    port = proxy.port
    proxy.set_plan(FaultPlan(offline=True))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((proxy.host, port), timeout=2).close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{proxy.url}/bytes?n=1", timeout=TIMEOUT)
    proxy.set_plan(FaultPlan())
    assert proxy.port == port
    assert requests.get(f"{proxy.url}/bytes?n=5", timeout=TIMEOUT).content == pattern(5)
    assert proxy.stats().count(Fault.LISTENER_CLOSED) == 1


def test_reset_on_accept_gives_a_connection_error(proxy: FaultProxy, server: EchoServer) -> None:
    proxy.set_plan(FaultPlan(reset_new_connections=True))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{proxy.url}/bytes?n=1", timeout=TIMEOUT)
    assert proxy.stats().count(Fault.RESET) >= 1
    assert server.received() == []


def test_upstream_down_resets_the_client_until_it_is_back(server: EchoServer) -> None:
    with FaultProxy("127.0.0.1", closed_port()) as proxy:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{proxy.url}/", timeout=TIMEOUT)
        proxy.set_upstream("127.0.0.1", server.port)  # as after a server restart on a new port
        assert requests.get(f"{proxy.url}/bytes?n=2", timeout=TIMEOUT).content == pattern(2)


def test_connections_beyond_the_limit_are_reset(server: EchoServer) -> None:
    with FaultProxy("127.0.0.1", server.port, max_connections=1) as proxy:
        with connection(proxy) as first:
            assert fetch(first, "GET", "/bytes?n=3") == pattern(3)
            with pytest.raises(requests.ConnectionError):
                requests.get(f"{proxy.url}/bytes?n=1", timeout=TIMEOUT)
        assert proxy.stats().over_capacity == 1


def test_dropped_response_reached_the_server_but_not_the_client(
    proxy: FaultProxy, server: EchoServer
) -> None:
    body = pattern(50_000)
    with connection(proxy) as conn:
        assert fetch(conn, "GET", "/bytes?n=10") == pattern(10)
        proxy.drop_next_response()
        with pytest.raises(ConnectionError):
            fetch(conn, "POST", "/echo", body)
    stats = proxy.stats()
    assert stats.requests_forwarded == 2 and stats.responses_relayed == 1
    assert stats.count(Fault.DROP_RESPONSE) == 1
    committed = server.wait_for(2)[1]
    assert committed.complete and committed.received == len(body)
    with connection(proxy) as again:  # one-shot: the next connection is healthy
        assert fetch(again, "POST", "/echo", body) == body


def test_drop_waits_for_the_whole_chunked_upload(proxy: FaultProxy, server: EchoServer) -> None:
    proxy.drop_next_response()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{proxy.url}/echo", data=iter([b"x" * 40000] * 3), timeout=TIMEOUT)
    assert server.wait_for(1)[0].received == 120000
    assert proxy.stats().requests_forwarded == 1


def test_random_drops_follow_the_seed(server: EchoServer) -> None:
    def outcomes(seed: int) -> list[bool]:
        plan = FaultPlan(drop_response_probability=0.5)
        with FaultProxy("127.0.0.1", server.port, plan=plan, seed=seed) as proxy:
            results = [answered(f"{proxy.url}/bytes?n=1") for _ in range(12)]
            assert proxy.stats().count(Fault.DROP_RESPONSE) == results.count(False)
            return results

    first = outcomes(11)
    assert first == outcomes(11)
    assert True in first and False in first


def test_drop_needs_plain_http_and_leaves_other_bytes_alone(proxy: FaultProxy) -> None:
    """TLS-like bytes are relayed untouched: no framing, so no response to drop."""
    proxy.drop_next_response()
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01\x00\x05hello\r\n\r\n")
        answer = b"".join(iter(lambda: sock.recv(65536), b""))  # until the server closes
    assert b"Error code: 400" in answer  # http.server's complaint, relayed whole
    assert proxy.stats().count(Fault.DROP_RESPONSE) == 0


@pytest.mark.parametrize("trigger", ["plan", "one-shot"])
def test_upload_cut_mid_request_leaves_the_server_a_partial_body(
    proxy: FaultProxy, server: EchoServer, trigger: str
) -> None:
    if trigger == "plan":
        proxy.set_plan(FaultPlan(cut_upload_after_bytes=100_000))
    else:
        proxy.cut_next_upload(100_000)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{proxy.url}/echo", data=pattern(1_000_000), timeout=TIMEOUT)
    partial = server.wait_for(1)[0]
    assert not partial.complete and 0 < partial.received < 100_000
    stats = proxy.stats()
    assert stats.bytes_up == 100_000 and stats.count(Fault.CUT_UPLOAD) == 1


def test_download_cut_mid_response(proxy: FaultProxy) -> None:
    proxy.set_plan(FaultPlan(cut_download_after_bytes=200_000))
    with pytest.raises(requests.RequestException):
        requests.get(f"{proxy.url}/bytes?n=1000000", timeout=TIMEOUT).raise_for_status()
    assert proxy.stats().bytes_down == 200_000


def test_stall_lets_the_client_deadline_fire(proxy: FaultProxy, server: EchoServer) -> None:
    proxy.set_plan(FaultPlan(stall=True))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{proxy.url}/bytes?n=1", timeout=(2.0, 0.5))
    assert time.monotonic() - started < 3.0
    assert server.received() == []
    assert proxy.stats().count(Fault.STALL) >= 1
    proxy.update_plan(stall=False)
    assert requests.get(f"{proxy.url}/bytes?n=4", timeout=TIMEOUT).content == pattern(4)


def test_outage_schedule_follows_the_injected_clock(server: EchoServer) -> None:
    clock = ManualClock()
    with FaultProxy("127.0.0.1", server.port, clock=clock) as proxy:
        proxy.set_plan(FaultPlan(outage=OutageSchedule(period_s=10, online_s=2)))
        with connection(proxy) as kept:
            assert fetch(kept, "GET", "/bytes?n=2") == pattern(2)
            clock.now += 3  # into the offline part of the period
            proxy.refresh()
            with pytest.raises(ConnectionError):
                fetch(kept, "GET", "/bytes?n=2")  # established connections are reset
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((proxy.host, proxy.port), timeout=2).close()
        clock.now += 7  # the next period begins online
        proxy.refresh()
        assert requests.get(f"{proxy.url}/bytes?n=3", timeout=TIMEOUT).content == pattern(3)
        stats = proxy.stats()
    assert stats.count(Fault.OUTAGE_RESET) == 1
    assert stats.count(Fault.LISTENER_CLOSED) == 1


def test_a_gentle_outage_freezes_connections_until_the_link_returns(server: EchoServer) -> None:
    clock = ManualClock()
    schedule = OutageSchedule(period_s=10, online_s=2, reset_established=False)
    proxy = FaultProxy("127.0.0.1", server.port, clock=clock, plan=FaultPlan(outage=schedule))
    with proxy, connection(proxy) as kept:
        assert fetch(kept, "GET", "/bytes?n=2") == pattern(2)
        clock.now += 5
        proxy.refresh()
        kept.sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            fetch(kept, "GET", "/bytes?n=6")
        clock.now += 5
        proxy.refresh()
        kept.sock.settimeout(5)
        with kept.getresponse() as late:  # the frozen request completes afterwards
            assert late.read() == pattern(6)


def test_stop_resets_open_connections_promptly_and_frees_the_port(server: EchoServer) -> None:
    proxy = FaultProxy("127.0.0.1", server.port).start()
    with connection(proxy) as kept:
        assert fetch(kept, "GET", "/bytes?n=1") == pattern(1)
        proxy.update_plan(stall=True)
        with socket.create_connection((proxy.host, proxy.port), timeout=2) as stalled:
            stalled.sendall(b"GET /bytes?n=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            started = time.monotonic()
            proxy.stop()
            assert time.monotonic() - started < 3.0
    assert not any(t.name == "faultproxy" for t in threading.enumerate())
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((proxy.host, proxy.port), timeout=2).close()
    proxy.stop()  # idempotent


@pytest.mark.parametrize("host", ["10.0.0.8", "192.168.1.1", "example.com", "0.0.0.0"])
def test_only_loopback_addresses_are_accepted(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(host, 8080)
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("127.0.0.1", 8080, listen_host=host)


def test_plan_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        FaultPlan(drop_response_probability=1.5)
    with pytest.raises(ValueError):
        FaultPlan(bandwidth_up=0)
    with pytest.raises(ValueError):
        OutageSchedule(period_s=10, online_s=11)


def _cli(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sync.faultproxy", *args]
    pipe = subprocess.PIPE
    return subprocess.Popen(command, cwd=ROOT, stdout=pipe, stderr=pipe, text=True)


def test_command_line_refuses_a_non_loopback_upstream() -> None:
    process = _cli("--listen", "0", "--upstream", "192.0.2.1:80")
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "192.0.2.1 is not a loopback address" in err


def test_command_line_relays_with_the_faults_asked_for(server: EchoServer) -> None:
    upstream = f"127.0.0.1:{server.port}"
    options = ["--latency-ms", "20", "--bandwidth", "200000", "--duration", "30"]
    process = _cli("--listen", "0", "--upstream", upstream, *options)
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()))
    reader.start()
    try:
        first = lines.get(timeout=20)
        assert first.startswith("listening on 127.0.0.1:"), first
        port = int(first.split()[2].rsplit(":", 1)[1])
        url = f"http://127.0.0.1:{port}/bytes?n=1000"
        assert requests.get(url, timeout=TIMEOUT).content == pattern(1000)
    finally:
        process.terminate()
        out, _err = process.communicate(timeout=20)
        reader.join(5)
    assert '"requests_forwarded": 1' in out


def test_framer_finds_the_same_boundaries_whatever_the_packet_split() -> None:
    stream = (
        b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        b"\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n"
    )

    def ends(pieces: list[bytes]) -> list[int]:
        framer, seen, found = HttpFramer(Side.REQUEST), 0, []
        for piece in pieces:
            found += [seen + e.offset for e in framer.feed(piece) if e.kind is EventKind.END]
            seen += len(piece)
        return found

    whole = ends([stream])
    assert len(whole) == 3 and whole[-1] == len(stream)
    assert ends([stream[i : i + 1] for i in range(len(stream))]) == whole


def test_framer_knows_responses_without_bodies_and_gives_up_on_what_is_not_http() -> None:
    framer = HttpFramer(Side.RESPONSE)
    for method in ("HEAD", "GET", "GET"):
        framer.expect_response_to(method)
    stream = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"  # to HEAD: no body
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n\r\nuntil the close"
    )
    events = framer.feed(stream)
    assert [e.kind for e in events].count(EventKind.START) == 4
    assert [e.kind for e in events].count(EventKind.END) == 2
    assert framer.feed_eof()
    tls = HttpFramer(Side.REQUEST)
    assert tls.feed(b"\x16\x03\x01\x02\x00\x01") == [] and tls.opaque
