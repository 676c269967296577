"""Demo data: a realistic organization's prompts, versions and executions, written fast.

One job: generate and write.  :func:`seed_demo` finds or creates a catalog of workspaces,
data sources and prompts owned by the caller, generates executions in time order (diurnal
and weekly traffic, version rollouts where every version has its own latency, cost, score
and failure rate, regressions that get rolled back), streams them into
``prompt_executions`` with one ``COPY`` on PostgreSQL (bulk insert on SQLite), updates what
the ingest drain would (each prompt's latest execution, versions' first/last seen) and
rebuilds the rollups.  It sets no dirty marks, so the rollups are authoritative at once.

Plain ``random`` is enough (numpy is not a dependency): the range is cut into segments of
whole hours, each rendered straight to COPY text lines by a pure function with its own
seed, so large runs render in a worker process while PostgreSQL parses and indexes the
previous segment, and the output does not depend on which process rendered it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import multiprocessing
import random
import time
import uuid
from bisect import bisect
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from models.prompts import DataSource, Prompt, PromptExecution, PromptVersion
from models.tenancy import Workspace
from services import ingest, rollups
from services.core import partitions
from services.core.config import get_settings
from services.core.errors import BadRequest
from services.identity import Principal, require_admin

MAX_EVENTS = 100_000_000
MAX_DAYS = 3650
MAX_PROMPTS = 500
SEGMENT_EVENTS = 50_000  # executions rendered per unit of work
PARALLEL_FROM = 200_000  # events from which rendering moves to a worker process

EXECUTION_COLUMNS = (*ingest.EXECUTION_COLUMNS, "received_at")

WORKSPACES = ("Revenue Analytics", "Customer Success", "Data Platform", "Growth")

# name, kind, schemas a prompt over it may touch
DATA_SOURCES = (
    ("warehouse-postgres", "postgresql", ("public", "sales", "billing")),
    ("orders-mysql", "mysql", ("orders", "inventory")),
    ("snowflake-dw", "snowflake", ("analytics", "marts", "finance")),
    ("events-bigquery", "bigquery", ("events", "sessions")),
    ("crm-postgres", "postgresql", ("crm", "public")),
    ("legacy-redshift", "redshift", ("reporting",)),
)
# typical query time per data source kind (ms, median)
QUERY_MS = {"postgresql": 60.0, "mysql": 45.0, "snowflake": 900.0, "bigquery": 1400.0, "redshift": 650.0}

# name, workspace index, data source indexes, what it asks
PROMPTS = (
    ("Monthly revenue by region", 0, (0, 2), "Summarize monthly revenue by region and flag regions >10% off plan."),
    ("Churn risk accounts", 1, (4, 2), "List accounts whose usage fell for three weeks and explain the likely cause."),
    ("Support ticket triage", 1, (4,), "Classify the new ticket by product area and urgency; suggest an owner."),
    ("Refund reason summary", 1, (1, 0), "Group last week's refunds by stated reason and order attributes."),
    ("Inventory stock-out forecast", 3, (1, 2), "Which SKUs will run out within 14 days at the current sell-through?"),
    ("Weekly active users report", 3, (3,), "Report weekly active users by platform with week-over-week change."),
    ("Funnel drop-off explainer", 3, (3, 2), "Explain where sign-up funnel users drop off and what changed."),
    ("Natural-language SQL: orders", 2, (1,), "Translate the user's question into SQL over the orders schema."),
    ("Invoice anomaly detection", 0, (0, 5), "Find invoices whose amount or tax deviates from the customer's norm."),
    ("Cohort retention narrative", 3, (3, 2), "Describe retention of the last six monthly cohorts in plain words."),
    ("Top customers by lifetime value", 0, (0, 4), "Rank customers by lifetime value and note recent changes."),
    ("Data quality check summary", 2, (2, 5), "Summarize failed data quality checks and their blast radius."),
    ("Slow query explainer", 2, (0,), "Explain why the given query is slow and propose an index or rewrite."),
    ("Marketing attribution digest", 3, (3, 5), "Attribute last month's conversions to channels (position-based)."),
    ("Sales pipeline health", 0, (4, 2), "Assess pipeline coverage for the quarter by segment and stage."),
    ("Product return rate by SKU", 1, (1,), "Which SKUs have return rates above category average, and why?"),
    ("Executive KPI briefing", 0, (2, 0, 3), "Write a five-bullet KPI briefing for the leadership meeting."),
    (
        "Customer sentiment from tickets",
        1,
        (4,),
        "Score sentiment of this week's tickets and quote representative ones.",
    ),
    ("Schema change impact", 2, (5, 2), "List dashboards and models affected by the proposed schema change."),
    ("Fraud signal review", 0, (0, 1), "Review orders with mismatched billing and shipping signals."),
    ("Forecast vs actuals variance", 0, (2,), "Explain the variance between forecast and actuals per business unit."),
    ("Onboarding completion insights", 3, (3, 4), "Which onboarding steps correlate with activation in 30 days?"),
    ("Warehouse cost breakdown", 2, (2, 5), "Break down warehouse spend by team and query pattern."),
    ("Ad spend efficiency", 3, (3,), "Compare cost per acquisition across campaigns; flag the worst decile."),
)

# How a new version differs from the one before: latency, cost, score shift, failure factor.
CHANGES = {
    "faster model, pricier": (0.62, 1.6, 0.02, 0.8),
    "cheaper model": (0.85, 0.45, -0.04, 1.15),
    "better instructions": (1.08, 1.12, 0.06, 0.6),
    "regression": (1.45, 1.05, -0.12, 4.0),
}
PROCESSING_RATE = 0.003  # still running when logged


@dataclass
class SeedOptions:
    events: int = 20_000
    days: int = 14
    prompts: int = 20
    seed: int | None = None
    end: datetime | None = None  # default: now


@dataclass
class SeedResult:
    organization_id: int
    user_id: int
    events: int
    days: int
    prompts: int
    versions: int
    workspaces: int
    data_sources: int
    period_start: str
    period_end: str
    rollup_buckets: int
    seconds_write: float
    seconds_rollups: float
    backend: str


@dataclass
class _Version:
    hash: str
    change: str
    start: float  # seconds after the range start when it ships
    stop: float | None  # rolled back at (regressions)
    ramp: float  # seconds to reach full traffic
    ai_mu: float  # log of the median AI response time
    cost: float  # median cost per call, USD
    score: float  # mean score of completed runs
    failure: float
    first: datetime | None = None
    last: datetime | None = None

    def weight(self, t: float, rank: int) -> float:
        """Traffic weight at ``t``: ramps in after shipping; the newest live version dominates."""
        if t < self.start or (self.stop is not None and t >= self.stop):
            return 0.0
        ramp = 1.0 if self.ramp <= 0 else min(1.0, (t - self.start) / self.ramp)
        return ramp * 10.0**rank


@dataclass
class _Plan:
    prompt: Prompt
    versions: list[_Version]
    q_mu: float
    ds_json: list[str]  # data source id choices, as JSON text (what COPY takes for jsonb)
    ds_cum: list[float]
    schema_json: list[str]
    schema_cum: list[float]
    ds_lists: dict[str, list[int]] = field(default_factory=dict)  # JSON text -> ids
    latest: tuple[int, str, str, str, str] | None = None  # latest execution generated (see _Rendered)

    def spec(self) -> _PromptSpec:
        return _PromptSpec(
            self.prompt.id,
            self.q_mu,
            tuple(self.ds_json),
            tuple(self.ds_cum),
            tuple(self.schema_json),
            tuple(self.schema_cum),
            tuple((v.hash, v.ai_mu, v.cost, v.score, v.failure) for v in self.versions),
        )

    def version_cum(self, t: float) -> list[float]:
        live = [v for v in self.versions if v.weight(t, 0) > 0]
        cum, total = [], 0.0
        for v in self.versions:
            total += v.weight(t, live.index(v)) if v in live else 0.0
            cum.append(total)
        return cum


def check_options(options: SeedOptions) -> None:
    """400s for sizes out of range (the CLI calls it before touching the database)."""
    if not 1 <= options.events <= MAX_EVENTS:
        raise BadRequest.field("events", f"events must be between 1 and {MAX_EVENTS}")
    if not 1 <= options.days <= MAX_DAYS:
        raise BadRequest.field("days", f"days must be between 1 and {MAX_DAYS}")
    if not 1 <= options.prompts <= MAX_PROMPTS:
        raise BadRequest.field("prompts", f"prompts must be between 1 and {MAX_PROMPTS}")


async def has_executions(principal: Principal) -> bool:
    """Whether the caller's organization already has data (``make run`` seeds only once)."""
    return await PromptExecution.filter(organization_id=principal.organization_id).exists()


