"""Diagnostics behind the seed's debug routes: the deployed version, and the aggregate computed
straight from raw events next to what the rollup reader answers.

Both are for operators: superuser only, and the routes are not mounted in production
(``APP_ENV=production``), where they answer 404 like any unknown path.  The raw aggregate scans
the organization's raw events, which is exactly what the rollups exist to avoid, so it is a
check of the rollups, not a way to read usage.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from tortoise import connections
from tortoise.functions import Count, Sum

from models.usage import UsageEvent
from services.core.config import PROJECT_ROOT, get_settings
from services.identity import Principal, require_superuser
from services.usage import rollups
from services.usage.plans import plan_of, window
from services.usage.reports import PERIODS, check_choice
from services.usage.schemas import RESOURCE_TYPES, RawAggregate, VersionInfo

PACKAGE = "promptops-analytics"


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checked-out commit, read from ``.git`` without running git (None outside a checkout)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        ref_file = git / ref
        if ref_file.exists():
            return ref_file.read_text().strip() or None
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def _package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        import tomllib

        return str(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"])


async def version(principal: Principal) -> VersionInfo:
    require_superuser(principal)
    settings = get_settings()
    started = datetime.fromtimestamp(psutil.Process().create_time(), UTC)
    client = connections.get("default")
    rows = await client.execute_query_dict("SELECT version FROM aerich WHERE app = 'models' ORDER BY id")
    return VersionInfo(
        package=PACKAGE,
        version=_package_version(),
        git_commit=git_commit(),
        started_at=started,
        uptime_seconds=round((datetime.now(UTC) - started).total_seconds(), 3),
        environment=settings.app_env,
        database=settings.dialect,
        applied_migrations=[r["version"] for r in rows],
    )


_FIELDS = ("requests", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "quantity", "cost_usd")


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(float(v), 6) if isinstance(v, float) else v) for k, v in d.items()}


async def aggregate_raw(
    principal: Principal, period: str = "current", organization_id: int | None = None
) -> RawAggregate:
    """Per-resource sums from raw events and from the rollup reader, side by side, and whether they agree."""
    principal = require_superuser(principal)
    check_choice(period, PERIODS, "period")
    org = organization_id or principal.organization_id
    start, _ = window(period, await plan_of(org))
    t0 = time.perf_counter()
    query = UsageEvent.filter(organization_id=org)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    rows = (
        await query.group_by("resource_type")
        .annotate(
            requests=Count("id"),
            s_in=Sum("input_tokens"),
            s_out=Sum("output_tokens"),
            s_cached=Sum("cached_tokens"),
            s_reasoning=Sum("reasoning_tokens"),
            s_quantity=Sum("quantity"),
            s_cost=Sum("cost_usd"),
        )
        .values("resource_type", "requests", "s_in", "s_out", "s_cached", "s_reasoning", "s_quantity", "s_cost")
    )
    raw_ms = (time.perf_counter() - t0) * 1000
    raw = {
        r["resource_type"]: {
            "resource_type": r["resource_type"],
            "requests": int(r["requests"]),
            "input_tokens": int(r["s_in"] or 0),
            "output_tokens": int(r["s_out"] or 0),
            "cached_tokens": int(r["s_cached"] or 0),
            "reasoning_tokens": int(r["s_reasoning"] or 0),
            "quantity": float(r["s_quantity"] or 0),
            "cost_usd": float(r["s_cost"] or 0),
        }
        for r in rows
    }
    t1 = time.perf_counter()
    slices = await rollups.read(org, "resource", start)
    rollup_ms = (time.perf_counter() - t1) * 1000
    rolled = {}
    for (resource, _), s in slices.items():
        rolled[resource] = {"resource_type": resource, **{f: getattr(s, f) for f in _FIELDS}}
    matches = set(raw) == set(rolled) and all(
        all(abs(float(raw[r][f]) - float(rolled[r][f])) <= 1e-6 * max(1.0, abs(float(raw[r][f]))) for f in _FIELDS)
        for r in raw
    )
    order = {r: i for i, r in enumerate(RESOURCE_TYPES)}
    return RawAggregate(
        organization_id=org,
        period=period,
        period_start=start,
        raw=[_rounded(raw[r]) for r in sorted(raw, key=order.get)],  # type: ignore[arg-type]
        rollups=[_rounded(rolled[r]) for r in sorted(rolled, key=order.get)],  # type: ignore[arg-type]
        matches=matches,
        dirty_hours=len(await rollups.dirty_hours(org)),
        elapsed_raw_ms=round(raw_ms, 3),
        elapsed_rollups_ms=round(rollup_ms, 3),
    )
