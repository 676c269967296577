"""Redis dies (SIGKILL) while clients are ingesting, then comes back on the same port.

While it is down every ingest call is a 503 with ``Retry-After`` (never a 2xx), readiness says
Redis is unreachable and no process dies.  The client then re-sends what was refused with the
same event ids (what an SDK does); everything acknowledged, before, during and after, is stored
exactly once and the rollups equal the raw events.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from tests.faults.harness import SCALE, Ledger, event, post_batch, post_one


async def test_redis_killed_during_ingest_then_back(stack, figures):
    s = stack("redis")
    web = s.web()
    worker = s.worker()
    base = s.base(web)
    prompts = [uuid.uuid4() for _ in range(3)]
    ledger = Ledger()
    outage = Ledger()  # answers given while Redis was known to be down
    refused: list[list[dict]] = []
    phase = {"down": False}

    async def client(http: httpx.AsyncClient, n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            down = phase["down"]
            if i % 3:
                batch = [event(prompts[(n + k) % 3]) for k in range(10)]
                r = await post_batch(http, base, s.api_key, batch, ledger)
            else:
                batch = [event(prompts[n % 3])]
                r = await post_one(http, base, s.api_key, batch[0], ledger)
            if down and phase["down"]:
                outage.note((e["event_id"] for e in batch), r)
            if r is None or not r.is_success:
                refused.append(batch)
                await asyncio.sleep(0.05)

    stop = asyncio.Event()
    async with httpx.AsyncClient() as http:
        clients = [asyncio.create_task(client(http, n)) for n in range(4)]
        await asyncio.sleep(2 * SCALE)
        before = len(ledger.acked)
        s.redis.kill()
        phase["down"] = True
        killed_at = time.monotonic()
        await asyncio.sleep(2.5 * SCALE)
        ready = await http.get(f"{base}/readyz", timeout=10)
        phase["down"] = False
        s.redis.start()
        restarted_at = time.monotonic()
        acked_at_restart = len(ledger.acked)

        async def accepting() -> bool:
            return len(ledger.acked) > acked_at_restart

        from tests.faults.harness import until

        to_first_ack = await until(accepting, 30, 0.05, "ingest to accept again")
        await asyncio.sleep(2 * SCALE)
        stop.set()
        await asyncio.gather(*clients)

        # the SDK's retry: the same ids again until they are acknowledged
        retried = 0
        for batch in refused:
            if all(e["event_id"] in ledger.acked for e in batch):
                continue
            retried += len(batch)
            r = await post_batch(http, base, s.api_key, batch, ledger)
            assert r is not None and r.status_code == 202, r.text if r is not None else "no answer"
        ready_after = await http.get(f"{base}/readyz", timeout=10)

    # while down: only 503s, each with Retry-After; readiness names Redis
    assert outage.answers, "no request was answered while Redis was down"
    assert set(outage.answers) == {503}, f"answers while Redis was down: {dict(outage.answers)}"
    assert outage.missing_retry_after == 0 and not outage.acked
    assert ready.status_code == 503 and ready.headers.get("retry-after"), ready.text
    checks = {c["name"]: c["ok"] for c in ready.json()["error"]["checks"]}
    assert checks["redis"] is False and checks["database"] is True
    assert ready_after.status_code == 200, ready_after.text
    assert before > 0

    # Known limit (reported): arq starts a job in a WATCH transaction and does not catch the WatchError
    # redis-py raises when the connection dies inside it, so an outage landing exactly there still ends
    # the worker process (its supervisor restarts it).  Any other death fails the test; either way no
    # acknowledged event may be lost.
    worker_restarted = False
    if not worker.alive:
        assert "WatchError" in worker.tail(400), f"the worker died while Redis was down:\n{s.logs()}"
        worker = s.worker()
        worker_restarted = True
    drained_in = await s.drained(ledger, within=90)
    rolled_in = await s.rolled_up(within=90)
    verdict = await s.verify(ledger)
    figures(
        "redis killed during ingest",
        **verdict.figures(),
        answered_503_while_down=outage.answers[503],
        resent_after_refusal=retried,
        outage_s=round(restarted_at - killed_at, 2),
        first_ack_after_restart_s=round(to_first_ack, 2),
        drained_after_s=round(drained_in, 2),
        rollups_equal_after_s=round(rolled_in, 2),
        worker_restarted_after_arq_watch_error=worker_restarted,
    )
    verdict.assert_exact()
    assert web.alive, s.logs()
    assert worker.alive, s.logs()
