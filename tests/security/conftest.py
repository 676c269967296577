"""Helpers for the security tests: clients that come from a chosen address, flush + drain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from services.identity.policy import Principal, Role
from services.ingest import pipeline
from services.security import GUARD, RECORDER, decisions


async def settle() -> None:
    """Flush the recorder twice (overflows come back as events for the next flush) and drain the stream."""
    await RECORDER.flush()
    await RECORDER.flush()
    await pipeline.drain("test-security")


@pytest.fixture(autouse=True)
async def monitoring_on(app: object) -> None:
    """Other suites (schemathesis) may have stopped monitoring through the API: start it for each test."""
    await decisions.set_switch(Principal(0, 0, Role.SUPERUSER), True)
    GUARD.invalidate()


@pytest.fixture
async def from_ip(app: object) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """``from_ip("203.0.113.5")``: an in-process client whose socket peer is that address."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))  # type: ignore[arg-type]
        http = httpx.AsyncClient(transport=transport, base_url="http://test")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()
    await settle()  # nothing of ours is left in the shared stream for the next test module