async def seed_demo(principal: Principal, options: SeedOptions) -> SeedResult:
    """Generate ``options.events`` executions over ``options.days`` days into the caller's org."""
    principal = require_admin(principal)
    check_options(options)
    rng = random.Random(options.seed)
    end = (options.end or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=options.days)
    org = principal.organization_id

    workspaces = [(await Workspace.get_or_create(organization_id=org, name=n))[0] for n in WORKSPACES]
    sources = [
        (await DataSource.get_or_create(organization_id=org, name=n, defaults={"kind": k}))[0]
        for n, k, _ in DATA_SOURCES
    ]
    plans = [
        await _plan(rng, principal, i, workspaces, sources, options.days * 86400.0) for i in range(options.prompts)
    ]

    started = time.perf_counter()
    segments = _schedule(rng, plans, principal, start, end, options.events, options.seed)
    backend = get_settings().dialect
    async with in_transaction() as tx:
        if backend == "postgres":
            rendered = await _copy_postgres(tx, segments)
        else:
            rendered = await _insert_sqlite(tx, segments)
        _collect(plans, rendered)
        await _write_versions(plans, org, tx)
        await _write_latest(plans, tx)
    if backend == "postgres":  # fresh statistics, or the planner still thinks the table is small
        await connections.get("default").execute_script("ANALYZE prompt_executions")
    written = time.perf_counter() - started

    started = time.perf_counter()
    buckets = await rollups.rebuild_all(org)
    return SeedResult(
        organization_id=org,
        user_id=principal.user_id,
        events=options.events,
        days=options.days,
        prompts=len(plans),
        versions=sum(len(p.versions) for p in plans),
        workspaces=len(workspaces),
        data_sources=len(sources),
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        rollup_buckets=buckets,
        seconds_write=round(written, 3),
        seconds_rollups=round(time.perf_counter() - started, 3),
        backend=backend,
    )


