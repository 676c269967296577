"""The SDK against the real app (uvicorn + arq worker): what it accepts is stored, once, whatever the server does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter

import promptops
import pytest
from conftest import ROOT, Gate, Tenant, stored_ids, wait_stored
from promptops import Client


def _client(tenant: Tenant, url: str, **options: object) -> Client:
    options = {"batch_size": 50, "flush_interval": 0.2, "backoff_base": 0.05, "max_backoff": 0.5, **options}
    return Client(tenant.api_key, url, **options)  # type: ignore[arg-type]


def _log_prompts(client: Client, n: int, prompt: uuid.UUID | None = None) -> list[str | None]:
    prompt = prompt or uuid.uuid4()
    return [
        client.log_usage(prompt, "v1", latency_ms=100 + i, cost_usd=0.001, score=0.5, prompt_name="sdk test")
        for i in range(n)
    ]


def _assert_exactly_stored(kind: str, tenant: Tenant, ids: list[str | None]) -> None:
    expected = {i for i in ids if i is not None}
    found = wait_stored(kind, tenant.organization_id, expected)
    assert set(found) == expected, f"missing {len(expected - set(found))}, unexpected {len(set(found) - expected)}"
    assert not [i for i, n in Counter(found).items() if n > 1], "an event was stored twice"


def test_three_kinds_are_batched_and_stored(server: str, tenant: Tenant, gate: Gate) -> None:
    client = _client(tenant, gate.url)
    before = time.time_ns() // 1_000_000
    prompts = _log_prompts(client, 130)
    # the ids the client made: version-7 uuids carrying the time they were made (ms since the epoch)
    made = [uuid.UUID(i) for i in prompts if i is not None]
    assert len(made) == 130 and {u.version for u in made} == {7} and {u.variant for u in made} == {uuid.RFC_4122}
    assert all(before <= u.int >> 80 <= time.time_ns() // 1_000_000 for u in made)
    tools = [
        client.log_tool_call("search", 12.5 + i, mcp_server="docs", arguments_size=10, result_size=200)
        for i in range(70)
    ]
    tools.append(client.log_tool_call("search", 3.0, error_type="Timeout"))
    llm = [
        client.log_llm_usage("gpt-4o-mini", input_tokens=1000, output_tokens=200, provider="openai", cost_usd=0.01)
        for _ in range(40)
    ]
    assert client.flush(timeout=30)
    stats = client.stats()
    assert (stats.sent, stats.dropped, stats.rejected, stats.queued, stats.in_flight) == (241, 0, 0, 0, 0)
    # size bound: 130 prompt events in batches of at most 50 -> 3 requests; 71 tools -> 2; 40 usage -> 1
    per_path = Counter(h.path for h in gate.hits)
    assert per_path == {
        "/api/v1/prompts/analytics/batch": 3,
        "/api/v1/tools/executions/batch": 2,
        "/api/v1/usage/events/batch": 1,
    }
    assert all(h.status == 202 for h in gate.hits)
    assert max(h.events for h in gate.hits) <= 50
    _assert_exactly_stored("prompt", tenant, prompts)
    _assert_exactly_stored("tool", tenant, tools)
    _assert_exactly_stored("llm", tenant, llm)
    client.close()


def test_time_bound_sends_a_small_batch_without_flush(server: str, tenant: Tenant, gate: Gate) -> None:
    client = _client(tenant, gate.url, batch_size=500, flush_interval=0.3)
    ids = _log_prompts(client, 3)
    deadline = time.monotonic() + 10
    while client.stats().sent < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.stats().sent == 3 and len(gate.hits) == 1
    _assert_exactly_stored("prompt", tenant, ids)
    client.close()


def test_429_and_503_are_retried_after_retry_after(server: str, tenant: Tenant, gate: Gate) -> None:
    gate.throttle("429", answers=3, retry_after="1")
    client = _client(tenant, gate.url)
    ids = _log_prompts(client, 120)
    assert client.flush(timeout=60)
    hits = list(gate.hits)
    statuses = [h.status for h in hits]
    assert statuses[:3] == [429, 429, 429] and statuses.count(202) == 3, statuses
    # the 429s all came from the first batch, and each retry waited at least the Retry-After
    gaps = [hits[i + 1].at - hits[i].at for i in range(3)]
    assert all(gap >= 0.95 for gap in gaps), gaps
    assert client.stats().retries == 3

    gate.throttle("503", answers=2, retry_after=None)  # no Retry-After: exponential backoff
    more = _log_prompts(client, 40)
    assert client.flush(timeout=60)
    assert [h.status for h in gate.hits[len(hits) :]] == [503, 503, 202]
    stats = client.stats()
    assert (stats.sent, stats.rejected, stats.dropped, stats.retries) == (160, 0, 0, 5)
    _assert_exactly_stored("prompt", tenant, ids + more)
    client.close()


def test_nothing_is_lost_while_the_server_is_down(server: str, tenant: Tenant, gate: Gate) -> None:
    gate.down()
    client = _client(tenant, gate.url, max_queue_size=1000)
    started = time.perf_counter()
    ids = _log_prompts(client, 300) + [client.log_tool_call("t", 1.0) for _ in range(100)]
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"400 log calls took {elapsed:.3f}s while the server was down"
    assert all(ids)
    assert not client.flush(timeout=1.0)  # refused connections: still queued, retrying
    assert client.stats().retries >= 1 and "Connection" in (client.stats().last_error or "")
    gate.up()  # the same port again
    assert client.flush(timeout=60)
    assert client.stats().sent == 400
    _assert_exactly_stored("prompt", tenant, ids[:300])
    _assert_exactly_stored("tool", tenant, ids[300:])
    client.close()


def test_a_full_queue_drops_and_counts_and_keeps_what_it_accepted(server: str, tenant: Tenant, gate: Gate) -> None:
    gate.down()
    client = _client(tenant, gate.url, max_queue_size=60)
    ids = _log_prompts(client, 100)
    accepted = [i for i in ids if i is not None]
    assert len(accepted) == 60 and ids[60:] == [None] * 40
    assert client.stats().dropped == 40
    gate.up()
    assert client.flush(timeout=60)
    after = client.log_usage(uuid.uuid4(), "v1")  # room again
    assert after is not None and client.flush(timeout=30)
    assert (client.stats().sent, client.stats().dropped) == (61, 40)
    _assert_exactly_stored("prompt", tenant, [*accepted, after])
    client.close()


def test_an_invalid_event_is_rejected_alone(server: str, tenant: Tenant, gate: Gate) -> None:
    client = _client(tenant, gate.url)
    good = _log_prompts(client, 10)
    bad = client.log_usage(uuid.uuid4(), "x" * 500)  # version_hash longer than the server's 128
    late = client.log_llm_usage("gpt-4o-mini", input_tokens=5, output_tokens=1, cached_tokens=9)  # cached > input
    assert client.flush(timeout=30)
    stats = client.stats()
    assert (stats.sent, stats.rejected) == (10, 2)
    assert bad is not None and late is not None
    assert [h.status for h in gate.hits if "prompts" in h.path] == [400, 202]
    _assert_exactly_stored("prompt", tenant, good)
    assert stored_ids("llm", tenant.organization_id) == []
    client.close()


def test_a_wrong_api_key_is_rejected_not_retried_forever(server: str, gate: Gate) -> None:
    client = Client("po_not-a-key", gate.url, flush_interval=0.1)
    client.log_usage(uuid.uuid4(), "v1")
    assert client.flush(timeout=10)
    stats = client.stats()
    assert (stats.sent, stats.rejected, stats.retries) == (0, 1, 0)
    assert "401" in (stats.last_error or "")
    client.close()


def test_many_threads_share_one_client(server: str, tenant: Tenant, gate: Gate) -> None:
    client = _client(tenant, gate.url, batch_size=100)
    prompt = uuid.uuid4()
    results: list[str | None] = []
    lock = threading.Lock()

    def work() -> None:
        mine = _log_prompts(client, 150, prompt)
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    gate.throttle("503", answers=2, retry_after="0.5")
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1200 and len(set(results)) == 1200
    assert client.flush(timeout=60)
    assert client.stats().sent == 1200
    _assert_exactly_stored("prompt", tenant, results)
    client.close()


async def test_asyncio_callers_never_wait(server: str, tenant: Tenant, gate: Gate) -> None:
    """log_* inside the event loop while the server throttles: the loop keeps ticking, aflush awaits."""
    gate.throttle("429", answers=2, retry_after="1")
    client = _client(tenant, gate.url)
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - before - 0.01)

    tick = asyncio.create_task(ticker())
    ids: list[str | None] = []

    async def producer(n: int) -> None:
        for i in range(n):
            ids.append(client.log_llm_usage("gpt-4o-mini", input_tokens=100 + i, output_tokens=10))
            if i % 20 == 0:
                await asyncio.sleep(0)

    await asyncio.gather(*(producer(60) for _ in range(5)))
    assert await client.aflush(timeout=60)
    stop.set()
    await tick
    assert len(lags) > 50 and max(lags) < 0.2, max(lags)
    assert client.stats().sent == 300 and client.stats().retries == 2
    _assert_exactly_stored("llm", tenant, ids)
    client.close()


def test_events_are_flushed_at_exit(server: str, tenant: Tenant, gate: Gate) -> None:
    """A script that logs and simply ends: atexit delivers, even though the server is down at first."""
    gate.down()
    script = textwrap.dedent(
        f"""
        import uuid, promptops
        promptops.configure({tenant.api_key!r}, {gate.url!r}, flush_interval=60, backoff_base=0.1,
                            max_backoff=0.5, shutdown_timeout=30)
        prompt = uuid.uuid4()
        for i in range(25):
            print(promptops.log_usage(prompt, "v1", latency_ms=i))
        print(promptops.log_tool_call("exit-tool", 2.0))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "sdk" / "python" / "src"), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the script has logged and is in its atexit flush, retrying refused connections
    gate.up()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    ids = out.split()
    assert len(ids) == 26
    _assert_exactly_stored("prompt", tenant, ids[:25])
    _assert_exactly_stored("tool", tenant, ids[25:])


def test_close_gives_up_after_its_timeout_and_counts_what_is_unsent(gate: Gate, tenant: Tenant) -> None:
    gate.down()
    client = _client(tenant, gate.url)
    _log_prompts(client, 20)
    started = time.monotonic()
    assert client.close(timeout=0.5) is False
    assert time.monotonic() - started < 5
    stats = client.stats()
    assert stats.unsent_at_close == 20 and stats.sent == 0
    assert client.log_usage(uuid.uuid4(), "v1") is None  # closed: dropped and counted
    assert client.stats().dropped == 1


def test_module_level_default_client(server: str, tenant: Tenant, gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTOPS_API_KEY", tenant.api_key)
    monkeypatch.setenv("PROMPTOPS_URL", gate.url)
    promptops.shutdown()
    ids = [promptops.log_usage(uuid.uuid4(), "v2", score=1.0) for _ in range(5)]
    assert promptops.flush(timeout=30)
    assert promptops.stats().sent == 5  # type: ignore[union-attr]
    assert promptops.shutdown()
    _assert_exactly_stored("prompt", tenant, ids)
