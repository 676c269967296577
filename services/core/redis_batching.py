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

:class:`CoalescingScriptBatcher` goes one step further for scripts written to take many
calls at once: calls of one tick with the same keys and leading arguments (the ingest path:
one API key's window, stream, limit and identity) become ONE script invocation, so Redis
runs the script once, and the script can merge what the calls write (one stream entry for
many single events instead of one each, which the drain then reads, acknowledges and
deletes as one).
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

_Call = tuple[list[Any], list[Any], "asyncio.Future[Any]"]
_Member = tuple[list[Any], "asyncio.Future[Any]"]  # one caller's own arguments and its answer


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


class CoalescingScriptBatcher:
    """Calls of one tick that share keys and ``head`` arguments run as one script invocation.

    The script receives ``ARGV = head + [n] + (len(tail_1), *tail_1, ..., len(tail_n), *tail_n)``
    and must return a list of ``n`` results, one per call in the order given; each caller gets
    its own.  Invocations of different groups share the round trip as in :class:`ScriptBatcher`.
    An error of the invocation (a script error, a lost connection) fails every call in it.
    """

    def __init__(self, redis: Redis, source: str) -> None:
        self.redis = redis
        self._groups: dict[tuple[Any, ...], tuple[list[Any], list[Any], list[_Member]]] = {}
        self._scheduled = False
        self._batcher = ScriptBatcher(redis, source)
        self._flushes: set[asyncio.Task[None]] = set()

    async def __call__(self, keys: list[Any], head: list[Any], tail: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        group = (*keys, None, *head)  # None: keys and head stay apart whatever their lengths
        found = self._groups.get(group)
        if found is None:
            self._groups[group] = (keys, head, [(tail, future)])
        else:
            found[2].append((tail, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._start_flush)
        return await future

    def _start_flush(self) -> None:
        groups, self._groups, self._scheduled = list(self._groups.values()), {}, False
        task = asyncio.ensure_future(self._flush(groups))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, groups: list[tuple[list[Any], list[Any], list[_Member]]]) -> None:
        calls = []
        for keys, head, members in groups:
            args = [*head, len(members)]
            for tail, _ in members:
                args.append(len(tail))
                args.extend(tail)
            calls.append((keys, args))
        try:
            results = await self._batcher._run(calls)  # one pipeline for every group of the tick
        except BaseException as exc:  # connection trouble (or cancellation): every caller of this trip fails
            for _, _, members in groups:
                _fail(members, exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, _, members), result in zip(groups, results, strict=True):
            if isinstance(result, Exception):
                _fail(members, result)
            elif not isinstance(result, list) or len(result) != len(members):
                _fail(members, RuntimeError(f"script answered {result!r} for {len(members)} calls"))
            else:
                for (_, future), answer in zip(members, result, strict=True):
                    if not future.done():  # the caller went away; its call ran all the same
                        future.set_result(answer)


def _fail(members: list[_Member], exc: BaseException) -> None:
    for _, future in members:
        if not future.done():
            future.set_exception(exc)