async def _plan(
    rng: random.Random,
    principal: Principal,
    index: int,
    workspaces: list[Workspace],
    sources: list[DataSource],
    span: float,
) -> _Plan:
    """Find or create one catalog prompt and decide how its versions behave over the range."""
    name, ws, ds_idx, text = PROMPTS[index % len(PROMPTS)]
    if index >= len(PROMPTS):
        name = f"{name} #{index // len(PROMPTS) + 1}"
    mine = Prompt.filter(organization_id=principal.organization_id, owner_id=principal.user_id, name=name)
    prompt = await mine.order_by("id").first()
    if prompt is None:
        prompt = await Prompt.create(
            uuid=uuid.uuid4(),  # globally unique: never from the seed
            organization_id=principal.organization_id,
            owner_id=principal.user_id,
            workspace_id=workspaces[ws].id,
            name=name,
            text=text,
        )
    used = [sources[i] for i in ds_idx]
    kinds = [DATA_SOURCES[i][1] for i in ds_idx]
    available = sorted({s for i in ds_idx for s in DATA_SOURCES[i][2]})
    schemas = sorted(rng.sample(available, min(len(available), rng.randint(1, 3))))

    # versions: v1 from the start, later ones ship at random points; regressions are rolled back
    n_versions = rng.randint(2, 4)
    ships = sorted(rng.uniform(0.12, 0.88) * span for _ in range(n_versions - 1))
    ai_ms = rng.uniform(500, 2600)
    cost = rng.uniform(0.0006, 0.02)
    score = rng.uniform(0.66, 0.86)
    failure = rng.uniform(0.008, 0.04)
    versions = [_Version(_hash(prompt, 0), "initial", 0.0, None, 0.0, math.log(ai_ms), cost, score, failure)]
    changes = [c for c in CHANGES if c != "regression"]
    for i, ship in enumerate(ships, start=1):
        # every third prompt ships one regression (never as its only newer version)
        regress = n_versions >= 3 and index % 3 == 0 and i == 1
        change = "regression" if regress else rng.choice(changes)
        lat_f, cost_f, score_d, fail_f = CHANGES[change]
        prev = versions[-1] if not versions[-1].stop else versions[-2]
        stop = min(ship + rng.uniform(0.04, 0.08) * span, ships[i] if i < len(ships) else span) if regress else None
        versions.append(
            _Version(
                _hash(prompt, i),
                change,
                ship,
                stop,
                max(2 * 3600.0, 0.03 * span),
                prev.ai_mu + math.log(lat_f),
                prev.cost * cost_f,
                min(0.98, max(0.05, prev.score + score_d)),
                min(0.5, prev.failure * fail_f),
            )
        )

    # most runs touch all of the prompt's sources and schemas, some only one of them
    ds_choices = [[s.id for s in used]] + ([[s.id] for s in used] if len(used) > 1 else [])
    schema_choices = [schemas] + ([[s] for s in schemas] if len(schemas) > 1 else [])
    plan = _Plan(
        prompt=prompt,
        versions=versions,
        q_mu=math.log(sum(QUERY_MS[k] for k in kinds)),
        ds_json=[json.dumps(c) for c in ds_choices],
        ds_cum=_cumulative(_mostly_first(len(ds_choices), 0.75)),
        schema_json=[json.dumps(c, ensure_ascii=False) for c in schema_choices],
        schema_cum=_cumulative(_mostly_first(len(schema_choices), 0.6)),
    )
    plan.ds_lists = {json.dumps(c): c for c in ds_choices}
    return plan


