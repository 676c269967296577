"""Where Tortoise ORM 1.x can lose a pooled connection (or SQLite's transaction lock), and what is done about it.

``in_transaction()`` on a pool (``TransactionContextPooled.__aenter__``) checks a connection out,
then sends ``BEGIN``.  If that raises (the task is cancelled while ``BEGIN`` is in flight: a
request whose client went away, a ``wait_for`` that timed out, a worker told to stop; or the
connection broke), ``__aexit__`` never runs, so the connection is never given back to the pool
and the task's connection context is left pointing at the dead transaction.  Each such moment
leaks one connection for the life of the process: the pool shrinks until requests queue for the
rest, and closing the pool waits for it (CI at 961a47d: the test app's shutdown waited 10 s in
asyncpg's ``Pool.close()`` for a connection no task held).

:func:`apply` wraps ``__aenter__`` so a failed ``BEGIN`` resets the context and releases the
connection (asyncpg's release is shielded from cancellation and resets the connection) before the
error goes on.  SQLite's ``in_transaction()`` has the same shape around its one connection's
transaction lock: a failed ``BEGIN`` there left the lock held, and every later transaction of the
process waited for it forever; it is released the same way, after committing what the connection
may hold (a ``BEGIN`` that ran in aiosqlite's thread after its caller was cancelled), as Tortoise's
own next ``begin()`` would.  Applied once, from :func:`services.core.database.tortoise_config`, which every
process (web, worker, CLI) builds its Tortoise configuration with.  Tested in
``tests/core/test_tortoise_fixes.py``, which fails if Tortoise's behaviour changes under it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tortoise.backends.base.client import TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections

_APPLIED = "_promptops_releases_on_failed_begin"


def apply() -> None:
    if getattr(TransactionContextPooled, _APPLIED, False):
        return
    enter = TransactionContextPooled.__aenter__

    async def __aenter__(self: Any) -> Any:
        try:
            return await enter(self)
        except BaseException:
            token = getattr(self, "token", None)  # set right after the checkout: it holds a connection
            if token is not None:
                self.token = None
                get_connections().reset(token)
                await self.client._parent._pool.release(self.client._connection)
            raise

    TransactionContextPooled.__aenter__ = __aenter__  # type: ignore[method-assign]

    async def sqlite_aenter(self: Any) -> Any:
        # Tortoise's own four steps (1.x), with the lock given back if a later one raises: whether
        # this entry holds the lock is known only here, after its acquire returned.
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            await self.connection.begin()
        except BaseException:
            token = getattr(self, "token", None)
            if token is not None:
                self.token = None
                get_connections().reset(token)
            connection = getattr(self.connection, "_connection", None)
            if connection is not None and connection.in_transaction:
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.commit())
            self._trxlock.release()
            raise
        return self.connection

    SqliteTransactionContext.__aenter__ = sqlite_aenter  # type: ignore[method-assign]
    setattr(TransactionContextPooled, _APPLIED, True)
