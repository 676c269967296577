"""Fault scenarios: each test owns a private Redis, a private PostgreSQL cluster and real app processes.

They need PostgreSQL's server binaries (``initdb``, ``pg_ctl``): without them every test here is
skipped with that reason.  ``FAULTS_KEEP=1`` keeps each scenario's folder (logs, data) for a post-mortem.
The figures each scenario measured are printed at the end of the run (and written to ``FAULTS_FIGURES``
when set).  ``FAULTS_SCALE`` multiplies event counts and fault durations (``bench/faults.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import IS_POSTGRES
from tests.faults.harness import Stack, postgres_bin

FIGURES: list[dict[str, Any]] = []


@pytest.fixture
def stack() -> Iterator[Callable[..., Stack]]:
    """Build (and always tear down) a scenario's private world: ``stack("name", ENV=value, ...)``."""
    if postgres_bin() is None:
        pytest.skip("fault scenarios need PostgreSQL server binaries (initdb, pg_ctl); none found")
    if not IS_POSTGRES:
        # Each scenario builds its own PostgreSQL and Redis whatever the suite runs on, so the
        # PostgreSQL pass of `.ci/run` has already run them; the SQLite pass would repeat them.
        pytest.skip("fault scenarios run in the suite's PostgreSQL pass (set DATABASE_URL to a PostgreSQL server)")
    made: list[Stack] = []

    def make(name: str, **env: str) -> Stack:
        built = Stack(name, **env)
        made.append(built)
        return built.up()

    yield make
    for built in made:
        built.down()


@pytest.fixture
def figures() -> Callable[..., None]:
    def note(scenario: str, **values: Any) -> None:
        FIGURES.append({"scenario": scenario, **values})

    return note


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if FIGURES and os.environ.get("FAULTS_FIGURES"):  # bench/faults.py reads them from there
        with open(os.environ["FAULTS_FIGURES"], "w") as out:
            json.dump(FIGURES, out, default=str)
    if FIGURES:
        terminalreporter.section("fault scenarios: figures")
        for row in FIGURES:
            terminalreporter.write_line(json.dumps(row, default=str))