def _hash(prompt: Prompt, index: int) -> str:
    return hashlib.sha256(f"{prompt.uuid}:v{index + 1}".encode()).hexdigest()[:16]


def _mostly_first(n: int, share: float) -> list[float]:
    return [1.0] if n == 1 else [share] + [(1 - share) / (n - 1)] * (n - 1)


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass(frozen=True)
class _PromptSpec:
    """What a segment renderer needs of a prompt: plain, picklable values."""

    prompt_id: int
    q_mu: float
    ds_json: tuple[str, ...]
    ds_cum: tuple[float, ...]
    schema_json: tuple[str, ...]
    schema_cum: tuple[float, ...]
    versions: tuple[tuple[str, float, float, float, float], ...]  # hash, ai_mu, cost, score, failure


@dataclass(frozen=True)
class _Hour:
    start: int  # epoch seconds of the hour
    lo: float  # traffic window inside the hour, seconds
    width: float
    count: int
    version_cums: tuple[tuple[float, ...], ...]  # per prompt: cumulative traffic share of its versions


@dataclass(frozen=True)
class _Segment:
    """Consecutive hours rendered as one unit; its own seed keeps output reproducible in any process."""

    seed: str | None
    organization_id: int
    user_id: int
    prompts: tuple[_PromptSpec, ...]
    prompt_cum: tuple[float, ...]
    hours: tuple[_Hour, ...]


@dataclass
class _Rendered:
    text: bytes  # PostgreSQL COPY text format, one line per execution, in time order
    versions: dict[tuple[int, int], tuple[int, int]]  # (prompt index, version index) -> first/last epoch us
    latest: dict[int, tuple[int, str, str, str, str]]  # prompt index -> (epoch us, status, total, latency, ds json)


def _hour_weights(rng: random.Random, first_hour: datetime, hours: int) -> list[float]:
    """Business-hours peak around 14:00 UTC, quieter weekends, slow growth, a little noise."""
    weights = []
    for h in range(hours):
        at = first_hour + timedelta(hours=h)
        diurnal = 0.2 + math.exp(-((at.hour - 14) ** 2) / (2 * 3.5**2))
        weekly = 0.45 if at.weekday() >= 5 else 1.0
        growth = 0.85 + 0.3 * h / max(1, hours - 1)
        weights.append(diurnal * weekly * growth * rng.uniform(0.9, 1.1))
    return weights


