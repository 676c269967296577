"""Operator CLI: ``python -m api.cli <command>``.

Commands: ``bootstrap`` (idempotent; prints one JSON object), ``migrate``,
``create-api-key``, ``rebuild-rollups``, ``seed-demo``, ``makemigrations`` (developers)
and ``run`` (what ``make run`` calls: embedded services, migrations, demo credentials,
demo data on first start, web + worker).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tortoise import Tortoise

from services.core import embedded_redis
from services.core.config import get_settings
from services.core.database import apply_migrations, make_migrations, tortoise_config
from services.identity import Role

T = TypeVar("T")


async def _with_db(work: Callable[[], Awaitable[T]]) -> T:
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


async def _bootstrap(args: argparse.Namespace) -> dict[str, Any]:
    from services import identity

    await apply_migrations()
    result = await _with_db(lambda: identity.bootstrap(args.org, args.email, Role.parse(args.role), args.password))
    return dict(result.__dict__)


async def _create_api_key(args: argparse.Namespace) -> dict[str, Any]:
    from services import identity

    async def work() -> dict[str, Any]:
        principal = await identity.operator_principal(args.email)
        if principal is None:
            raise SystemExit(f"no user with email {args.email}")
        role = Role.parse(args.role) if args.role else None
        created = await identity.create_api_key(principal, args.name, role, args.rate_limit)
        return {
            "id": created.info.id,
            "api_key": created.key,
            "role": created.info.role,
            "organization_id": principal.organization_id,
            "user_id": principal.user_id,
        }

    return await _with_db(work)


DEMO_EMAIL = "demo@promptops.local"


async def _seed_demo(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import UTC, datetime

    from services import devtools, identity
    from services.core.errors import DomainError

    try:
        end = datetime.fromisoformat(args.end) if args.end else None
    except ValueError:
        raise SystemExit(f"seed-demo: --end is not an ISO 8601 date-time: {args.end!r}") from None
    if end is not None and end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    options = devtools.SeedOptions(args.events, args.days, args.prompts, args.seed, end)
    try:
        devtools.check_options(options)
    except DomainError as exc:
        raise SystemExit(f"seed-demo: {exc}") from exc

    async def work() -> dict[str, Any]:
        principal = await identity.operator_principal(args.email)
        if principal is None:
            raise SystemExit(f"no user with email {args.email} (run bootstrap first)")
        if args.if_empty and await devtools.has_executions(principal):
            return {
                "skipped": True,
                "reason": "organization already has executions",
                "organization_id": principal.organization_id,
            }
        try:
            return dict((await devtools.seed_demo(principal, options)).__dict__)
        except DomainError as exc:
            raise SystemExit(f"seed-demo: {exc}") from exc

    return await _with_db(work)


def _die_with_parent() -> None:
    """Linux: children get SIGTERM if `make run` is killed without a chance to clean up."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run(args: argparse.Namespace) -> int:
    """Development all-in-one: embedded Redis if needed, migrate, demo credentials, web + worker."""
    settings = get_settings()
    env = dict(os.environ)
    started_redis = False
    if not settings.redis_url:
        port_was_open = embedded_redis._port_open(settings.embedded_redis_port)
        env["REDIS_URL"] = embedded_redis.ensure_running(settings.data_dir, settings.embedded_redis_port)
        started_redis = not port_was_open
    py = sys.executable
    subprocess.run([py, "-m", "api.cli", "migrate"], env=env, check=True)
    demo = subprocess.run(
        [
            py,
            "-m",
            "api.cli",
            "bootstrap",
            "--org",
            "Demo",
            "--email",
            DEMO_EMAIL,
            "--role",
            "superuser",
            "--password",
            "demo-password",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    creds = json.loads(demo.stdout)
    # first start only: a small demo data set so a newcomer sees numbers at once
    seeded = json.loads(
        subprocess.run(
            [
                py,
                "-m",
                "api.cli",
                "seed-demo",
                "--email",
                DEMO_EMAIL,
                "--events",
                "20000",
                "--days",
                "14",
                "--if-empty",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    demo_line = (
        "already present (not re-seeded)"
        if seeded.get("skipped")
        else f"seeded {seeded['events']} executions of {seeded['prompts']} prompts over {seeded['days']} days"
    )
    base = f"http://{settings.host}:{settings.port}"
    print(
        "\nPromptOps Analytics is starting\n"
        f"  REST:     {base}/api/v1/...   docs: {base}/docs   spec: {base}/openapi.json\n"
        f"  GraphQL:  {base}/graphql\n"
        f"  Database: {settings.database_url}\n  Redis:    {env['REDIS_URL']}\n"
        f"  Login:    demo@promptops.local / demo-password (superuser of org 'Demo')\n"
        f"  Demo data: {demo_line}\n"
        f"  Token:    {creds['access_token']}\n  API key:  {creds['api_key']}\n"
        f"  Try:      curl -H 'Authorization: Bearer {creds['api_key']}' {base}/api/v1/auth/me\n",
        flush=True,
    )
    children = [
        subprocess.Popen(
            [py, "-m", "uvicorn", "api.app:app", "--host", settings.host, "--port", str(settings.port)],
            env=env,
            preexec_fn=_die_with_parent,
        ),
        subprocess.Popen([py, "-m", "arq", "workers.settings.WorkerSettings"], env=env, preexec_fn=_die_with_parent),
    ]

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=15)
        if started_redis:
            embedded_redis.stop(settings.data_dir)
    return max(child.returncode or 0 for child in children)


def _makemigrations(args: argparse.Namespace) -> int:
    """Generate (or, with ``--check``, detect) migrations, one dialect per process.

    aerich keeps the dialect in class attributes, so a second dialect in the same process
    would be written with the first one's DDL; a subprocess per dialect avoids that.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from services.core.config import PROJECT_ROOT

    if not args.dialect:
        results: dict[str, str] = {}
        for dialect in ("postgres", "sqlite"):
            cmd = [sys.executable, "-m", "api.cli", "makemigrations", "--name", args.name, "--dialect", dialect]
            done = subprocess.run([*cmd, *(["--check"] if args.check else [])], capture_output=True, text=True)
            if done.returncode not in (0, 1):
                sys.stderr.write(done.stderr)
                return done.returncode
            results.update(json.loads(done.stdout.strip().splitlines()[-1]))
        written = {k: v for k, v in results.items() if v}
        print(json.dumps({"drift": written} if args.check else results))
        return 1 if args.check and written else 0
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "migrations"
            shutil.copytree(PROJECT_ROOT / "migrations", root)
            result = asyncio.run(make_migrations("drift", (args.dialect,), root=root))
    else:
        result = asyncio.run(make_migrations(args.name, (args.dialect,)))
    print(json.dumps(result))
    return 1 if args.check and any(result.values()) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    boot = sub.add_parser("bootstrap", help="create/find an organization and user; print credentials as JSON")
    boot.add_argument("--org", required=True)
    boot.add_argument("--email", required=True)
    boot.add_argument("--role", required=True, choices=[r.value for r in Role])
    boot.add_argument("--password", default=None, help="set the user's password (for /api/v1/auth/token)")
    sub.add_parser("migrate", help="apply pending migrations for the configured database")
    key = sub.add_parser("create-api-key", help="mint an API key for an existing user")
    key.add_argument("--email", required=True)
    key.add_argument("--name", default="cli")
    key.add_argument("--role", choices=[r.value for r in Role], default=None)
    key.add_argument("--rate-limit", type=int, default=None, dest="rate_limit")
    mk = sub.add_parser("makemigrations", help="write aerich migrations for model changes (both dialects)")
    mk.add_argument("--name", default="update")
    mk.add_argument("--dialect", choices=["postgres", "sqlite"], default=None, help="only this dialect")
    mk.add_argument(
        "--check", action="store_true", help="exit 1 if the models have changes no migration covers (writes nothing)"
    )
    sub.add_parser("run", help="development server: embedded services, web and worker")
    rb = sub.add_parser("rebuild-rollups", help="recompute hourly rollups from raw events")
    rb.add_argument("--org", type=int, default=None, help="only this organization id")
    seed = sub.add_parser("seed-demo", help="generate realistic demo prompts and executions, then build rollups")
    seed.add_argument("--events", type=int, default=20_000, help="executions to generate (default 20000)")
    seed.add_argument("--days", type=int, default=14, help="spread over this many days ending now (default 14)")
    seed.add_argument("--prompts", type=int, default=20, help="prompts to find or create (default 20)")
    seed.add_argument("--email", default=DEMO_EMAIL, help=f"owner; data goes to this user's org (default {DEMO_EMAIL})")
    seed.add_argument("--seed", type=int, default=None, help="random seed: same seed, same data (event ids differ)")
    seed.add_argument("--end", default=None, help="ISO 8601 end of the range (default now)")
    seed.add_argument("--if-empty", action="store_true", dest="if_empty", help="do nothing if the org has executions")
    args = parser.parse_args(argv)

    if args.command == "bootstrap":
        print(json.dumps(asyncio.run(_bootstrap(args))))
    elif args.command == "migrate":
        applied = asyncio.run(apply_migrations())
        print(json.dumps({"applied": applied, "database": get_settings().dialect}))
    elif args.command == "create-api-key":
        print(json.dumps(asyncio.run(_create_api_key(args))))
    elif args.command == "makemigrations":
        return _makemigrations(args)
    elif args.command == "rebuild-rollups":
        from services import rollups

        print(json.dumps({"buckets": asyncio.run(_with_db(lambda: rollups.rebuild_all(args.org)))}))
    elif args.command == "seed-demo":
        print(json.dumps(asyncio.run(_seed_demo(args))))
    elif args.command == "run":
        return _run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
