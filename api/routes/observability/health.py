"""Liveness and readiness probes."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from api.envelope import error, success
from api.routing import Call, Ok, Router
from services.observability import readiness_report as readiness

router = Router("Health")


class Liveness(BaseModel):
    status: str


class CheckResult(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None
    detail: dict[str, object] = {}


class Readiness(BaseModel):
    status: str
    checks: list[CheckResult]


@router.get("/healthz", summary="Liveness probe (no I/O)", public=True, response_model=Liveness)
async def healthz(call: Call[None, None]) -> Ok:
    return Ok({"status": "ok"}, "Service is alive")


@router.get(
    "/readyz",
    summary="Readiness probe: database and Redis reachable",
    public=True,
    response_model=Readiness,
    responses={503: "Database or Redis unreachable"},
    description="Each dependency is probed with its own timeout; worker heartbeats are reported as detail.",
)
async def readyz(call: Call[None, None]) -> Ok | Response:
    checks = await readiness()
    critical = [c for c in checks if c.name in {"database", "redis"}]
    payload = [c.__dict__ for c in checks]
    if all(c.ok for c in critical):
        return success({"status": "ready", "checks": payload}, "Service is ready")
    failed = ", ".join(c.name for c in critical if not c.ok)
    return error(
        503,
        "SERVICE_UNAVAILABLE",
        f"Not ready: {failed} unreachable",
        details=[{"field": c.name, "message": c.error or "ok", "type": "dependency"} for c in critical if not c.ok],
        headers={"Retry-After": "5"},
        checks=payload,
    )
