"""PostgreSQL crashes (``pg_ctl stop -m immediate``) while the worker drains a backlog, then restarts.

Meanwhile ingest keeps acknowledging (events only need Redis; the API key is remembered for
``API_KEY_CACHE_SECONDS``, raised here so the outage outlasts no cache), reads answer 503 with
``Retry-After`` (never a 500), readiness and the analytics health report the database down, and
the drain keeps its entries pending and retries.  Afterwards every acknowledged event is stored
exactly once (none dead-lettered as if it were bad data) and the rollups equal the raw events.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from tests.faults.harness import SCALE, Ledger, event, post_batch, until

OUTAGE_SECONDS = 4.0 * SCALE


async def test_postgres_crash_and_restart_during_a_drain(stack, figures):
    s = stack("postgres", API_KEY_CACHE_SECONDS="600", DRAIN_BATCH_SIZE="1000")
    web = s.web()
    base = s.base(web)
    auth = {"Authorization": f"Bearer {s.api_key}"}
    prompts = [uuid.uuid4() for _ in range(4)]
    ledger = Ledger()
    async with httpx.AsyncClient(headers=auth) as http:
        # a backlog queued before any worker runs, so the drain is busy when the database goes
        for i in range(int(20 * SCALE)):
            r = await post_batch(http, base, s.api_key, [event(prompts[(i + k) % 4]) for k in range(500)], ledger)
            assert r is not None and r.status_code == 202, r
        assert (await http.get(f"{base}/api/v1/prompts")).status_code == 200  # warms the key cache
        worker = s.worker()

        async def draining() -> bool:
            return 0 < len(await s.stored_ids()) < len(ledger.acked)

        await until(draining, 30, 0.05, "the drain to be under way")
        stored_at_crash = len(await s.stored_ids())
        s.pg.stop("immediate")
        crashed_at = time.monotonic()

        during = Ledger()
        reads: list[httpx.Response] = []
        health: list[httpx.Response] = []
        while time.monotonic() - crashed_at < OUTAGE_SECONDS:
            batch = [event(prompts[k % 4]) for k in range(50)]
            r = await post_batch(http, base, s.api_key, batch, ledger)
            during.note((e["event_id"] for e in batch), r)
            reads.append(await http.get(f"{base}/api/v1/prompts", timeout=15))
            health.append(await http.get(f"{base}/readyz", timeout=15))
            health.append(await http.get(f"{base}/admin/prompt-analytics/health", timeout=15))
            await asyncio.sleep(0.3)
        s.pg.start()
        restarted_at = time.monotonic()

        async def reads_work() -> bool:
            return (await http.get(f"{base}/api/v1/prompts", timeout=15)).status_code == 200

        reads_back_in = await until(reads_work, 60, 0.1, "reads to answer 200 again")
        drained_in = await s.drained(ledger, within=90)
        rolled_in = await s.rolled_up(within=90)
        dead = (await http.get(f"{base}/admin/prompt-analytics/health")).json()["data"]

    verdict = await s.verify(ledger)
    statuses = sorted({r.status_code for r in reads})
    figures(
        "postgres crash + restart during a drain",
        **verdict.figures(),
        stored_at_crash=stored_at_crash,
        accepted_while_down=len(during.acked),
        read_answers_while_down=statuses,
        outage_s=round(restarted_at - crashed_at, 2),
        reads_back_after_s=round(reads_back_in, 2),
        drained_after_restart_s=round(drained_in, 2),
        rollups_equal_after_s=round(rolled_in, 2),
    )
    assert stored_at_crash < len(ledger.acked) - len(during.acked), "the crash did not interrupt a drain"
    # reads during the outage: 503 with Retry-After, never a 500 (the first may still be served from a live query)
    assert 500 not in statuses and 503 in statuses, statuses
    assert all(r.headers.get("retry-after") for r in reads if r.status_code == 503)
    assert all(r.json()["error"]["code"] == "SERVICE_UNAVAILABLE" for r in reads if r.status_code == 503)
    ready = [r for r in health if r.url.path == "/readyz"]
    assert all(r.status_code == 503 for r in ready), [r.status_code for r in ready]
    assert all({c["name"]: c["ok"] for c in r.json()["error"]["checks"]}["database"] is False for r in ready)
    pipeline = [r for r in health if r.url.path != "/readyz"]
    assert pipeline and all(r.status_code == 503 for r in pipeline), [r.text[:200] for r in pipeline]
    down = {c["name"] for c in pipeline[-1].json()["error"]["health"]["components"] if c["status"] == "down"}
    assert "database" in down, pipeline[-1].text
    # ingest needs only Redis: it kept acknowledging while the database was down
    assert during.acked and set(during.answers) == {202}, dict(during.answers)
    verdict.assert_exact()
    components = {c["name"]: c for c in dead["components"]}
    assert components["database"]["status"] == "ok"
    assert worker.alive and web.alive, s.logs()
