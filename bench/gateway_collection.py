"""One gateway collection cycle over 100 targets, against its period (the shortest target interval).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/gateway_collection.py [--targets 100] [--slow 5] [--cycles 3]

A loopback HTTP server answers like the real targets: Kong's Prometheus plugin (about 200 series
per scrape), MCP container health URLs (JSON, a few milliseconds of work each) and a WebSocket
proxy's stats; ``--slow`` of the health URLs never answer within their timeout (2 s).  Each
cycle runs the worker job's own function (``collect_due``) in-process on a scratch database and
prints its wall time next to the period, plus the time the read side then needs to answer the
kong/containers/health views from the stored samples.  Loopback is opened with
OUTBOUND_ALLOW_CIDRS for this process only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import _pg_exec  # noqa: E402


def kong_exposition(services: int = 20) -> bytes:
    lines = ["# HELP kong_http_requests_total HTTP status codes", "# TYPE kong_http_requests_total counter"]
    for s in range(services):
        for code in (200, 404, 429, 500):
            lines.append(
                f'kong_http_requests_total{{service="s{s}",route="r{s}",code="{code}",source="service"}} {1000 + s}'
            )
    lines += ["# HELP kong_request_latency_ms latency", "# TYPE kong_request_latency_ms histogram"]
    for s in range(services):
        cumulative = 0
        for le in (5, 10, 25, 50, 100, 250, 500, 1000):
            cumulative += 10
            lines.append(f'kong_request_latency_ms_bucket{{service="s{s}",route="r{s}",le="{le}"}} {cumulative}')
        lines.append(f'kong_request_latency_ms_bucket{{service="s{s}",route="r{s}",le="+Inf"}} {cumulative}')
        lines.append(f'kong_request_latency_ms_count{{service="s{s}",route="r{s}"}} {cumulative}')
        lines.append(f'kong_request_latency_ms_sum{{service="s{s}",route="r{s}"}} {cumulative * 40}')
    lines += ["# HELP kong_bandwidth_bytes bytes", "# TYPE kong_bandwidth_bytes counter"]
    for s in range(services):
        lines.append(f'kong_bandwidth_bytes{{service="s{s}",route="r{s}",direction="ingress"}} 5000')
        lines.append(f'kong_bandwidth_bytes{{service="s{s}",route="r{s}",direction="egress"}} 9000')
    return ("\n".join(lines) + "\n").encode()


WS = b"websocket_connections_active 4\nwebsocket_connections_total 90\nwebsocket_messages_sent_total 1000\n"


def serve(port_out: Any) -> None:
    """The targets, in their own process (a server in this one would fight the collector for the GIL)."""
    kong = kong_exposition()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/slow"):
                time.sleep(3)
                body = b'{"status": "ok"}'
            elif self.path.startswith("/kong"):
                body = kong
            elif self.path.startswith("/ws"):
                body = WS
            else:
                time.sleep(0.005)
                body = b'{"status": "ok", "memory_bytes": 1048576}'
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the collector gave up on a slow target: that is the point

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    port_out.put(httpd.server_address[1])
    httpd.serve_forever()


async def main(args: argparse.Namespace) -> None:
    base = os.environ.get("DATABASE_URL", "")
    scratch = f"bench_gateway_{uuid.uuid4().hex[:8]}"
    if base.startswith("postgres"):
        await _pg_exec(base, f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(base)._replace(path=f"/{scratch}"))
    else:
        import tempfile

        os.environ["DATABASE_URL"] = f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["REDIS_PREFIX"] = scratch
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ["OUTBOUND_ALLOW_CIDRS"] = "127.0.0.0/8"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        await run(args)
    finally:
        if base.startswith("postgres"):
            await _pg_exec(base, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


async def run(args: argparse.Namespace) -> None:
    from tortoise import Tortoise

    from models.gateway import GatewayTarget
    from services import gateway
    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import tenancy
    from services.identity.policy import Principal, Role

    await apply_migrations()
    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    boot = await tenancy.bootstrap("bench-gateway", "bench@gateway.local", Role.ADMIN, "pw-bench-gateway")
    admin = Principal(boot.user_id, boot.organization_id, Role.ADMIN)
    kinds = ["kong"] * 40 + ["mcp_server"] * 50 + ["websocket_proxy"] * 10
    for i in range(args.targets):
        kind = kinds[i % len(kinds)]
        path = {"kong": "/kong", "websocket_proxy": "/ws"}.get(kind, "/health")
        if kind == "mcp_server" and i % len(kinds) < 40 + args.slow:
            path = "/slow"
        await GatewayTarget.create(
            organization_id=boot.organization_id,
            name=f"t{i}",
            kind=kind,
            url=f"http://127.0.0.1:{port}{path}/{i}",
            interval_seconds=60,
            timeout_seconds=2.0,
        )
    period = 60.0
    print(
        f"targets={args.targets} (kong/mcp_server/websocket_proxy 40/50/10 per 100, {args.slow} slow), "
        f"period {period:.0f}s"
    )
    for cycle in range(args.cycles):
        now = datetime.now(UTC) + timedelta(seconds=61 * cycle)  # every target is due again
        t0 = time.perf_counter()
        result = await gateway.collect_due(now)
        took = time.perf_counter() - t0
        failures = Counter(
            e for e in await GatewayTarget.filter(last_healthy=False).values_list("last_error", flat=True)
        )
        print(
            f"cycle {cycle + 1}: {took:6.2f}s for {result['targets']} targets ({result['healthy']} healthy) "
            f"= {100 * took / period:4.1f}% of the period; failures: {dict(failures)}"
        )
    await gateway.clear_cache(admin)
    await gateway.collect_due(datetime.now(UTC) + timedelta(days=1))
    for name, view in (
        ("kong view", lambda: gateway.kong(admin, True, "1h")),
        ("containers view", lambda: gateway.containers(admin, "1h")),
        ("health", lambda: gateway.health(admin)),
    ):
        t0 = time.perf_counter()
        await view()
        print(
            f"{name:16s} {(time.perf_counter() - t0) * 1000:7.1f} ms (first read after a cycle, computed from samples)"
        )
    server.terminate()
    await Tortoise.close_connections()
    await redis_client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--slow", type=int, default=5, help="health URLs (per 100 targets) that time out")
    parser.add_argument("--cycles", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
