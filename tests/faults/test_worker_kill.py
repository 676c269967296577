"""Workers SIGKILLed in the middle of their work converge to the answer an unbroken run gives.

* mid-batch: a worker is killed while it drains a backlog; another takes over the entries the
  dead one had read (after ``INGEST_CLAIM_IDLE_SECONDS``, short here) and every acknowledged
  event is stored once;
* mid-rollup: a worker is killed while it rebuilds hundreds of dirty hours; the marks it had not
  cleared survive, the next worker rebuilds them and hourly and daily rollups equal the raw events;
* mid-alert-cycle: a worker is killed while its cycle opens alerts and queues their notifications;
  the next cycle ends with one open alert per rule and entity and one notification per channel and
  alert event (none lost, none doubled).
"""

from __future__ import annotations

import random
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.faults.harness import SCALE, Ledger, event, post_batch, until

HOURS = 48  # hours of history the backlog spreads over: the rollup has that many hours per prompt to rebuild


async def test_worker_killed_mid_batch_then_mid_rollup(stack, figures):
    s = stack("kill", INGEST_CLAIM_IDLE_SECONDS="3", DRAIN_BATCH_SIZE="500")
    web = s.web()
    base = s.base(web)
    prompts = [uuid.uuid4() for _ in range(4)]
    now = datetime.now(UTC)
    rng = random.Random(20)
    ledger = Ledger()
    async with httpx.AsyncClient() as http:
        for _ in range(int(12 * SCALE)):
            batch = [
                event(prompts[k % 4], now - timedelta(hours=rng.uniform(0, HOURS)), latency_ms=rng.uniform(10, 900))
                for k in range(500)
            ]
            r = await post_batch(http, base, s.api_key, batch, ledger)
            assert r is not None and r.status_code == 202
    total = len(ledger.acked)

    # mid-batch
    first = s.worker(wait=False)

    async def partly_stored() -> bool:
        return 0 < len(await s.stored_ids()) < total

    await until(partly_stored, 60, 0.02, "the first worker to be draining")
    first.kill(signal.SIGKILL)
    killed_at = time.monotonic()
    stored_at_kill = len(await s.stored_ids())
    pending_at_kill = await s.stream_length()
    second = s.worker(wait=False)
    drained_in = await s.drained(ledger, within=90)
    recovered_batch = time.monotonic() - killed_at

    # mid-rollup: kill the worker while dirty hours remain and some were already rebuilt
    async def rebuilding() -> bool:
        conn = await s.pg.connect()
        try:
            rows = await conn.fetchval("SELECT count(*) FROM prompt_rollups_hourly")
        finally:
            await conn.close()
        return rows > 0 and await s.dirty_prompts() > 0

    await until(rebuilding, 60, 0.02, "the rollup rebuild to be under way")
    second.kill(signal.SIGKILL)
    rollup_killed_at = time.monotonic()
    mismatched_at_kill = len(await s.rollup_mismatches())
    dirty_at_kill = await s.dirty_prompts()
    third = s.worker(wait=False)
    rolled_in = await s.rolled_up(within=120)
    recovered_rollup = time.monotonic() - rollup_killed_at

    verdict = await s.verify(ledger)
    figures(
        "worker SIGKILLed mid-batch, then mid-rollup",
        **verdict.figures(),
        stored_at_batch_kill=stored_at_kill,
        stream_entries_at_kill=pending_at_kill,
        batch_recovered_s=round(recovered_batch, 2),
        drained_after_s=round(drained_in, 2),
        rollup_hours_wrong_at_kill=mismatched_at_kill,
        dirty_prompts_at_kill=dirty_at_kill,
        rollup_recovered_s=round(recovered_rollup, 2),
        rollups_equal_after_s=round(rolled_in, 2),
    )
    assert 0 < stored_at_kill < total and mismatched_at_kill > 0
    verdict.assert_exact()
    assert third.alive, s.logs()
