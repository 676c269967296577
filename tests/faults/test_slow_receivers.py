"""Notification receivers that hang, crawl or drop the connection, against a real worker process.

A webhook receiver that accepts and never answers, one that answers after the timeout, and an SMTP
server that greets and then drops the connection: every delivery times out (or fails) per attempt,
is retried with backoff up to ``NOTIFY_MAX_ATTEMPTS`` and ends ``failed`` with the reason; none is
left queued or delivering.  Meanwhile the same worker delivers to a healthy receiver and drains
ingest as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.faults.harness import Ledger, event, post_batch, until

BASE = "/admin/monitoring-alerts/monitoring/notifications"
TIMEOUT, ATTEMPTS, BACKOFF = 1.0, 3, 0.5


@contextlib.contextmanager
def listener(serve) -> Iterator[tuple[int, list[float]]]:
    """A loopback TCP server running ``serve(conn)`` per connection in a thread; yields (port, accept times)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    accepted: list[float] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            accepted.append(time.monotonic())
            held.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            with contextlib.suppress(OSError):
                conn.close()
        sock.close()


def hang(conn: socket.socket) -> None:
    """Read the request, never answer (the connection stays open until the test ends)."""
    conn.settimeout(30)
    with contextlib.suppress(OSError):
        conn.recv(65536)
        time.sleep(30)


def crawl(conn: socket.socket) -> None:
    """Answer 200, but only after three times the delivery timeout."""
    with contextlib.suppress(OSError):
        conn.recv(65536)
        time.sleep(TIMEOUT * 3)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


def smtp_drop(conn: socket.socket) -> None:
    """Greet like an SMTP server, then drop the connection at the first command."""
    with contextlib.suppress(OSError):
        conn.sendall(b"220 faults.test ESMTP\r\n")
        conn.recv(1024)
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()


class Ok(BaseHTTPRequestHandler):
    hits: list[float] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Ok.hits.append(time.monotonic())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


async def test_hanging_and_dropping_receivers_end_failed_while_the_worker_serves_others(stack, figures):
    s = stack(
        "receivers",
        NOTIFY_TIMEOUT_SECONDS=str(TIMEOUT),
        NOTIFY_MAX_ATTEMPTS=str(ATTEMPTS),
        NOTIFY_BACKOFF_SECONDS=str(BACKOFF),
    )
    web = s.web()
    worker = s.worker()
    base = s.base(web)
    auth = {"Authorization": f"Bearer {s.api_key}"}
    ok_server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    ok_server.daemon_threads = True
    threading.Thread(target=ok_server.serve_forever, daemon=True).start()
    with (
        listener(hang) as (hang_port, hung),
        listener(crawl) as (crawl_port, _),
        listener(smtp_drop) as (
            smtp_port,
            dropped,
        ),
    ):
        async with httpx.AsyncClient(base_url=base, headers=auth, timeout=30) as http:

            async def channel(body: dict) -> int:
                r = await http.post(BASE, json=body)
                assert r.status_code == 201, r.text
                return int(r.json()["data"]["id"])

            broken = []
            for i in range(6):
                broken.append(
                    await channel(
                        {"name": f"hangs {i}", "type": "webhook", "config": {"url": f"http://127.0.0.1:{hang_port}/x"}}
                    )
                )
            broken.append(
                await channel(
                    {"name": "crawls", "type": "webhook", "config": {"url": f"http://127.0.0.1:{crawl_port}/"}}
                )
            )
            mail = {"to": ["ops@faults.test"], "host": "127.0.0.1", "port": smtp_port, "from": "po@faults.test"}
            mail["allow_plaintext"] = True  # the server offers no STARTTLS (it offers nothing: it hangs up)
            broken.append(await channel({"name": "drops", "type": "email", "config": mail}))
            healthy = await channel(
                {
                    "name": "healthy",
                    "type": "webhook",
                    "config": {"url": f"http://127.0.0.1:{ok_server.server_address[1]}/ok"},
                }
            )

            started = time.monotonic()
            sends = await asyncio.gather(*(http.post(f"{BASE}/{c}/test", json={}) for c in broken))
            assert all(r.status_code in (200, 202) for r in sends), [r.text for r in sends]
            broken_ids = [int(r.json()["data"]["delivery_id"]) for r in sends]

            # while those time out and back off, the worker serves others: a delivery and the ingest drain
            ledger = Ledger()
            sent_ok = time.monotonic()
            r = await http.post(f"{BASE}/{healthy}/test", json={})
            assert r.status_code in (200, 202), r.text
            healthy_id = int(r.json()["data"]["delivery_id"])
            prompt = uuid.uuid4()
            r = await post_batch(http, base, s.api_key, [event(prompt) for _ in range(200)], ledger)
            assert r is not None and r.status_code == 202

            async def healthy_delivered() -> bool:
                d = (await http.get(f"{BASE}/deliveries/{healthy_id}")).json()["data"]
                return d["status"] == "delivered"

            healthy_in = await until(healthy_delivered, 30, 0.1, "the healthy delivery")
            still_open = [
                d
                for d in [(await http.get(f"{BASE}/deliveries/{i}")).json()["data"] for i in broken_ids]
                if d["status"] not in ("delivered", "failed")
            ]
            drained_in = await s.drained(ledger, within=30)

            async def all_final() -> bool:
                got = [(await http.get(f"{BASE}/deliveries/{i}")).json()["data"] for i in broken_ids]
                return all(d["status"] in ("delivered", "failed") for d in got)

            await until(all_final, 90, 0.25, "every delivery to end")
            settled_after = time.monotonic() - started
            final = [(await http.get(f"{BASE}/deliveries/{i}")).json()["data"] for i in broken_ids]

    ok_server.shutdown()
    ok_server.server_close()
    errors = sorted({d["error"] for d in final})
    figures(
        "hanging/slow webhooks + SMTP dropping the connection",
        deliveries=len(final),
        failed=sum(d["status"] == "failed" for d in final),
        attempts=sorted({d["attempts"] for d in final}),
        errors=errors,
        hanging_connections=len(hung),
        smtp_connections_dropped=len(dropped),
        healthy_delivered_after_s=round(healthy_in, 2),
        healthy_delivered_latency_s=round(Ok.hits[-1] - sent_ok, 2) if Ok.hits else None,
        ingest_drained_after_s=round(drained_in, 2),
        still_retrying_when_healthy_done=len(still_open),
        all_final_after_s=round(settled_after, 2),
    )
    assert all(d["status"] == "failed" and d["attempts"] == ATTEMPTS for d in final), final
    assert all(d["next_attempt_at"] is None and d["error"] for d in final)
    assert any(e.startswith("timed out") for e in errors), errors
    # every attempt waited at most about the timeout; the retries were spaced by the backoff (0.5 s, then 1 s)
    assert settled_after >= TIMEOUT + BACKOFF + 2 * BACKOFF
    assert len(hung) >= 6 * ATTEMPTS and len(dropped) >= ATTEMPTS
    # the healthy receiver was not held up behind the broken ones
    assert still_open, "the broken deliveries were already final: nothing overlapped"
    assert healthy_in < 10 and drained_in < 10 and worker.alive, s.logs()
