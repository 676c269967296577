"""The client: a bounded in-memory queue and one background thread that delivers it in batches.

Why this shape: the calls an application makes (``log_usage`` and friends) sit on its hot path,
often inside a request handler or an asyncio event loop, so they only take a lock for a few
microseconds and append to a deque.  Everything slow (HTTP, retries, waiting out a
``Retry-After``) happens on one daemon thread per client.  Each event gets its id on the caller's
side, which makes every retry idempotent: the server stores an ``event_id`` once however often a
batch is re-sent, so a retry after a lost answer never counts an event twice.  The id is a
version-7 UUID (the time in ms, then random bits), so the server's index of event ids grows at its
end instead of taking each insert on a random page.

Delivery rules:

* a batch leaves when one kind has ``batch_size`` events, when its oldest event has waited
  ``flush_interval`` seconds, on :meth:`Client.flush` and at exit;
* 429, 502, 503, 504 and network errors (server down) are retried without limit, waiting at least
  the server's ``Retry-After`` (plus jitter) or an exponential backoff with jitter;
* other 5xx are retried ``max_server_error_retries`` times (a bug does not heal by waiting forever);
* a 400/422 naming ``events.N...`` drops those events only (counted as rejected) and re-sends the
  rest; any other 4xx rejects the batch (a bad API key stays bad);
* the queue holds at most ``max_queue_size`` events, counting the batch in flight; past that, new
  events are dropped and counted, the caller is never blocked.
"""

from __future__ import annotations

import atexit
import http.client
import json
import logging
import os
import random
import re
import ssl
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from promptops import __version__

log = logging.getLogger("promptops")

# kind -> batch route (the server's batch endpoints; each takes {"events": [...]} of up to 1,000)
ROUTES: dict[str, str] = {
    "prompt": "/api/v1/prompts/analytics/batch",
    "tool": "/api/v1/tools/executions/batch",
    "llm": "/api/v1/usage/events/batch",
}
SERVER_BATCH_MAX = 1000
ALWAYS_RETRY = frozenset({408, 429, 502, 503, 504})
MAX_RETRY_AFTER = 600.0  # a Retry-After longer than this is read as this (a misconfigured proxy)
_EVENT_INDEX = re.compile(r"^events\.(\d+)(?:\.|$)")


@dataclass(frozen=True)
class Stats:
    """What the client did so far (counts of events unless named otherwise)."""

    queued: int  # waiting in the queue
    in_flight: int  # in the batch being delivered (or waiting to be retried)
    sent: int  # acknowledged by the server (2xx)
    dropped: int  # refused by log_* because the queue was full
    rejected: int  # refused by the server (4xx, or 5xx after the retries) and not retried
    unsent_at_close: int  # still queued when close() gave up
    retries: int  # requests re-sent (count of requests, not events)
    batches: int  # successful requests
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def retry_delay(attempt: int, retry_after: float | None, base: float, cap: float, rng: random.Random) -> float:
    """How long to wait before retry number ``attempt`` (0-based).

    With a ``Retry-After`` the wait is never shorter than it; up to 10 % (at most a second) of
    jitter is added so that many clients told the same second do not come back together.
    Without one it is "equal jitter" exponential backoff: half of ``base * 2**attempt`` (capped)
    plus a random share of the other half.
    """
    if retry_after is not None:
        return retry_after + rng.uniform(0.0, min(1.0, 0.1 * retry_after + 0.05))
    ceiling = min(cap, base * (2 ** min(attempt, 30)))
    return ceiling / 2 + rng.uniform(0.0, ceiling / 2)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to PromptOps")