def _schedule(
    rng: random.Random,
    plans: list[_Plan],
    principal: Principal,
    start: datetime,
    end: datetime,
    total: int,
    seed: int | None,
) -> list[_Segment]:
    """Decide how many executions each hour gets (exactly ``total``) and cut the range into segments."""
    first_hour = start.replace(minute=0, second=0, microsecond=0)
    n_hours = math.ceil((end - first_hour).total_seconds() / 3600)
    weights = _hour_weights(rng, first_hour, n_hours)
    windows = []
    for h in range(n_hours):  # only the part of the first and last hour inside [start, end] gets traffic
        since = max(start, first_hour + timedelta(hours=h))
        until = min(end, first_hour + timedelta(hours=h + 1))
        windows.append(((since - first_hour).total_seconds() - 3600 * h, max(0.0, (until - since).total_seconds())))
        weights[h] *= windows[h][1] / 3600
    wsum = sum(weights)
    counts = [int(total * w / wsum) for w in weights]
    for h in rng.choices(range(n_hours), weights=weights, k=total - sum(counts)):
        counts[h] += 1

    popularity = [1 / (i + 1) ** 0.8 for i in range(len(plans))]
    rng.shuffle(popularity)
    specs = tuple(p.spec() for p in plans)
    offset = (start - first_hour).total_seconds()
    segments: list[_Segment] = []
    hours: list[_Hour] = []
    in_segment = 0
    for h in range(n_hours):
        if counts[h]:
            lo, width = windows[h]
            t_mid = h * 3600 + lo + width / 2 - offset  # seconds after ``start``
            hours.append(
                _Hour(
                    int(first_hour.timestamp()) + 3600 * h,
                    lo,
                    width,
                    counts[h],
                    tuple(tuple(p.version_cum(t_mid)) for p in plans),
                )
            )
            in_segment += counts[h]
        if hours and (in_segment >= SEGMENT_EVENTS or h == n_hours - 1):
            tag = None if seed is None else f"{seed}:{len(segments)}"
            segments.append(
                _Segment(
                    tag,
                    principal.organization_id,
                    principal.user_id,
                    specs,
                    tuple(_cumulative(popularity)),
                    tuple(hours),
                )
            )
            hours, in_segment = [], 0
    return segments


