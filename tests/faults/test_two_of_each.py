"""Two web processes and two workers on one Redis and one database.

Clients spread over both web processes: every acknowledged event is stored once whichever
process took it and whichever worker drained it; both web processes answer the same analytics
(equal to the events acknowledged); a per-key rate limit holds across the processes (its window
lives in Redis, not in a process), so exactly ``limit`` events of a minute are acknowledged.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import within_one_minute_window
from tests.faults.harness import SCALE, Ledger, event, post_batch, post_one

LIMIT = 40  # events per minute for the rate-limited key


async def test_two_web_processes_and_two_workers_agree(stack, figures):
    s = stack("pair")
    webs = [s.web(), s.web()]
    workers = [s.worker(), s.worker()]
    bases = [s.base(w) for w in webs]
    prompts = [uuid.uuid4() for _ in range(3)]
    ledger = Ledger()
    start = datetime.now(UTC) - timedelta(minutes=1)
    async with httpx.AsyncClient() as http:

        async def client(n: int) -> None:
            for i in range(int(10 * SCALE)):
                batch = [event(prompts[(n + k) % 3], latency_ms=float(10 + (i * 7 + k) % 500)) for k in range(100)]
                r = await post_batch(http, bases[(n + i) % 2], s.api_key, batch, ledger)
                assert r is not None and r.status_code == 202, r.text if r is not None else r

        await asyncio.gather(*(client(n) for n in range(4)))
        drained_in = await s.drained(ledger, within=60)
        rolled_in = await s.rolled_up(within=60)
        end = datetime.now(UTC)
        window = {"period_start": start.isoformat(), "period_end": end.isoformat()}
        ids = await s.prompt_ids()
        answers = []
        for base in bases:
            per_prompt = {}
            for p in prompts:
                r = await http.get(
                    f"{base}/api/v1/prompts/{ids[str(p)]}/analytics",
                    params=window,
                    headers={"Authorization": f"Bearer {s.api_key}"},
                )
                assert r.status_code == 200, r.text
                per_prompt[str(p)] = r.json()["data"]
            answers.append(per_prompt)

        # the rate limit: one key, LIMIT events a minute, requests alternating between the processes
        limited = s.cli("create-api-key", "--email", "ops@fault.test", "--name", "limited", "--rate-limit", str(LIMIT))
        await within_one_minute_window(8)  # keep the burst inside one fixed window
        window_started = int(time.time() // 60)
        burst = Ledger()
        for i in range(LIMIT + 20):
            body = event(prompts[0])
            r = await post_one(http, bases[i % 2], limited["api_key"], body, burst)
            ledger.note([body["event_id"]], r)
        same_window = int(time.time() // 60) == window_started
        await s.drained(ledger, within=60)
        await s.rolled_up(within=60)

    verdict = await s.verify(ledger)
    counts = {p: answers[0][p]["execution_count"] for p in answers[0]}
    figures(
        "two web processes + two workers",
        **verdict.figures(),
        drained_after_s=round(drained_in, 2),
        rollups_equal_after_s=round(rolled_in, 2),
        executions_by_prompt=sorted(counts.values()),
        limited_accepted=len(burst.acked),
        limited_answers=dict(burst.answers),
        limit_per_minute=LIMIT,
    )
    verdict.assert_exact()
    differ = {
        (p, k): (answers[0][p][k], answers[1][p].get(k))
        for p in answers[0]
        for k in answers[0][p]
        if answers[0][p][k] != answers[1][p].get(k) and k != "last_calculated_at"  # when each computed it
    }
    assert not differ, f"the two web processes disagree: {differ}"
    assert sum(counts.values()) == 4 * 100 * int(10 * SCALE) and all(n > 0 for n in counts.values())
    if same_window:
        assert len(burst.acked) == LIMIT and burst.answers[429] == 20, dict(burst.answers)
    else:  # the burst straddled a minute: two windows, each holding at most LIMIT
        assert LIMIT <= len(burst.acked) <= 2 * LIMIT
    assert burst.missing_retry_after == 0
    assert all(p.alive for p in [*webs, *workers]), s.logs()
