"""Names the folder of the browser tests' screenshots at the end of the run (issue 18: test artefacts)."""

from __future__ import annotations

import os
from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests.dashboard.test_dashboard import SHOTS

    shots = sorted(SHOTS.glob("*.png")) if SHOTS.is_dir() else []
    if not shots:
        return
    terminalreporter.section("dashboard screenshots", sep="=", bold=True)
    terminalreporter.write_line(
        f"{len(shots)} screenshot(s) in {SHOTS}"
        + (
            ""
            if os.environ.get("DASHBOARD_SCREENSHOTS")
            else " (a temporary folder: set DASHBOARD_SCREENSHOTS to choose)"
        )
    )