def render_segment(seg: _Segment) -> _Rendered:
    """Generate one segment's executions as COPY text lines, in time order (runs in a worker process).

    Event ids are time-ordered (UUIDv7 layout) so the unique index grows at its right edge;
    their random bits come from the OS so a re-run with the same ``--seed`` never collides.
    """
    rng = random.Random(seg.seed)
    ids = random.SystemRandom()
    rand, gauss, exp, getrandbits = rng.random, rng.gauss, math.exp, ids.getrandbits
    mask62 = (1 << 62) - 1
    lags = [30_000 + 40_000 * i for i in range(64)]  # ingest delay, microseconds
    p_cum, p_total = seg.prompt_cum, seg.prompt_cum[-1]
    prompts = seg.prompts
    head = f"\t{seg.organization_id}\t"
    user = seg.user_id
    first: dict[tuple[int, int], int] = {}
    last: dict[tuple[int, int], int] = {}
    latest: dict[int, tuple[int, str, str, str, str]] = {}
    lines: list[str] = []
    out = lines.append
    for hour in seg.hours:
        prefix = datetime.fromtimestamp(hour.start, UTC).strftime("%Y-%m-%d %H:")
        next_prefix = datetime.fromtimestamp(hour.start + 3600, UTC).strftime("%Y-%m-%d %H:")
        base_us = hour.start * 1_000_000
        lo_us, width_us = hour.lo * 1e6, hour.width * 1e6
        for off in sorted(int(lo_us + rand() * width_us) for _ in range(hour.count)):
            pi = bisect(p_cum, rand() * p_total)
            p = prompts[pi]
            vc = hour.version_cums[pi]
            vi = bisect(vc, rand() * vc[-1])
            vhash, ai_mu, v_cost, v_score, v_failure = p.versions[vi]
            r = rand()
            q_ms = exp(p.q_mu + 0.6 * gauss())
            if r > 1 - PROCESSING_RATE:
                status, ai_ms, latency, total_ms, cost, score = "processing", "\\N", "\\N", "\\N", "\\N", "\\N"
            else:
                failed = r < v_failure
                status = "failed" if failed else "completed"
                ai = exp(ai_mu + 0.35 * gauss()) * (1.6 if failed else 1.0)
                lat = ai + q_ms + 4 + 20 * rand()
                ai_ms, latency, total_ms = f"{ai:.3f}", f"{lat:.3f}", f"{lat + 2 + 15 * rand():.3f}"
                cost = f"{v_cost * exp(0.3 * gauss()):.8f}"
                score = "\\N" if failed else f"{min(1.0, max(0.0, v_score + 0.07 * gauss())):.4f}"
            bits = getrandbits(74)
            x = ((base_us + off) // 1000 << 80) | (0x7000 << 64) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & mask62)
            hx = f"{x:032x}"
            minute, rest = divmod(off, 60_000_000)
            occurred = f"{prefix}{minute:02d}:{rest // 1_000_000:02d}.{rest % 1_000_000:06d}+00"
            rec = off + lags[int(rand() * 64)]
            if rec < 3_600_000_000:
                minute, rest = divmod(rec, 60_000_000)
                received = f"{prefix}{minute:02d}:{rest // 1_000_000:02d}.{rest % 1_000_000:06d}+00"
            else:
                minute, rest = divmod(rec - 3_600_000_000, 60_000_000)
                received = f"{next_prefix}{minute:02d}:{rest // 1_000_000:02d}.{rest % 1_000_000:06d}+00"
            ds = p.ds_json[bisect(p.ds_cum, rand() * p.ds_cum[-1])]
            out(
                f"{hx[:8]}-{hx[8:12]}-{hx[12:16]}-{hx[16:20]}-{hx[20:]}{head}{p.prompt_id}\t{vhash}\t{status}\t"
                f"{total_ms}\t{ai_ms}\t{q_ms:.3f}\t{latency}\t{cost}\t{score}\t{ds}\t"
                f"{p.schema_json[bisect(p.schema_cum, rand() * p.schema_cum[-1])]}\t{user}\t{occurred}\t{received}\n"
            )
            at = base_us + off
            key = (pi, vi)
            if key not in first:
                first[key] = at
            last[key] = at
            latest[pi] = (at, status, total_ms, latency, ds)
    versions = {k: (first[k], last[k]) for k in first}
    return _Rendered("".join(lines).encode(), versions, latest)


async def _copy_postgres(tx: Any, segments: list[_Segment]) -> list[_Rendered]:
    """One COPY for everything.  Large runs render segments in a worker process, one ahead,
    so generating (one core) overlaps with PostgreSQL parsing and indexing (the other).

    PostgreSQL buys: one streamed COPY instead of batched INSERTs (:func:`_insert_sqlite`).
    """
    done: list[_Rendered] = []
    events = sum(h.count for s in segments for h in s.hours)
    big = events >= PARALLEL_FROM

    async def source() -> AsyncIterator[bytes]:
        if not big:
            for seg in segments:
                done.append(render_segment(seg))
                yield done[-1].text
                done[-1].text = b""  # sent: keep only the version spans and latest runs
            return
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            queued = iter(segments)
            ahead = deque(loop.run_in_executor(pool, render_segment, seg) for seg in islice(queued, 2))
            while ahead:
                result = await ahead.popleft()
                for seg in islice(queued, 1):
                    ahead.append(loop.run_in_executor(pool, render_segment, seg))
                done.append(result)
                yield result.text
                result.text = b""

    async with tx.acquire_connection() as conn:
        # The seed's weeks get their partitions first (partitioned table: services/core/partitions.py),
        # so the COPY routes rows straight into them rather than into the default partition.
        if segments and await partitions.is_partitioned(conn):
            first = datetime.fromtimestamp(segments[0].hours[0].start, UTC)
            await partitions.ensure_range(conn, first, datetime.fromtimestamp(segments[-1].hours[-1].start + 3600, UTC))
        await conn.copy_to_table("prompt_executions", source=source(), columns=EXECUTION_COLUMNS, format="text")
    return done


async def _insert_sqlite(tx: Any, segments: list[_Segment]) -> list[_Rendered]:
    """SQLite: the same lines, parsed into models and bulk-inserted (small demo sets)."""
    done = []
    for seg in segments:
        rendered = render_segment(seg)
        done.append(rendered)
        batch = [_model(line) for line in rendered.text.decode().splitlines()]
        rendered.text = b""
        await PromptExecution.bulk_create(batch, batch_size=2000, using_db=tx)
    return done


def _model(line: str) -> PromptExecution:
    values: dict[str, Any] = {
        k: (None if v == "\\N" else v) for k, v in zip(EXECUTION_COLUMNS, line.split("\t"), strict=True)
    }
    for k in ("total_duration_ms", "ai_response_time_ms", "query_execution_time_ms", "latency_ms", "score"):
        values[k] = float(values[k]) if values[k] is not None else None
    for k in ("organization_id", "prompt_id", "user_id"):
        values[k] = int(values[k])
    values["event_id"] = uuid.UUID(values["event_id"])
    values["cost_usd"] = Decimal(values["cost_usd"]) if values["cost_usd"] is not None else None
    values["data_source_ids"] = json.loads(values["data_source_ids"])
    values["schema_names"] = json.loads(values["schema_names"])
    values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    received = datetime.fromisoformat(values.pop("received_at"))
    model = PromptExecution(**values)
    model.received_at = received
    return model


def _collect(plans: list[_Plan], rendered: list[_Rendered]) -> None:
    """Fold segments' version spans and latest executions back into the plans (segments are in time order)."""
    for part in rendered:
        for (pi, vi), (lo, hi) in part.versions.items():
            v = plans[pi].versions[vi]
            lo_at, hi_at = _from_us(lo), _from_us(hi)
            v.first = lo_at if v.first is None else min(v.first, lo_at)
            v.last = hi_at if v.last is None else max(v.last, hi_at)
        for pi, latest in part.latest.items():
            plans[pi].latest = latest


def _from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us // 1_000_000, UTC).replace(microsecond=us % 1_000_000)


async def _write_versions(plans: list[_Plan], org: int, tx: Any) -> None:
    """Versions' first/last seen, widened like the drain does (existing rows keep older bounds)."""
    prompt_ids = [p.prompt.id for p in plans]
    existing = {
        (v.prompt_id, v.version_hash): v for v in await PromptVersion.filter(prompt_id__in=prompt_ids).using_db(tx)
    }
    new, changed = [], []
    for plan in plans:
        for v in plan.versions:
            if v.first is None or v.last is None:
                continue
            row = existing.get((plan.prompt.id, v.hash))
            if row is None:
                new.append(
                    PromptVersion(
                        organization_id=org,
                        prompt_id=plan.prompt.id,
                        version_hash=v.hash,
                        first_seen_at=v.first,
                        last_seen_at=v.last,
                    )
                )
            elif v.first < row.first_seen_at or v.last > row.last_seen_at:
                row.first_seen_at, row.last_seen_at = min(v.first, row.first_seen_at), max(v.last, row.last_seen_at)
                changed.append(row)
    if new:
        await PromptVersion.bulk_create(new, using_db=tx)
    if changed:
        await PromptVersion.bulk_update(changed, fields=["first_seen_at", "last_seen_at"], using_db=tx)


async def _write_latest(plans: list[_Plan], tx: Any) -> None:
    """Each prompt's latest execution, as the drain keeps it for the history view."""
    changed = []
    for plan in plans:
        if plan.latest is None:
            continue
        at_us, status, total_ms, latency, ds_json = plan.latest
        at = _from_us(at_us)
        p = plan.prompt
        if p.last_executed_at is not None and at < p.last_executed_at:
            continue
        ds = plan.ds_lists[ds_json]
        p.last_executed_at = at
        p.status = status
        duration = total_ms if total_ms != "\\N" else latency
        p.last_execution_ms = float(duration) if duration != "\\N" else None
        p.last_data_source_ids = list(ds)
        p.last_data_source_key = ingest.data_source_key(ds)
        changed.append(p)
    if changed:
        await Prompt.bulk_update(
            changed,
            fields=["last_executed_at", "status", "last_execution_ms", "last_data_source_ids", "last_data_source_key"],
            using_db=tx,
        )
