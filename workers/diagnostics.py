"""What a worker is waiting on, for the day one does not stop or does not move.

A stuck asyncio process looks idle from outside: ``py-spy dump`` shows the event loop in
``select`` and nothing of the tasks.  The await chain of every task names the line each one
waits at.  ``SIGUSR2`` logs them on demand (``kill -USR2 <pid>``), and a shutdown step that
outlasts its bound logs them and is left behind, so a deploy's worker still exits.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable
from typing import Any

log = logging.getLogger("workers")


def await_chain(task: asyncio.Task[Any]) -> list[str]:
    """``file:line function`` of each coroutine ``task`` is suspended in, outermost first, then
    what the innermost one awaits (a future, a lock's waiter) when it is not a coroutine.

    ``Task.get_stack()`` gives one frame for a suspended coroutine; the chain is in ``cr_await``.
    """
    lines: list[str] = []
    current: Any = task.get_coro()
    for _ in range(200):  # a cycle is not expected; a bound costs nothing
        frame = getattr(current, "cr_frame", None) or getattr(current, "ag_frame", None)
        frame = frame or getattr(current, "gi_frame", None)
        if frame is None:
            if current is not None:
                lines.append(f"awaiting {current!r}"[:300])
            break
        lines.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        current = (
            getattr(current, "cr_await", None)
            or getattr(current, "ag_await", None)
            or getattr(current, "gi_yieldfrom", None)
        )
    return lines


def pending_tasks_report() -> str:
    """The running loop's kind, then every other unfinished task with its await chain."""
    me = asyncio.current_task()
    loop = type(asyncio.get_running_loop())
    blocks = [f"  event loop: {loop.__module__}.{loop.__qualname__}"]
    for task in asyncio.all_tasks():
        if task is me or task.done():
            continue
        chain = "\n".join(f"    {line}" for line in await_chain(task))
        blocks.append(f"  task {task.get_name()}:\n{chain}")
    return "\n".join(blocks)


def log_pending_tasks(reason: str) -> None:
    log.warning("%s; tasks now:\n%s", reason, pending_tasks_report())


def report_tasks_on_sigusr2() -> None:
    """``kill -USR2`` a worker to log what each of its tasks awaits."""
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, log_pending_tasks, "SIGUSR2")


async def bounded(step: str, awaitable: Awaitable[Any], seconds: float) -> None:
    """Run one shutdown step for at most ``seconds``; past that, log it and every task's await
    chain, and go on without it (it is cancelled, and not waited for: a step that ignores its
    cancellation must not hold the exit either).  An error of the step is logged, not raised:
    the steps after it still run."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log_pending_tasks(f"shutdown step {step!r} did not finish in {seconds:g} s; going on without it")
        task.cancel()
        return
    if not task.cancelled() and task.exception() is not None:
        log.error("shutdown step %r failed", step, exc_info=task.exception())