def _uuid7() -> str:
    """A version-7 UUID (RFC 9562): 48 bits of Unix time in ms, the version, 74 random bits."""
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b, 6 unused
    value = (time.time_ns() // 1_000_000) << 80 | 7 << 76 | (rand >> 68) << 64 | 2 << 62 | rand & (2**62 - 1)
    return str(uuid.UUID(int=value))


def _now() -> str:
    return datetime.now(UTC).isoformat()


class _Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class _Transport:
    """One keep-alive HTTP(S) connection, used only by the worker thread."""

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"promptops-python/{__version__}",
        }
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def post(self, path: str, body: bytes) -> _Response:
        """POST ``body``; raises ``OSError``/``HTTPException`` when no answer came (the caller retries)."""
        conn = self._connection()
        try:
            conn.request("POST", self.prefix + path, body=body, headers=self.headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return _Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


_clients: weakref.WeakSet[Client] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child has the parent's queue but not its thread: start empty (the parent sends those)."""
    for client in list(_clients):
        client._reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Client:
    """Sends events to one PromptOps server with one API key.

    ``api_key`` and ``base_url`` default to the ``PROMPTOPS_API_KEY`` and ``PROMPTOPS_URL``
    environment variables.  Safe to share between threads and asyncio tasks.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        batch_size: int = 200,
        flush_interval: float = 1.0,
        max_queue_size: int = 10_000,
        timeout: float = 10.0,
        backoff_base: float = 0.5,
        max_backoff: float = 30.0,
        max_server_error_retries: int = 5,
        shutdown_timeout: float = 10.0,
        seed: int | None = None,
    ) -> None:
        api_key = api_key or os.environ.get("PROMPTOPS_API_KEY")
        if not api_key:
            raise ValueError("an API key is required (argument api_key or PROMPTOPS_API_KEY)")
        base_url = base_url or os.environ.get("PROMPTOPS_URL") or "http://127.0.0.1:8000"
        if not 1 <= batch_size <= SERVER_BATCH_MAX:
            raise ValueError(f"batch_size must be between 1 and {SERVER_BATCH_MAX}")
        if max_queue_size < 1:
            raise ValueError("max_queue_size must be at least 1")
        if flush_interval <= 0 or timeout <= 0 or backoff_base <= 0 or max_backoff < backoff_base:
            raise ValueError("flush_interval, timeout and backoff_base must be positive, max_backoff >= backoff_base")
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_queue_size = max_queue_size
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_server_error_retries = max_server_error_retries
        self.shutdown_timeout = shutdown_timeout
        self._transport = _Transport(base_url, api_key, timeout)
        self._rng = random.Random(seed)
        self._init_state()
        _clients.add(self)

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._wake = threading.Event()  # cuts a backoff wait short when close() gives up
        self._queues: dict[str, deque[tuple[float, bytes]]] = {kind: deque() for kind in ROUTES}
        self._queued = 0
        self._in_flight = 0
        self._flush_waiters = 0
        self._closing = False
        self._abandon = False
        self._thread: threading.Thread | None = None
        self._counts = {"sent": 0, "dropped": 0, "rejected": 0, "unsent_at_close": 0, "retries": 0, "batches": 0}
        self._last_error: str | None = None

    def _reset_after_fork(self) -> None:
        self._transport._conn = None
        self._init_state()

    # ------------------------------------------------------------------ public API

    def log_usage(
        self,
        prompt_id: str | int | uuid.UUID,
        version_hash: str,
        *,
        latency_ms: float | None = None,
        cost_usd: float | None = None,
        score: float | None = None,
        status: str = "completed",
        prompt_name: str | None = None,
        timestamp: datetime | str | None = None,
        event_id: str | uuid.UUID | None = None,
        **fields: Any,
    ) -> str | None:
        """Queue one prompt execution (``POST /api/v1/prompts/analytics/batch``).

        ``prompt_id`` is the prompt's integer id or a UUID of your choosing (an unknown UUID creates
        the prompt, named ``prompt_name``).  Extra keyword fields (``total_duration_ms``,
        ``data_source_ids``...) are sent as given.  Returns the event id, or ``None`` when the queue
        was full and the event was dropped.
        """
        event = {
            "prompt_id": str(prompt_id) if isinstance(prompt_id, uuid.UUID) else prompt_id,
            "version_hash": version_hash,
            "status": status,
            "latency_ms": latency_ms,
            "cost_usd": cost_usd,
            "score": score,
            "prompt_name": prompt_name,
            **fields,
        }
        return self._enqueue("prompt", event, event_id, "timestamp", timestamp)

    def log_tool_call(
        self,
        tool_name: str,
        duration_ms: float,
        *,
        mcp_server: str | None = None,
        status: str | None = None,
        error_type: str | None = None,
        operation: str | None = None,
        prompt_id: int | None = None,
        prompt_version: str | None = None,
        arguments_size: int | None = None,
        result_size: int | None = None,
        started_at: datetime | str | None = None,
        event_id: str | uuid.UUID | None = None,
        **fields: Any,
    ) -> str | None:
        """Queue one tool execution (``POST /api/v1/tools/executions/batch``); returns its id or ``None`` if dropped.

        ``status`` defaults on the server to ``error`` when ``error_type`` is given, else ``success``.
        """
        event = {
            "tool_name": tool_name,
            "duration_ms": duration_ms,
            "mcp_server": mcp_server,
            "status": status,
            "error_type": error_type,
            "operation": operation,
            "prompt_id": prompt_id,
            "prompt_version": prompt_version,
            "arguments_size": arguments_size,
            "result_size": result_size,
            **fields,
        }
        return self._enqueue("tool", event, event_id, "started_at", started_at)

    def log_llm_usage(
        self,
        model: str,
        input_tokens: int = 0,
        output_tokens: int = 0,
        *,
        provider: str | None = None,
        cached_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        latency_ms: float | None = None,
        status: str | None = None,
        cost_usd: float | None = None,
        prompt_id: int | None = None,
        version_hash: str | None = None,
        request_id: str | None = None,
        resource_type: str | None = None,
        quantity: float | None = None,
        timestamp: datetime | str | None = None,
        event_id: str | uuid.UUID | None = None,
        **fields: Any,
    ) -> str | None:
        """Queue one metered LLM call (``POST /api/v1/usage/events/batch``); returns its id or ``None`` if dropped.

        Without ``cost_usd`` the server prices it from its price map at the event's time.
        """
        event = {
            "model": model,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "provider": provider,
            "cached_tokens": cached_tokens,
            "reasoning_tokens": reasoning_tokens,
            "latency_ms": latency_ms,
            "status": status,
            "cost_usd": cost_usd,
            "prompt_id": prompt_id,
            "version_hash": version_hash,
            "request_id": request_id,
            "resource_type": resource_type,
            "quantity": quantity,
            **fields,
        }
        return self._enqueue("llm", event, event_id, "timestamp", timestamp)

    def flush(self, timeout: float | None = None) -> bool:
        """Send everything queued now and wait until it is delivered (or rejected); ``False`` on timeout.

        Blocking: from asyncio code use :meth:`aflush`.  Events logged by other threads meanwhile
        are waited for too.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if self._queued + self._in_flight == 0:
                return True
            self._start_locked()
            self._flush_waiters += 1
            self._cond.notify_all()
            try:
                while self._queued + self._in_flight > 0:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    if self._thread is None or not self._thread.is_alive():
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._flush_waiters -= 1

    async def aflush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 (the flush thread's deadline)
        """:meth:`flush` for asyncio: waits in a worker thread, so the event loop keeps running."""
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, self.flush, timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Flush (at most ``timeout``, default ``shutdown_timeout`` seconds) and stop the worker.

        Returns ``True`` if everything was delivered; what could not be is counted in
        ``stats().unsent_at_close`` and logged.  Called at interpreter exit for every client.
        """
        timeout = self.shutdown_timeout if timeout is None else timeout
        delivered = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._abandon = True
            self._cond.notify_all()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(1.0, self._transport.timeout + 1.0))
        with self._cond:
            # The batch in flight (if the thread is still on it) is counted by the thread itself.
            left = self._queued
            if left:
                self._counts["unsent_at_close"] += left
                for queue in self._queues.values():
                    queue.clear()
                self._queued = 0
            left += self._in_flight
            if left:
                log.warning("promptops: %d events could not be delivered before exit (%s)", left, self._last_error)
        self._transport.close()
        try:
            atexit.unregister(self._at_exit)
        except Exception:  # pragma: no cover - interpreter teardown
            pass
        return delivered and not left

    def stats(self) -> Stats:
        with self._lock:
            return Stats(queued=self._queued, in_flight=self._in_flight, last_error=self._last_error, **self._counts)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ producer side

    def _enqueue(
        self,
        kind: str,
        event: dict[str, Any],
        event_id: str | uuid.UUID | None,
        time_field: str,
        when: datetime | str | None,
    ) -> str | None:
        payload = {k: v for k, v in event.items() if v is not None}
        eid = str(event_id) if event_id is not None else _uuid7()
        payload["event_id"] = eid
        # When it happened, not when the batch left: a retry minutes later must not move the event.
        payload[time_field] = when if when is not None else _now()
        # Serialized now: a value JSON cannot carry is the caller's TypeError here, not a lost batch
        # later, and the caller may mutate its lists afterwards.
        encoded = json.dumps(payload, default=_json_default, separators=(",", ":")).encode()
        with self._cond:
            if self._closing:
                self._counts["dropped"] += 1
                return None
            if self._queued + self._in_flight >= self.max_queue_size:
                self._counts["dropped"] += 1
                return None
            self._queues[kind].append((time.monotonic(), encoded))
            self._queued += 1
            self._start_locked()
            if len(self._queues[kind]) >= self.batch_size or len(self._queues[kind]) == 1:
                self._cond.notify_all()  # a full batch, or a new deadline for the worker's wait
        return eid

    def _start_locked(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name="promptops-sender", daemon=True)
        self._thread.start()
        atexit.register(self._at_exit)

    def _at_exit(self) -> None:
        self.close()

    # ------------------------------------------------------------------ worker side

    def _next_batch_locked(self) -> tuple[str, list[bytes]] | None:
        """The kind to send now and its batch, or ``None`` (then how long to wait is computed by the caller)."""
        urgent = self._flush_waiters > 0 or self._closing
        now = time.monotonic()
        best: tuple[float, str] | None = None
        for kind, queue in self._queues.items():
            if not queue:
                continue
            if urgent or len(queue) >= self.batch_size or now - queue[0][0] >= self.flush_interval:
                if best is None or queue[0][0] < best[0]:
                    best = (queue[0][0], kind)
        if best is None:
            return None
        queue = self._queues[best[1]]
        batch = [queue.popleft()[1] for _ in range(min(self.batch_size, len(queue)))]
        self._queued -= len(batch)
        self._in_flight += len(batch)
        return best[1], batch

    def _wait_time_locked(self) -> float | None:
        oldest = [q[0][0] for q in self._queues.values() if q]
        if not oldest:
            return None
        return max(0.0, min(oldest) + self.flush_interval - time.monotonic())

    def _run(self) -> None:
        while True:
            with self._cond:
                picked = None if self._abandon else self._next_batch_locked()
                while picked is None:
                    if self._abandon or (self._closing and self._queued == 0):
                        return  # close() counts what is left
                    self._cond.wait(self._wait_time_locked())
                    picked = None if self._abandon else self._next_batch_locked()
            self._deliver(*picked)

    def _finish(self, events: int, *, sent: int = 0, rejected: int = 0, error: str | None = None) -> None:
        """Take ``events`` (default: ``sent + rejected``) out of flight and count the outcome."""
        with self._cond:
            self._in_flight -= events or (sent + rejected)
            self._counts["sent"] += sent
            self._counts["rejected"] += rejected
            if sent:
                self._counts["batches"] += 1
            if error is not None:
                self._last_error = error
            self._cond.notify_all()

    def _deliver(self, kind: str, batch: list[bytes]) -> None:
        path = ROUTES[kind]
        attempt = 0
        server_errors = 0
        while batch:
            body = b'{"events":[' + b",".join(batch) + b"]}"
            retry_after: float | None = None
            try:
                response: _Response | None = self._transport.post(path, body)
            except Exception as exc:  # no answer (refused, reset, timeout): the server may be down
                response = None
                error = f"{type(exc).__name__}: {exc}"
            if response is not None:
                if 200 <= response.status < 300:
                    self._finish(0, sent=len(batch))
                    return
                error = f"HTTP {response.status}: {response.body[:300].decode('utf-8', 'replace')}"
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if response.status in (400, 422):
                    bad = _bad_indices(response.body, len(batch))
                    if bad and len(bad) < len(batch):
                        log.warning("promptops: the server refused %d of %d events: %s", len(bad), len(batch), error)
                        self._finish(0, rejected=len(bad), error=error)
                        batch = [e for i, e in enumerate(batch) if i not in bad]
                        continue
                if response.status not in ALWAYS_RETRY:
                    server_errors += response.status >= 500
                    if response.status < 500 or server_errors > self.max_server_error_retries:
                        log.error("promptops: %d events refused by the server: %s", len(batch), error)
                        self._finish(0, rejected=len(batch), error=error)
                        return
            with self._lock:
                self._last_error = error
                abandon = self._abandon
            if abandon:
                with self._cond:
                    self._counts["unsent_at_close"] += len(batch)
                self._finish(len(batch))
                return
            delay = retry_delay(attempt, retry_after, self.backoff_base, self.max_backoff, self._rng)
            log.info("promptops: %s; retrying %d events in %.2fs", error, len(batch), delay)
            attempt += 1
            with self._lock:
                self._counts["retries"] += 1
            if self._wake.wait(delay):
                continue  # close() gave up waiting: one last try above, then abandon


def _bad_indices(body: bytes, size: int) -> set[int]:
    """Indices of the events a 400's ``error.details`` names (``events.N.field``)."""
    try:
        details = json.loads(body)["error"]["details"]
    except (ValueError, KeyError, TypeError):
        return set()
    found: set[int] = set()
    if not isinstance(details, list):
        return found
    for item in details:
        field = item.get("field") if isinstance(item, dict) else None
        match = _EVENT_INDEX.match(field) if isinstance(field, str) else None
        if match and int(match.group(1)) < size:
            found.add(int(match.group(1)))
    return found
