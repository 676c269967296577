"""A transaction whose ``BEGIN`` never completes gives back what it took (services/core/tortoise_fixes.py).

Without the fix Tortoise keeps it for the life of the process, because its ``__aexit__`` never runs
when ``__aenter__`` fails: on PostgreSQL a pooled connection stays checked out, on SQLite the one
connection's transaction lock stays held and every later transaction waits forever.  The ``BEGIN``
is held in flight by a ``begin`` that waits, so the task can be cancelled at exactly that moment, as
a request whose client went away or a ``wait_for`` that timed out would be; then what it took is
checked, and that transactions still run.
"""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.sqlite.client import SqliteTransactionWrapper
from tortoise.transactions import in_transaction

from models.tenancy import Organization
from services.core.config import get_settings


def _checked_out(pool) -> int:
    return sum(1 for holder in pool._holders if holder._in_use is not None)


def _hold_begin_in_flight(monkeypatch, wrapper: type) -> asyncio.Event:
    """``wrapper.begin`` waits forever; the event is set once a transaction is inside it."""
    beginning, never = asyncio.Event(), asyncio.Event()

    async def begin_in_flight(self) -> None:
        beginning.set()
        await never.wait()

    monkeypatch.setattr(wrapper, "begin", begin_in_flight)
    return beginning


async def _cancel_mid_begin(beginning: asyncio.Event, while_beginning=None) -> None:
    """Open a transaction, cancel its task once it is inside ``BEGIN`` (after ``while_beginning()``)."""

    async def transaction() -> None:
        async with in_transaction():
            raise AssertionError("the transaction never began")

    beginning.clear()
    task = asyncio.create_task(transaction())
    await asyncio.wait_for(beginning.wait(), 5)
    if while_beginning is not None:
        while_beginning()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _count_in_a_transaction() -> int:
    async with in_transaction():
        return await Organization.all().count()


async def test_a_transaction_cancelled_while_it_begins_gives_its_connection_back(app, monkeypatch):
    if not get_settings().is_postgres:
        pytest.skip("the pooled transaction is PostgreSQL's (SQLite has one connection)")
    pool = connections.get("default")._pool
    before = _checked_out(pool)
    beginning = _hold_begin_in_flight(monkeypatch, TransactionWrapper)

    def checked_out_by_it() -> None:
        assert _checked_out(pool) == before + 1

    for _ in range(3):
        await _cancel_mid_begin(beginning, checked_out_by_it)
        assert _checked_out(pool) == before  # given back, each time
    monkeypatch.undo()
    assert await _count_in_a_transaction() >= 0  # the pool still serves transactions
    assert _checked_out(pool) == before


async def test_a_sqlite_transaction_cancelled_while_it_begins_gives_its_lock_back(app, monkeypatch):
    if get_settings().is_postgres:
        pytest.skip("SQLite's transaction lock")
    await _cancel_mid_begin(_hold_begin_in_flight(monkeypatch, SqliteTransactionWrapper))
    monkeypatch.undo()
    assert await asyncio.wait_for(_count_in_a_transaction(), 5) >= 0  # the lock was given back
