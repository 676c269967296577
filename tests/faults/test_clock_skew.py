"""Clock skew, on the clients' side and between workers.

* Client clocks: an event up to ``MAX_FUTURE`` (5 min) ahead is accepted and kept at its own time,
  one further ahead is a 400 naming ``timestamp``; late events hours and a day old land in their own
  hours; late events into an hour already rolled up mark it dirty and the rollup is rebuilt.
* Worker clocks: two workers, one whose clock runs two minutes ahead, drain and roll up the same
  hot hour while events keep arriving; the rollups still end equal to the raw events.

Every check reads the private database: each stored ``occurred_at`` is exactly what the client sent,
and hourly and daily rollups equal the raw counts per (prompt, hour/day).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.faults.harness import SCALE, Ledger, event, post_batch, post_one

SKEW = 120.0  # seconds the second worker's clock runs ahead


async def test_client_and_worker_clock_skew(stack, figures):
    s = stack("skew")
    web = s.web()
    workers = [s.worker(), s.worker(clock_skew=SKEW)]
    base = s.base(web)
    late_prompt, hot_prompt = uuid.uuid4(), uuid.uuid4()
    ledger = Ledger()
    now = datetime.now(UTC)
    sent_at: dict[str, datetime] = {}
    async with httpx.AsyncClient() as http:
        offsets = [timedelta(minutes=4, seconds=30), timedelta(hours=-3), timedelta(hours=-27), timedelta(0)]
        batch = [event(late_prompt, now + off) for off in offsets for _ in range(25)]
        sent_at.update({e["event_id"]: datetime.fromisoformat(e["timestamp"]) for e in batch})
        r = await post_batch(http, base, s.api_key, batch, ledger)
        assert r is not None and r.status_code == 202, r.text if r is not None else r
        too_far = Ledger()
        r = await post_one(http, base, s.api_key, event(late_prompt, now + timedelta(minutes=6)), too_far)
        assert r is not None and r.status_code == 400 and not too_far.acked
        assert r.json()["error"]["details"][0]["field"] == "timestamp"
        await s.drained(ledger, within=60)
        await s.rolled_up(within=60)
        three_hours_ago = (now - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
        before = await hour_count(s, three_hours_ago)

        # late events into an hour already rolled up: marked dirty, rebuilt
        late = [event(late_prompt, now - timedelta(hours=3)) for _ in range(30)]
        sent_at.update({e["event_id"]: datetime.fromisoformat(e["timestamp"]) for e in late})
        r = await post_batch(http, base, s.api_key, late, ledger)
        assert r is not None and r.status_code == 202
        await s.drained(ledger, within=60)
        late_rolled_in = await s.rolled_up(within=60)
        after = await hour_count(s, three_hours_ago)

        # both workers (one clock ahead) drain and roll up one hot hour under a steady trickle
        stop = asyncio.Event()

        async def trickle() -> int:
            n = 0
            while not stop.is_set():
                r = await post_batch(http, base, s.api_key, [event(hot_prompt) for _ in range(20)], ledger)
                assert r is not None and r.status_code == 202
                n += 1
                await asyncio.sleep(0.05)
            return n

        task = asyncio.create_task(trickle())
        await asyncio.sleep(8 * SCALE)
        stop.set()
        batches = await task
        drained_in = await s.drained(ledger, within=60)
        settle_started = time.monotonic()
        try:
            await s.rolled_up(within=45)
            converged = True
        except AssertionError:
            converged = False
        settled_in = time.monotonic() - settle_started

    verdict = await s.verify(ledger)
    stored_times = await occurred(s, list(sent_at))
    wrong_time = [i for i, t in sent_at.items() if stored_times.get(i) != t]
    figures(
        "clock skew (clients +4.5 min / -3 h / -27 h; one worker +120 s)",
        **verdict.figures(),
        future_400=1,
        events_off_their_time=len(wrong_time),
        hour_rows_before_late=before,
        hour_rows_after_late=after,
        late_rebuilt_after_s=round(late_rolled_in, 2),
        hot_batches=batches,
        drained_after_s=round(drained_in, 2),
        rollups_converged=converged,
        rollups_settled_after_s=round(settled_in, 2),
    )
    assert not wrong_time, wrong_time[:3]
    assert before == 25 and after == 55, (before, after)
    verdict.assert_exact()
    assert converged, "rollups never caught up with the raw events"
    assert all(w.alive for w in workers), s.logs()


async def hour_count(s, hour: datetime) -> int:
    conn = await s.pg.connect()
    try:
        return int(
            await conn.fetchval(
                "SELECT coalesce(sum(r.count), 0) FROM prompt_rollups_hourly r JOIN prompts p ON p.id = r.prompt_id "
                "WHERE p.organization_id = $1 AND r.bucket_start = $2",
                s.organization_id,
                hour,
            )
        )
    finally:
        await conn.close()


async def occurred(s, ids: list[str]) -> dict[str, datetime]:
    conn = await s.pg.connect()
    try:
        rows = await conn.fetch(
            "SELECT event_id::text AS id, occurred_at FROM prompt_executions WHERE event_id = ANY($1::uuid[])", ids
        )
    finally:
        await conn.close()
    return {r["id"]: r["occurred_at"] for r in rows}
