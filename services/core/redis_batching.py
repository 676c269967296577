"""Many concurrent calls of one Lua script, sent as one pipelined round trip per event-loop tick.

Under load, dozens of ingest requests wait on Redis at the same moment.  Sending each
script call on its own costs every request a socket write, a read and the client's
per-command bookkeeping; on a busy machine those syscalls, not Python, bound the
requests per second.  :class:`ScriptBatcher` queues the calls made during one loop
iteration and sends them together as a (non-transactional) pipeline of ``EVALSHA``s:
each call stays atomic on its own, only the round trip is shared.  With a single
caller it is one ``EVALSHA``, exactly as before.

A call whose script is missing from Redis' cache (a restarted or flushed server) is
retried alone after ``SCRIPT LOAD``; calls that ran are never sent twice.  A connection
error fails every call of that round trip, and each caller decides what that means (the
ingest path answers 503: the events may or may not be queued, and the client retries).
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

_Call = tuple[list[Any], list[Any], "asyncio.Future[Any]"]


class ScriptBatcher:
    def __init__(self, redis: Redis, source: str) -> None:
        self.redis = redis
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()
        self._pending: list[_Call] = []
        self._scheduled = False
        self._flushes: set[asyncio.Task[None]] = set()  # strong refs until each round trip ends

    async def __call__(self, keys: list[Any], args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._start_flush)
        return await future

    def _start_flush(self) -> None:
        batch, self._pending, self._scheduled = self._pending, [], False
        task = asyncio.ensure_future(self._flush(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, batch: list[_Call]) -> None:
        try:
            results = await self._run([(keys, args) for keys, args, _ in batch])
        except BaseException as exc:  # connection trouble (or cancellation): every caller of this trip fails
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, _, future), result in zip(batch, results, strict=True):
            if future.done():  # the caller went away; its call ran all the same
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _run(self, calls: list[tuple[list[Any], list[Any]]]) -> list[Any]:
        results = await self._pipeline(calls)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:  # those calls did not run: load the script and send only them again
            await self.redis.script_load(self.source)
            for i, result in zip(missing, await self._pipeline([calls[i] for i in missing]), strict=True):
                results[i] = result
        return results

    async def _pipeline(self, calls: list[tuple[list[Any], list[Any]]]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for keys, args in calls:
                pipe.evalsha(self.sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))
