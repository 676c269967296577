"""OTLP trace ingest end-to-end: spans/s stored, and the same data against Arize Phoenix when installed.

A generator of realistic LLM application spans (chat calls over five models with log-normal token
counts, ~5 % errors, prompt templates in three versions with an evaluation score on some calls,
tool and MCP calls, agent and HTTP spans the mapping does not store) is encoded as OTLP protobuf
``ExportTraceServiceRequest`` bodies of ``--batch`` (500) spans and POSTed to ``/v1/traces`` by
``--concurrency`` clients, against one uvicorn process and one arq worker on PostgreSQL + Redis.

Spans/s stored end-to-end = spans posted / (first request -> the last fact committed, i.e. the
ingest stream empty: the worker deletes entries only after their transaction commits).  The rows
stored (usage events, tool executions, prompt executions) are checked against what the mapping
makes of the generated spans.  "Held only in memory at the last acknowledgement": acknowledged
spans whose facts were neither in PostgreSQL nor in the Redis stream when the last 200 arrived
(for this service always 0: the 200 follows the XADD; how durable the stream is depends on Redis'
own persistence, AOF in production) - for Phoenix, acknowledged spans not yet in its SQLite file.

Phoenix (``pip install arize-phoenix``; here looked up as ``--phoenix`` or ``phoenix`` on PATH) is
started with its own SQLite default in a temporary working directory and receives the very same
bodies at its ``/v1/traces``; its spans/s stored = spans posted / (first request -> its ``spans``
table holds them all).

    .venv/bin/python bench/otel_ingest.py --batches 40
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BenchError, Stack, format_block

SPANS_PER_REQUEST = 500
MODELS = [  # (model, provider, weight): all in the shipped price map
    ("gpt-4o", "openai", 30),
    ("gpt-4o-mini", "openai", 35),
    ("claude-sonnet-4-5-20250929", "anthropic", 15),
    ("claude-3-5-haiku-20241022", "anthropic", 10),
    ("gemini-2.5-flash", "gemini", 10),
]
TEMPLATES = [
    "You are a support agent. Answer the customer: {question}",
    "Summarise this ticket in three bullet points: {ticket}",
    "Classify the intent of: {message}",
    "Write a SQL query for: {request}",
]
TOOLS = ["search_docs", "lookup_order", "create_ticket", "fetch_url", "run_sql"]


def _kv(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


@dataclass
class Expected:
    spans: int = 0
    usage: int = 0
    tool: int = 0
    prompt: int = 0


def generate(batches: int, per_request: int, seed: int = 19) -> tuple[list[bytes], Expected]:
    """Request bodies and the facts the mapping makes of them (one trace per 5 spans)."""
    rng = random.Random(seed)
    expected = Expected()
    bodies = []
    now = time.time_ns() - 600 * 1_000_000_000
    models = [m for m, _, w in MODELS for _ in range(w)]
    providers = {m: p for m, p, _ in MODELS}
    for b in range(batches):
        request = ExportTraceServiceRequest()
        rs = request.resource_spans.add()
        rs.resource.attributes.extend(
            [
                _kv("service.name", f"app-{b % 3}"),
                _kv("deployment.environment.name", "production" if b % 4 else "staging"),
                _kv("service.version", f"2.{b % 5}.0"),
            ]
        )
        ss = rs.scope_spans.add()
        ss.scope.name = "openinference.instrumentation.openai"
        trace_id = b""
        for i in range(per_request):
            if i % 5 == 0:
                trace_id = rng.randbytes(16)
            start = now + (b * per_request + i) * 1_000_000
            kind = rng.random()
            attrs: list[KeyValue] = []
            error = rng.random() < 0.05
            if kind < 0.70:  # an LLM call
                model = rng.choice(models)
                duration_ms = rng.lognormvariate(6.3, 0.6)
                attrs += [
                    _kv("gen_ai.operation.name", "chat"),
                    _kv("gen_ai.provider.name", providers[model]),
                    _kv("gen_ai.request.model", model),
                    _kv("gen_ai.response.model", model),
                    _kv("gen_ai.usage.input_tokens", int(rng.lognormvariate(6.5, 0.8))),
                    _kv("gen_ai.usage.output_tokens", 0 if error else int(rng.lognormvariate(5.0, 0.7))),
                    _kv("gen_ai.response.id", f"chatcmpl-{rng.getrandbits(64):x}"),
                ]
                name = f"chat {model}"
                expected.usage += 1
                if rng.random() < 0.6:  # on a prompt template
                    template = rng.choice(TEMPLATES)
                    attrs += [
                        _kv("llm.prompt_template.template", template),
                        _kv("llm.prompt_template.version", f"v{rng.randint(1, 3)}"),
                    ]
                    if rng.random() < 0.3:
                        attrs.append(_kv("gen_ai.evaluation.score.value", round(rng.random(), 3)))
                    expected.prompt += 1
            elif kind < 0.90:  # a tool call, some through MCP
                tool = rng.choice(TOOLS)
                duration_ms = rng.lognormvariate(4.0, 0.9)
                attrs += [_kv("gen_ai.operation.name", "execute_tool"), _kv("gen_ai.tool.name", tool)]
                if rng.random() < 0.4:
                    attrs += [_kv("mcp.method.name", "tools/call"), _kv("server.address", "mcp.internal")]
                if error:
                    attrs.append(_kv("error.type", "TimeoutError"))
                name = f"execute_tool {tool}"
                expected.tool += 1
            else:  # agent and HTTP spans: counted as unknown
                duration_ms = rng.lognormvariate(7.0, 0.5)
                if rng.random() < 0.5:
                    attrs += [_kv("gen_ai.operation.name", "invoke_agent"), _kv("gen_ai.agent.name", "support")]
                    name = "invoke_agent support"
                else:
                    attrs += [_kv("http.request.method", "POST"), _kv("url.path", "/api/chat")]
                    name = "POST /api/chat"
            span = ss.spans.add()
            span.trace_id = trace_id
            span.span_id = rng.randbytes(8)
            span.name = name
            span.kind = 3  # client
            span.start_time_unix_nano = start
            span.end_time_unix_nano = start + int(duration_ms * 1_000_000)
            span.attributes.extend(attrs)
            if error:
                span.status.code = Status.STATUS_CODE_ERROR
                span.status.message = "upstream error"
            expected.spans += 1
        bodies.append(request.SerializeToString())
    return bodies, expected


async def post_all(
    url: str, bodies: list[bytes], headers: dict[str, str], concurrency: int
) -> tuple[float, float, dict]:
    """POST every body (``concurrency`` at a time); (start, last acknowledgement, status counts)."""
    statuses: dict[int, int] = {}
    queue = list(enumerate(bodies))
    last_ack = 0.0

    async def client() -> None:
        nonlocal last_ack
        async with httpx.AsyncClient(timeout=120) as http:
            while queue:
                _, body = queue.pop(0)
                r = await http.post(url, content=body, headers=headers)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                last_ack = max(last_ack, time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return started, last_ack, statuses


# --------------------------------------------------------------------------- this service


def run_service(bodies: list[bytes], expected: Expected, concurrency: int, batch: int) -> dict[str, float | int | str]:
    with Stack("otel", time_budget_seconds=900) as stack:
        headers = {"Authorization": f"Bearer {stack.api_key}", "Content-Type": "application/x-protobuf"}
        url = f"{stack.base_url}/v1/traces"
        started, last_ack, statuses = asyncio.run(post_all(url, bodies, headers, concurrency))
        # at the last acknowledgement every accepted span's facts are in PostgreSQL or the stream
        drained_at = stack.wait_drained(timeout=600, poll=0.01)
        stored = {
            table: int(stack.sql(f"SELECT count(*) FROM {table}"))
            for table in ("usage_events", "tool_executions", "prompt_executions")
        }
        stack.check_alive()
    ok = statuses.get(200, 0) * batch
    elapsed = drained_at - started
    facts_ok = (stored["usage_events"], stored["tool_executions"], stored["prompt_executions"]) == (
        expected.usage,
        expected.tool,
        expected.prompt,
    )
    return {
        "rate": expected.spans / elapsed,
        "elapsed": elapsed,
        "ack_rate": ok / max(last_ack - started, 1e-9),
        "statuses": str(statuses),
        "facts": f"{stored['usage_events']:,} usage, {stored['tool_executions']:,} tool, "
        f"{stored['prompt_executions']:,} prompt (expected {expected.usage:,} / {expected.tool:,} / "
        f"{expected.prompt:,}: {'equal' if facts_ok else 'DIFFERENT'})",
        "ok": int(facts_ok and ok == expected.spans),
    }


# --------------------------------------------------------------------------- Arize Phoenix


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _phoenix_spans(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute("SELECT count(*) FROM spans").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_phoenix(binary: str, bodies: list[bytes], concurrency: int, batch: int) -> dict[str, float | int | str]:
    work = Path(tempfile.mkdtemp(prefix="bench-phoenix-"))
    port = _free_port()
    env = {
        **os.environ,
        "PHOENIX_WORKING_DIR": str(work),
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(_free_port()),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
        "PHOENIX_ALLOWED_SANDBOX_PROVIDERS": "NONE",
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    log = open(work / "phoenix.log", "wb")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"phoenix exited: {(work / 'phoenix.log').read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            raise BenchError("phoenix did not answer /healthz within 300 s")
        db = work / "phoenix.db"
        headers = {"Content-Type": "application/x-protobuf"}
        started, last_ack, statuses = asyncio.run(
            post_all(f"http://127.0.0.1:{port}/v1/traces", bodies, headers, concurrency)
        )
        at_ack = _phoenix_spans(db)
        ok = statuses.get(200, 0) * batch
        deadline = time.monotonic() + 600
        stored = at_ack
        while stored < ok and time.monotonic() < deadline:
            time.sleep(0.05)
            stored = _phoenix_spans(db)
        done = time.monotonic()
        return {
            "rate": stored / (done - started),
            "elapsed": done - started,
            "ack_rate": ok / max(last_ack - started, 1e-9),
            "statuses": str(statuses),
            "memory_only": max(0, ok - at_ack),
            "stored": stored,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=40, help="requests of --batch spans (default 40)")
    parser.add_argument("--batch", type=int, default=SPANS_PER_REQUEST, help="spans per request (default 500)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--phoenix", default=shutil.which("phoenix"), help="the `phoenix` executable (default: PATH)")
    args = parser.parse_args()

    bodies, expected = generate(args.batches, args.batch)
    size = sum(len(b) for b in bodies) / len(bodies)
    ours = run_service(bodies, expected, args.concurrency, args.batch)
    rows = [
        (
            "spans",
            f"{expected.spans:,} in {args.batches} requests of {args.batch} ({size / 1024:.0f} KiB protobuf each)",
        ),
        ("stored end-to-end", f"{ours['rate']:,.0f} spans/s ({ours['elapsed']:.2f} s, first request -> last commit)"),
        ("acknowledged", f"{ours['ack_rate']:,.0f} spans/s; responses {ours['statuses']}"),
        ("facts stored", str(ours["facts"])),
        ("held only in memory at last ack", "0 (every 200 follows the Redis stream append)"),
    ]
    if args.phoenix:
        phx = run_phoenix(args.phoenix, bodies, args.concurrency, args.batch)
        rows += [
            (
                "Phoenix stored",
                f"{phx['rate']:,.0f} spans/s ({phx['stored']:,} spans in {phx['elapsed']:.2f} s, SQLite)",
            ),
            ("Phoenix acknowledged", f"{phx['ack_rate']:,.0f} spans/s; responses {phx['statuses']}"),
            ("Phoenix held only in memory at last ack", f"{phx['memory_only']:,} spans"),
            ("ratio stored (this / Phoenix)", f"{float(ours['rate']) / max(float(phx['rate']), 1e-9):.2f}x"),
        ]
    else:
        rows.append(("Phoenix", "not installed (pip install arize-phoenix; pass --phoenix PATH): no comparison"))
    print(format_block("OTLP trace ingest (one uvicorn, one arq worker, PostgreSQL + Redis)", rows))
    return 0 if ours["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
