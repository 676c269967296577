"""The dashboard at ``/`` in headless Chromium against a real uvicorn: sign in, open a prompt, acknowledge an alert.

Chromium runs offline (as in tests/api/test_docs_offline.py: every host but 127.0.0.1 is
NXDOMAIN, proxied traffic goes to a dead port) and is driven over the DevTools protocol.  Every
console message of level error, every uncaught exception and every failed request fails the test.
Screenshots of each step are kept as test artefacts in ``$DASHBOARD_SCREENSHOTS/<database>/``
(default: the run's temporary directory; tests/dashboard/conftest.py names the folder in the
terminal summary); before each one the page must show no error (a ``p.error`` with text: a broken
panel fails the test).  The data is made through the public API: prompt events through
the ingest route (drained by the worker job), alerts through rules and recorded metrics (a second
alert fires while the inbox is open and must appear through the alertEvents subscription).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets

from api.dashboard import CSP, DASHBOARD_DIR
from tests.api.test_docs_offline import CHROMIUM, _chromium_flags
from tests.conftest import IS_POSTGRES, TMP, _free_port, drop_jobs_queued_before_this_test
from workers import jobs

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium chromium-driver)"
)
# one folder per database: CI runs the PostgreSQL and SQLite suites side by side with the same variable
SHOTS = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or TMP / "dashboard-screenshots") / (
    "postgres" if IS_POSTGRES else "sqlite"
)
# the text of every error a panel shows (ui.js panel()/failure(): <p class="error">); empty ones are placeholders
PAGE_ERRORS = "[...document.querySelectorAll('p.error')].map((e) => e.textContent.trim()).filter(Boolean)"


# --------------------------------------------------------------------------- serving


async def test_page_and_assets_are_served_from_the_build(client):
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CSP and page.headers["cache-control"] == "no-cache"
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    assets = [p.relative_to(DASHBOARD_DIR).as_posix() for p in DASHBOARD_DIR.rglob("assets/*")]
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for name in assets:
        assert f"/dashboard/{name}" in page.text
        r = await client.get(f"/dashboard/{name}")
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        assert r.content == (DASHBOARD_DIR / name).read_bytes()
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        again = await client.get(f"/dashboard/{name}", headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304
    for missing in ("index.html", "nope.js", "../dashboard.py", "assets/../../dashboard.py"):
        r = await client.get("/dashboard/" + missing)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", missing
    assert (await client.post("/")).status_code == 405
    spec = (await client.get("/openapi.json")).json()
    assert "/" not in spec["paths"] and not [p for p in spec["paths"] if p.startswith("/dashboard")]


def test_built_assets_are_committed_next_to_their_sources():
    """The build is in the repository (make run needs no npm); its sources are in web/."""
    root = Path(__file__).resolve().parents[2]
    assert (root / "web" / "package.json").is_file() and (root / "web" / "package-lock.json").is_file()
    assert (DASHBOARD_DIR / "index.html").is_file()
    listed = subprocess.run(
        ["git", "ls-files", "api/static/dashboard"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    if listed:  # in a checkout of a commit (not while the files are still uncommitted)
        assert "api/static/dashboard/index.html" in listed


# --------------------------------------------------------------------------- the browser


class Tab:
    """A tiny DevTools-protocol client: evaluate, screenshots, and every console error and failed request."""

    def __init__(self, socket_url: str) -> None:
        self.url = socket_url
        self.ids = 0
        self.problems: list[str] = []
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}

    async def __aenter__(self) -> Tab:
        self.ws = await websockets.connect(self.url, max_size=None)
        self.reader = asyncio.create_task(self._read())
        for domain in ("Runtime", "Log", "Network", "Page"):
            await self.send(f"{domain}.enable")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.ws.close()

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
                continue
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                self.problems.append("console: " + " ".join(str(a.get("value", a)) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                self.problems.append("exception: " + json.dumps(params["exceptionDetails"])[:500])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                self.problems.append("log: " + params["entry"].get("text", ""))
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                self.problems.append("request failed: " + params.get("errorText", ""))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.ids += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.ids] = future
        await self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        message = await asyncio.wait_for(future, 30)
        assert "error" not in message, message
        return message["result"]  # type: ignore[no-any-return]

    async def js(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    async def until(self, expression: str, what: str, seconds: float = 20) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            value = await self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                await self.shot(f"timeout-{what.replace(' ', '-')}", errors_ok=True)
                body = await self.js("document.body.innerText")
                raise AssertionError(f"timed out waiting for {what}; page text: {body[:1500]!r}")
            await asyncio.sleep(0.1)

    async def shot(self, name: str, errors_ok: bool = False) -> Path:
        """A screenshot; unless ``errors_ok``, the page must show no error text (a broken panel fails the test)."""
        data = (await self.send("Page.captureScreenshot", format="png"))["data"]
        path = _save_png(name, data)
        if not errors_ok:
            errors = await self.js(PAGE_ERRORS)
            assert errors == [], f"the page shows errors at {name} ({path}): {errors}"
        return path


def _save_png(name: str, data: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(data))
    return path


@contextlib.contextmanager
def chromium(url: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as tmp:
        assert CHROMIUM is not None
        proc = subprocess.Popen(
            [CHROMIUM, *_chromium_flags(f"{tmp}/profile"), "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = Path(tmp) / "profile" / "DevToolsActivePort"
            for _ in range(400):
                if port_file.is_file() and port_file.read_text().count("\n") >= 1:
                    break
                time.sleep(0.05)
            devtools = f"http://127.0.0.1:{port_file.read_text().split()[0]}/json"
            targets = json.loads(urllib.request.urlopen(devtools, timeout=10).read())
            yield next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    proc, port = serve()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def serve(within: float = 180) -> tuple[subprocess.Popen[bytes], int]:
    """The app under uvicorn on a free loopback port, like tests/conftest.py's ``start_server`` but patient:
    on a loaded machine importing the app alone can take longer than that helper waits."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--log-level", "warning"], cwd=Path(__file__).resolve().parents[2], env=dict(os.environ)
    )
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


async def gql(client: Any, headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = r.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


BULK_PROMPTS = 104  # more than one page of the prompt list (100), each run once in the last days


async def seed(client: Any, tenant: Any) -> tuple[int, int]:
    """Two versions of one prompt over the last six days (and some runs the week before), a firing alert,
    then (newer, so first in the prompts connection) BULK_PROMPTS "Support bulk NNN" prompts run once
    each and a "Billing" prompt, and a deployment to production two days ago that shipped v2.

    Returns (prompt id, alert id).
    """
    rng = random.Random(18)
    now = datetime.now(UTC)
    prompt_uuid = str(uuid.uuid4())
    events = []
    for i in range(400):
        version = "v1" if i < 200 else "v2"
        at = now - timedelta(days=6) + timedelta(minutes=21 * i)
        events.append(
            {
                "prompt_id": prompt_uuid,
                "prompt_name": "Support triage",
                "version_hash": version,
                "latency_ms": rng.gauss(900 if version == "v1" else 700, 80),
                "cost_usd": 0.002,
                "score": min(1.0, max(0.0, rng.gauss(0.7 if version == "v1" else 0.8, 0.05))),
                "status": "failed" if i % 25 == 0 else "completed",
                "timestamp": at.isoformat(),
            }
        )
    for i in range(100):  # the previous period (8 to 13 days ago), for the period-over-period change
        at = now - timedelta(days=13) + timedelta(minutes=72 * i)
        events.append(
            {"prompt_id": prompt_uuid, "version_hash": "v1", "latency_ms": 950.0, "timestamp": at.isoformat()}
        )
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest({"worker_id": "dashboard-test"})
    found = await gql(
        client, tenant.headers, '{ prompts(filter: {search: "Support triage"}) { edges { node { id } } } }'
    )
    prompt_id = int(found["prompts"]["edges"][0]["node"]["id"])
    bulk = [
        {
            "prompt_id": str(uuid.uuid4()),
            "prompt_name": name,
            "version_hash": "b1",
            "latency_ms": 500.0,
            "timestamp": (now - timedelta(hours=30 + i)).isoformat(),
        }
        for i, name in enumerate([f"Support bulk {n:03d}" for n in range(BULK_PROMPTS)] + ["Billing questions"])
    ]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": bulk}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest({"worker_id": "dashboard-test"})
    await deploy(client, tenant, prompt_id, "v2", now - timedelta(days=2))
    alert_id = await fire(client, tenant, "Queue too deep", "queue_depth")
    return prompt_id, alert_id


async def deploy(client: Any, tenant: Any, prompt_id: int, version: str, at: datetime) -> None:
    """A succeeded deployment "support-api 2.0.0" to production, finished at ``at``, that shipped ``version``."""
    env = await gql(
        client,
        tenant.headers,
        "mutation($i: EnvironmentInput!) { createEnvironment(input: $i) { id } }",
        i={"name": "production", "kind": "production"},
    )
    await gql(
        client,
        tenant.headers,
        "mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }",
        i={
            "name": "support-api",
            "version": "2.0.0",
            "environmentId": env["createEnvironment"]["id"],
            "status": "succeeded",
            "startedAt": (at - timedelta(minutes=4)).isoformat(),
            "finishedAt": at.isoformat(),
            "promptVersions": [{"promptId": str(prompt_id), "versionHash": version}],
        },
    )


async def fire(client: Any, tenant: Any, name: str, metric: str) -> int:
    """A critical rule on a recorded metric, and a point that breaks it; returns the alert's id."""
    record = "mutation($i: MetricPointInput!) { recordMetric(input: $i) { alertChanges { alertId transition } } }"
    await gql(client, tenant.headers, record, i={"name": metric, "value": 1, "type": "gauge"})  # known now
    await gql(
        client,
        tenant.headers,
        "mutation($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }",
        i={
            "metric": metric,
            "comparison": "gt",
            "threshold": 5,
            "aggregation": "max",
            "severity": "critical",
            "name": name,
        },
    )
    fired = await gql(client, tenant.headers, record, i={"name": metric, "value": 9, "type": "gauge"})
    [change] = fired["recordMetric"]["alertChanges"]
    assert change["transition"] == "firing"
    return int(change["alertId"])


@pytest.fixture
async def tab(server: str) -> AsyncIterator[Tab]:
    with chromium(server) as socket_url:
        async with Tab(socket_url) as t:
            yield t


async def _ingest_until_changed(client, tenant, tab, event: dict, shown: str, before: object, what: str) -> int:
    """Ingest and drain ``event`` until the page's ``shown`` text leaves ``before``; returns the events sent.

    A notice published before the server has the page's subscription is not seen, so up to three
    are sent, each waited on.
    """
    sent = 0
    for _ in range(3):
        r = await client.post("/api/v1/prompts/analytics/batch", json={"events": [event]}, headers=tenant.key_headers)
        assert r.status_code == 202, r.text
        await jobs.drain_ingest({"worker_id": "dashboard-test"})
        sent += 1
        with contextlib.suppress(AssertionError):
            await tab.until(f"{shown} !== '{before}'", f"{what} to change", seconds=15)
            break
    return sent


@needs_chromium
async def test_sign_in_open_a_prompt_and_acknowledge_an_alert(server, client, make_tenant, tab):
    tenant = await make_tenant("admin")
    prompt_id, alert_id = await seed(client, tenant)

    await tab.send("Page.navigate", url=server + "/")
    await tab.until("!!document.querySelector('#pw-form')", "the sign-in form")
    await tab.shot("01-sign-in")
    await tab.js(
        f"""(() => {{
          const f = document.querySelector('#pw-form');
          f.email.value = {json.dumps(tenant.email)};
          f.password.value = 'wrong-password';
          f.requestSubmit();
          return true;
        }})()"""
    )
    await tab.until("document.querySelector('#signin-error').textContent.length > 0", "the sign-in error")
    await tab.shot("01b-sign-in-refused", errors_ok=True)
    tab.problems = [p for p in tab.problems if "401" not in p]  # should the browser log a refused sign-in
    await tab.js(
        f"""(() => {{
          const f = document.querySelector('#pw-form');
          f.password.value = {json.dumps(tenant.password)};
          f.requestSubmit();
          return true;
        }})()"""
    )
    # overview: KPI cards with their change, a sparkline, the open alert, the latest deployment
    await tab.until("document.querySelectorAll('.kpi .value').length >= 4", "the KPI cards")
    await tab.until("!!document.querySelector('.kpi .spark canvas')", "a sparkline")
    await tab.until("document.querySelector('#open-alerts').innerText.includes('Queue too deep')", "the open alert")
    await tab.until("!!document.querySelector('#deployments table')", "the latest deployments")
    deployment = await tab.js("document.querySelector('#deployments tbody tr').innerText")
    assert "support-api" in deployment and "2.0.0" in deployment and "production" in deployment
    assert "succeeded" in deployment, deployment
    executions = await tab.js("document.querySelector('.kpi[data-metric=executions] .value').textContent")
    assert executions == f"{400 + BULK_PROMPTS + 1}"
    assert "vs previous" in await tab.js("document.querySelector('#kpis').innerText")
    # signed in over GraphQL (signIn), not the REST token route
    requests = await tab.js("performance.getEntriesByType('resource').map((r) => r.name)")
    assert not [r for r in requests if "/api/v1/auth" in r] and any(r.endswith("/graphql") for r in requests)
    await tab.shot("02-overview")

    # live: events stored for the organization reach the open overview (analyticsUpdates) and its
    # executions count changes without a reload (the refetch is throttled to one per 10 s)
    await tab.until("document.querySelector('#kpis-live')?.textContent.includes('live')", "the live socket")
    await tab.js("window.__sameDocument = true")
    before, live_prompt = 400 + BULK_PROMPTS + 1, str(uuid.uuid4())
    value = "document.querySelector('.kpi[data-metric=executions] .value').textContent"
    more = {"prompt_id": live_prompt, "prompt_name": "Live prompt", "version_hash": "l1", "latency_ms": 100.0}
    sent = await _ingest_until_changed(client, tenant, tab, more, value, before, "the executions count")
    await tab.until(f"{value} === '{before + sent}'", "the live executions count", seconds=15)
    assert await tab.js("window.__sameDocument === true")  # no reload
    assert int(await tab.js("document.querySelector('#kpis-updated').dataset.refreshes")) >= 1
    await tab.shot("02b-overview-live")

    # prompts list: every page is loaded, so the sort covers them all (the busiest prompt is the oldest,
    # on the connection's second page); search, then sort by another column
    await tab.js("location.hash = '#/prompts'")
    await tab.until("document.querySelector('#count')?.dataset.complete === 'true'", "every page of prompts")
    assert await tab.js("document.querySelectorAll('table.prompts tbody tr').length") == BULK_PROMPTS + 3
    row = await tab.js("document.querySelector('table.prompts tbody tr').innerText")
    assert "Support triage" in row and "400" in row
    await tab.js(
        """(() => { const s = document.querySelector('#search'); s.value = 'support';
          s.dispatchEvent(new Event('input')); return true; })()"""
    )
    names = "[...document.querySelectorAll('table.prompts tbody tr td:first-child')].map((c) => c.innerText)"
    await tab.until(
        f"document.querySelector('#count').dataset.complete === 'true' && {names}.length === {BULK_PROMPTS + 1}",
        "the search's prompts",
    )
    shown = await tab.js(names)
    assert "Billing questions" not in shown and shown[0] == "Support triage"  # by executions, across pages
    await tab.js("document.querySelector('button.sort[data-sort=name]').click(), true")
    await tab.until("document.querySelector('table.prompts').dataset.sort === 'name'", "the sort by name")
    shown = await tab.js(names)
    assert shown == sorted(shown) and shown[0] == "Support bulk 000" and shown[-1] == "Support triage"
    assert await tab.js("document.querySelector('button.sort[data-sort=name]').classList.contains('active')")
    await tab.shot("03a-prompts-sorted")
    await tab.js("document.querySelector('button.sort[data-sort=executions]').click(), true")
    await tab.until(f"{names}[0] === 'Support triage'", "the sort by executions")
    await tab.js(f"document.querySelector('a[href=\"#/prompts/{prompt_id}\"]').click(), true")
    await tab.until("document.querySelector('#prompt-name')?.textContent.includes('Support triage')", "the prompt")
    await tab.until("document.querySelectorAll('#charts canvas').length >= 4", "four charts")
    await tab.until("!document.querySelector('#versions').innerText.includes('Loading')", "the versions")
    versions = await tab.js("document.querySelector('#versions').innerText")
    assert "v1" in versions and "v2" in versions
    assert "p = " in await tab.js("document.querySelector('#ab').innerText")  # the A/B verdict's tests
    # every chart marks the versions, the deployment that shipped v2 and the alert, each kind in its legend
    for metric in ("latency_p95", "error_rate", "cost_total", "score_avg"):
        box = f"document.querySelector('.chart[data-metric={metric}]')"
        counts = json.loads(await tab.js(f"{box}.dataset.annotations"))
        assert counts.get("deployment") == 1 and counts.get("alert_fired", 0) >= 1, (metric, counts)
        assert counts.get("version_first_seen") == 1, (metric, counts)  # v2 (v1 ran 13 days ago already)
        legend = await tab.js(f"[...{box}.querySelectorAll('.annotation-legend .marker')].map((m) => m.innerText)")
        assert "deployment (1)" in legend and "new version (1)" in legend, legend
        assert any(text.startswith("alert fired") for text in legend), legend
    title = await tab.js("document.querySelector('.chart[data-metric=latency_p95]').title")
    assert "deployment: support-api 2.0.0 to production" in title and "new version: New version v2" in title
    await tab.shot("03-prompt")
    # live: a new execution of this prompt refetches its figures without a reload (throttled to 10 s)
    await tab.until("document.querySelector('#prompt-live')?.textContent.includes('live')", "the prompt's socket")
    run = {"prompt_id": prompt_id, "version_hash": "v2", "latency_ms": 650.0}
    executions = "document.querySelector('#prompt-kpis .kpi .value').textContent"
    total = int((await tab.js(executions)).replace(",", ""))
    sent = await _ingest_until_changed(client, tenant, tab, run, executions, total, "the prompt's executions")
    await tab.until(f"{executions} === '{total + sent}'", "the prompt's live executions", seconds=15)
    await tab.until("Number(document.querySelector('#prompt-updated').dataset.refreshes) >= 1", "the refresh")
    await tab.until("document.querySelectorAll('#charts canvas').length >= 4", "the charts again")

    # alerts inbox: acknowledge, and the alert moves from Firing to Acknowledged
    await tab.js("location.hash = '#/alerts'")
    await tab.until(f"!!document.querySelector('li[data-alert=\"{alert_id}\"] button[data-action=ack]')", "ack button")
    await tab.shot("04-alerts-firing")
    await tab.js(f"document.querySelector('li[data-alert=\"{alert_id}\"] button[data-action=ack]').click(), true")
    await tab.until(f"!document.querySelector('li[data-alert=\"{alert_id}\"]')", "the alert to leave Firing")
    assert await tab.js("document.querySelector('[data-count=acknowledged]').textContent") == "1"
    # live: an alert that fires now appears in the open inbox by the subscription (the poll is a minute)
    await tab.until("document.querySelector('#alerts-live').textContent.includes('live')", "the live socket")
    second = await fire(client, tenant, "Error budget burn", "burn_rate")
    await tab.until(f"!!document.querySelector('li[data-alert=\"{second}\"]')", "the new alert, live", seconds=10)
    # the severity filter: both alerts are critical, so "warning" shows none and "critical" shows the new one
    await tab.js(
        "(() => { const s = document.querySelector('#severity'); s.value = 'warning'; "
        "s.dispatchEvent(new Event('change')); return true; })()"
    )
    await tab.until("document.querySelector('#alerts').innerText.includes('No firing alerts')", "no warnings")
    assert await tab.js("location.hash") == "#/alerts?status=firing&severity=warning"
    assert await tab.js("document.querySelector('[data-count=acknowledged]').textContent") == "0"
    await tab.shot("04b-alerts-warning-only")
    await tab.js(
        "(() => { const s = document.querySelector('#severity'); s.value = 'critical'; "
        "s.dispatchEvent(new Event('change')); return true; })()"
    )
    await tab.until(f"!!document.querySelector('li[data-alert=\"{second}\"]')", "the critical alert")
    assert await tab.js("document.querySelector('[data-count=acknowledged]').textContent") == "1"
    await tab.js("document.querySelector('[data-tab=acknowledged]').click(), true")
    await tab.until(f"!!document.querySelector('li[data-alert=\"{alert_id}\"]')", "the alert under Acknowledged")
    assert "acknowledged" in await tab.js(f"document.querySelector('li[data-alert=\"{alert_id}\"]').innerText")
    await tab.shot("05-alerts-acknowledged")
    # resolve it: it leaves Acknowledged and is listed under Resolved
    await tab.js(f"document.querySelector('li[data-alert=\"{alert_id}\"] button[data-action=resolve]').click(), true")
    await tab.until(f"!document.querySelector('li[data-alert=\"{alert_id}\"]')", "the alert to leave Acknowledged")
    await tab.until("document.querySelector('[data-count=resolved]').textContent === '1'", "the resolved count")
    await tab.js("document.querySelector('[data-tab=resolved]').click(), true")
    await tab.until(f"!!document.querySelector('li[data-alert=\"{alert_id}\"]')", "the alert under Resolved")
    resolved = f"document.querySelector('li[data-alert=\"{alert_id}\"]')"
    assert "resolved" in await tab.js(f"{resolved}.innerText")
    assert await tab.js(f"{resolved}.querySelectorAll('button[data-action]').length") == 0
    await tab.shot("05a-alerts-resolved")
    state = await gql(client, tenant.headers, "query($id: Int!) { alert(id: $id) { status } }", id=alert_id)
    assert state["alert"]["status"] == "resolved"

    # rules: the two made above are listed; add one in the form (a bad metric is refused, named), disable it
    await tab.until("document.querySelectorAll('#rule-table tbody tr').length === 2", "the rule list")
    add_rule = """((metric) => {
      const f = document.querySelector('#new-rule');
      f.name.value = 'Slow answers'; f.metric.value = metric; f.threshold.value = '2000';
      f.comparison.value = 'gt'; f.severity.value = 'warning';
      f.requestSubmit(); return true; })(%s)"""
    await tab.js(add_rule % json.dumps("no_such_metric"))
    await tab.until("document.querySelector('#rule-error').textContent.includes('unknown metric')", "the refusal")
    await tab.js(add_rule % json.dumps("latency_p95"))
    await tab.until("document.querySelectorAll('#rule-table tbody tr').length === 3", "the new rule")
    rules = await gql(client, tenant.headers, "{ alertRules { id name metric threshold enabled } }")
    [made] = [r for r in rules["alertRules"] if r["name"] == "Slow answers"]
    assert (made["metric"], made["threshold"], made["enabled"]) == ("latency_p95", 2000.0, True)
    await tab.js(f"document.querySelector('input[data-toggle=\"{made['id']}\"]').click(), true")
    for _ in range(100):
        rules = await gql(client, tenant.headers, "{ alertRules { id enabled } }")
        if not next(r for r in rules["alertRules"] if r["id"] == made["id"])["enabled"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the rule was not disabled")
    await tab.shot("05b-rules")

    assert tab.problems == []


@needs_chromium
async def test_api_key_sign_in_as_a_member_and_sign_out(server, client, make_tenant, tab):
    org = f"org-member-{uuid.uuid4().hex[:6]}"
    admin = await make_tenant("admin", org=org)
    tenant = await make_tenant("member", org=org)
    events = [
        {"prompt_id": str(uuid.uuid4()), "prompt_name": "Member's prompt", "version_hash": "m1", "latency_ms": 300.0}
    ] * 3
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=admin.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest({"worker_id": "dashboard-test"})
    found = await gql(client, admin.headers, '{ prompts(filter: {search: "Member"}) { edges { node { id } } } }')
    prompt_id = int(found["prompts"]["edges"][0]["node"]["id"])

    await tab.send("Page.navigate", url=server + "/")
    await tab.until("!!document.querySelector('#key-form')", "the sign-in form")
    await tab.js(
        f"""(() => {{ const f = document.querySelector('#key-form'); f.key.value = {json.dumps(tenant.api_key)};
          f.requestSubmit(); return true; }})()"""
    )
    who = f"document.querySelector('.top .who')?.textContent.includes({json.dumps(tenant.email)})"
    await tab.until(who, "signed in by key")  # the key's user
    await tab.until("!document.querySelector('#kpis').innerText.includes('Loading')", "the KPI panel")
    # the organization-wide figures need the admin role: the panel says so, the page keeps working
    assert "requires the admin role" in await tab.js("document.querySelector('#kpis').innerText")
    assert await tab.js("document.querySelector('#kpis .needs-role').dataset.needs") == "admin"
    await tab.shot("06-member-overview")
    # the prompt's page: its name and figures; charts, versions and the A/B verdict say they need admin
    await tab.js(f"location.hash = '#/prompts/{prompt_id}'")
    await tab.until("document.querySelector('#prompt-name')?.textContent.includes(\"Member's prompt\")", "the prompt")
    await tab.until("!!document.querySelector('#charts .needs-role')", "the charts' needs-role box")
    await tab.until("!!document.querySelector('#versions .needs-role')", "the versions' needs-role box")
    assert await tab.js("document.querySelectorAll('#charts .needs-role').length") == 1
    assert await tab.js("!!document.querySelector('#ab-verdict .needs-role')")
    await tab.shot("06b-member-prompt")  # and no error text (shot() checks)
    await tab.js("document.querySelector('#sign-out').click(), true")
    await tab.until("!!document.querySelector('#pw-form')", "the sign-in form again")
    assert await tab.js("sessionStorage.length") == 0
    assert tab.problems == []


@needs_chromium
async def test_compare_two_deployments(server, client, make_tenant, tab):
    tenant = await make_tenant("admin")
    env = await gql(
        client,
        tenant.headers,
        "mutation($i: EnvironmentInput!) { createEnvironment(input: $i) { id } }",
        i={"name": "production", "kind": "production"},
    )
    env_id = env["createEnvironment"]["id"]
    now = datetime.now(UTC)
    ids = []
    for n, (version, days) in enumerate((("0.9.0", 40), ("1.0.0", 3), ("1.1.0", 1))):
        made = await gql(
            client,
            tenant.headers,
            "mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }",
            i={
                "name": f"api-{n}",
                "version": version,
                "environmentId": env_id,
                "status": "succeeded",
                "startedAt": (now - timedelta(days=days, minutes=5)).isoformat(),
                "finishedAt": (now - timedelta(days=days)).isoformat(),
            },
        )
        ids.append(made["createDeployment"]["id"])
    old_id = ids.pop(0)  # 40 days ago: outside the page's "last 30 days"
    expected = await gql(
        client,
        tenant.headers,
        "query($a: ID!, $b: ID!) { deploymentComparison(deploymentId1: $a, deploymentId2: $b) { overallVerdict } }",
        a=ids[0],
        b=ids[1],
    )

    await tab.send("Page.navigate", url=server + "/")
    await tab.until("!!document.querySelector('#key-form')", "the sign-in form")
    await tab.js(
        f"""(() => {{ const f = document.querySelector('#key-form'); f.key.value = {json.dumps(tenant.api_key)};
          f.requestSubmit(); return true; }})()"""
    )
    await tab.until("!!document.querySelector('a[href=\"#/deployments\"]')", "the navigation")
    await tab.js("location.hash = '#/deployments'")
    await tab.until(f"!!document.querySelector('input[data-deployment=\"{ids[1]}\"]')", "the timeline")
    timeline = await tab.js("document.querySelector('#timeline').innerText")
    assert "production" in timeline and "api-1" in timeline and "api-0" not in timeline  # api-0: 40 days ago
    assert await tab.js(f"!document.querySelector('input[data-deployment=\"{old_id}\"]')")
    assert await tab.js("document.querySelectorAll('#dora .kpi').length") == 4
    for deployment in ids:
        await tab.js(f"document.querySelector('input[data-deployment=\"{deployment}\"]').click(), true")
    await tab.until("!document.querySelector('#compare').disabled", "the compare button")
    await tab.js("document.querySelector('#compare').click(), true")
    await tab.until("!!document.querySelector('#overall-verdict')", "the comparison")
    shown = await tab.js("document.querySelector('#overall-verdict').textContent")
    assert shown == expected["deploymentComparison"]["overallVerdict"]
    assert "api-1" in await tab.js("document.querySelector('#comparison').innerText")
    await tab.shot("07-deployments-compare")
    assert tab.problems == []


@needs_chromium
async def test_usage_and_costs(server, client, make_tenant, tab):
    tenant = await make_tenant("admin")
    events = [
        {"model": "gpt-4o-mini", "input_tokens": 1000, "output_tokens": 200, "cost_usd": 0.5, "latency_ms": 300 + i}
        for i in range(12)
    ]
    r = await client.post("/api/v1/usage/events/batch", json={"events": events}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest({"worker_id": "dashboard-test"})
    expected = await gql(client, tenant.headers, '{ usage(period: "current") { costs { totalUsd requests } } }')
    assert expected["usage"]["costs"] == {"totalUsd": 6.0, "requests": 12}
    plan = "mutation($p: UsagePlanInput!) { setUsagePlan(plan: $p) { monthlyBudgetUsd } }"
    await gql(client, tenant.headers, plan, p={"monthlyBudgetUsd": 20.0})
    projected = await gql(
        client,
        tenant.headers,
        '{ usage(period: "current") { costs { projection { projectedTotalUsd projectedPercentOfBudget } } } }',
    )
    projection = projected["usage"]["costs"]["projection"]

    await tab.send("Page.navigate", url=server + "/")
    await tab.until("!!document.querySelector('#key-form')", "the sign-in form")
    await tab.js(
        f"""(() => {{ const f = document.querySelector('#key-form'); f.key.value = {json.dumps(tenant.api_key)};
          f.requestSubmit(); return true; }})()"""
    )
    await tab.until("!!document.querySelector('a[href=\"#/usage\"]')", "the navigation")
    await tab.js("location.hash = '#/usage'")
    await tab.until("!!document.querySelector('#by-model')", "cost by model")
    row = await tab.js("document.querySelector('#by-model tbody tr').innerText")
    assert "gpt-4o-mini" in row and "12" in row and "$6.00" in row
    assert "$6.00" in await tab.js("document.querySelector('.kpis').innerText")
    await tab.until("!!document.querySelector('#daily canvas')", "the daily cost chart")
    # the budget: spent of budget with its bar ($6 of $20: 30% wide), and the projection against it
    budget = await tab.js("document.querySelector('#budget').innerText")
    assert "$6.00 of $20.00 (30%)" in budget, budget
    assert await tab.js("document.querySelector('#budget .bar span').style.width") == "30%"
    shown = await tab.js("document.querySelector('#projection').innerText")
    assert "Projection" in shown and "% of budget" in shown, shown
    assert projection["projectedPercentOfBudget"] is not None, projection
    await tab.shot("08-usage")
    assert tab.problems == []


# --------------------------------------------------------------------------- operator pages


async def sign_in_with_key(tab: Tab, server: str, key: str) -> None:
    await tab.send("Page.navigate", url=server + "/")
    await tab.until("!!document.querySelector('#key-form')", "the sign-in form")
    await tab.js(
        f"""(() => {{ const f = document.querySelector('#key-form'); f.key.value = {json.dumps(key)};
          f.requestSubmit(); return true; }})()"""
    )
    await tab.until("!!document.querySelector('#sign-out')", "signed in")


async def fill(tab: Tab, form: str, **values: Any) -> None:
    """Set named fields of a form (checkboxes take booleans, selects their option value)."""
    await tab.js(
        f"""((values) => {{
          const f = document.querySelector({json.dumps(form)});
          for (const [name, value] of Object.entries(values)) {{
            const el = f.querySelector(`[name="${{name}}"]`);
            if (el.type === 'checkbox') el.checked = value; else el.value = value;
            el.dispatchEvent(new Event('change'));
          }}
          return true; }})({json.dumps(values)})"""
    )


@contextlib.contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP endpoint on loopback (tests/conftest.py opens loopback in OUTBOUND_ALLOW_CIDRS)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append({"path": self.path, "headers": dict(self.headers.items()), "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def arq_worker() -> Iterator[None]:
    """A real worker process (the test send is delivered by it), ready once its heartbeat key exists.

    It runs only this test's jobs: one another test left queued (an optimization run the API fuzzer
    posted) was once stopped in the middle by this worker's end and held that lock for the next tests.
    """
    from redis import Redis

    drop_jobs_queued_before_this_test()

    log = open(TMP / f"dashboard-worker-{uuid.uuid4().hex[:6]}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "NOTIFY_MAX_ATTEMPTS": "2", "NOTIFY_BACKOFF_SECONDS": "0.2"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        deadline = time.monotonic() + 120
        while not redis.keys(f"{os.environ['REDIS_PREFIX']}:worker*"):
            assert proc.poll() is None, f"the worker exited with {proc.returncode}"
            assert time.monotonic() < deadline, "the worker did not start in 120 s"
            time.sleep(0.2)
        yield
    finally:
        redis.close()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


async def make_channel(client: Any, tenant: Any, name: str, url: str) -> int:
    made = await gql(
        client,
        tenant.headers,
        "mutation($i: CreateNotificationChannelInput!) { createNotificationChannel(input: $i) { id } }",
        i={"name": name, "type": "webhook", "config": {"url": url}},
    )
    return int(made["createNotificationChannel"]["id"])


@needs_chromium
async def test_edit_every_field_of_a_rule_and_delete_it(server, client, make_tenant, tab):
    tenant = await make_tenant("admin")
    await fire(client, tenant, "Queue too deep", "queue_depth")
    [rule] = (await gql(client, tenant.headers, "{ alertRules { id } }"))["alertRules"]
    rule_id = rule["id"]
    channel_id = await make_channel(client, tenant, "On-call hook", "http://127.0.0.1:9/hook")

    await sign_in_with_key(tab, server, tenant.api_key)
    await tab.js("location.hash = '#/alerts'")
    await tab.until(f"!!document.querySelector('button[data-edit=\"{rule_id}\"]')", "the rule's edit button")
    await tab.js(f"document.querySelector('button[data-edit=\"{rule_id}\"]').click(), true")
    await tab.until("!!document.querySelector('#rule-editor')", "the rule editor")
    assert await tab.js("document.querySelector('#rule-editor [name=threshold]').value") == "5"
    await fill(
        tab,
        "#rule-editor",
        name="Queue much too deep",
        aggregation="p95",
        comparison="gte",
        threshold="7.5",
        warningThreshold="6",
        windowMinutes="10",
        pendingMinutes="2",
        severity="warning",
        renotifyMinutes="30",
        **{"scope.tags": '{"queue": "main"}', "scope.perEntity": ""},
        enabled=False,
    )
    await tab.js(f"document.querySelector('#rule-editor input[name=channel][value=\"{channel_id}\"]').click(), true")
    await tab.shot("09-rule-editor")
    await tab.js("document.querySelector('#rule-editor').requestSubmit(), true")
    await tab.until("!document.querySelector('#rule-editor')", "the editor to close")
    await tab.until(
        f"document.querySelector('tr[data-rule=\"{rule_id}\"]')?.innerText.includes('Queue much too deep')",
        "the edited rule in the list",
    )
    row = await tab.js(f"document.querySelector('tr[data-rule=\"{rule_id}\"]').innerText")
    assert "p95 queue_depth gte 7.5" in row and "over 10 min" in row and "warn at 6" in row
    stored = await gql(
        client,
        tenant.headers,
        """{ alertRules { id name aggregation comparison threshold warningThreshold windowMinutes pendingMinutes
             severity renotifyMinutes enabled channelIds scope { tags perEntity } } }""",
    )
    assert stored["alertRules"] == [
        {
            "id": rule_id,
            "name": "Queue much too deep",
            "aggregation": "p95",
            "comparison": "gte",
            "threshold": 7.5,
            "warningThreshold": 6.0,
            "windowMinutes": 10,
            "pendingMinutes": 2,
            "severity": "warning",
            "renotifyMinutes": 30,
            "enabled": False,
            "channelIds": [channel_id],
            "scope": {"tags": {"queue": "main"}, "perEntity": None},
        }
    ]
    # a refused edit names the problem and keeps the editor open
    await tab.js(f"document.querySelector('button[data-edit=\"{rule_id}\"]').click(), true")
    await tab.until("!!document.querySelector('#rule-editor')", "the rule editor again")
    await fill(tab, "#rule-editor", windowMinutes="0")
    await tab.js("document.querySelector('#rule-editor [name=windowMinutes]').removeAttribute('min'), true")
    await tab.js("document.querySelector('#rule-editor').requestSubmit(), true")
    await tab.until("document.querySelector('#rule-edit-error').textContent.includes('window')", "the refusal")
    await tab.js("document.querySelector('#rule-editor [data-cancel]').click(), true")
    # delete asks once more, then the rule is gone
    await tab.js(f"document.querySelector('button[data-delete=\"{rule_id}\"]').click(), true")
    assert await tab.js(f"document.querySelector('button[data-delete=\"{rule_id}\"]').textContent") == "Confirm delete"
    await tab.js(f"document.querySelector('button[data-delete=\"{rule_id}\"]').click(), true")
    await tab.until(f"!document.querySelector('tr[data-rule=\"{rule_id}\"]')", "the rule to go")
    assert (await gql(client, tenant.headers, "{ alertRules { id } }"))["alertRules"] == []
    await tab.shot("10-rule-deleted")
    assert tab.problems == []


@needs_chromium
async def test_channels_create_edit_send_a_test_and_delete(server, client, make_tenant, tab):
    tenant = await make_tenant("admin")
    with webhook_receiver() as (base, received), arq_worker():
        await sign_in_with_key(tab, server, tenant.api_key)
        await tab.js("location.hash = '#/channels'")
        await tab.until("!!document.querySelector('#new-channel')", "the channel form")
        # e-mail fields hide for a webhook
        assert await tab.js("document.querySelector('#new-channel [name=to]').closest('label').hidden") is True
        await fill(tab, "#new-channel", name="Ops webhook", type="webhook", url=base + "/hook", secret="s3cret-key-1")
        await tab.js("document.querySelector('#new-channel').requestSubmit(), true")
        await tab.until("!!document.querySelector('#channel-table tbody tr')", "the new channel")
        [made] = (await gql(client, tenant.headers, "{ notificationChannels { id name type config secretSet } }"))[
            "notificationChannels"
        ]
        assert (made["name"], made["type"], made["config"], made["secretSet"]) == (
            "Ops webhook",
            "webhook",
            {"url": base + "/hook"},
            True,
        )
        cid = made["id"]
        # a URL the policy refuses is named in the form
        await fill(tab, "#new-channel", name="Metadata", url="http://169.254.169.254/latest")
        await tab.js("document.querySelector('#new-channel').requestSubmit(), true")
        await tab.until("document.querySelector('#new-channel [data-error]').textContent.includes('url')", "refusal")

        # edit: rename and point at another path (the secret stays)
        await tab.js(f"document.querySelector('button[data-edit=\"{cid}\"]').click(), true")
        await tab.until("!!document.querySelector('#edit-channel')", "the channel editor")
        await fill(tab, "#edit-channel", name="Ops webhook (primary)", url=base + "/primary")
        await tab.js("document.querySelector('#edit-channel').requestSubmit(), true")
        await tab.until(
            f"document.querySelector('tr[data-channel=\"{cid}\"]')?.innerText.includes('primary')", "the edited row"
        )
        [edited] = (await gql(client, tenant.headers, "{ notificationChannels { name config secretSet } }"))[
            "notificationChannels"
        ]
        assert edited == {"name": "Ops webhook (primary)", "config": {"url": base + "/primary"}, "secretSet": True}

        # send test: the worker POSTs to the receiver; the page shows the outcome and the delivery
        await tab.js(f"document.querySelector('button[data-test=\"{cid}\"]').click(), true")
        await tab.until("!!document.querySelector('#test-outcome')", "the test outcome", seconds=40)
        outcome = await tab.js("document.querySelector('#test-outcome').innerText")
        assert await tab.js("document.querySelector('#test-outcome').dataset.status") == "delivered", outcome
        assert "HTTP 204" in outcome
        assert [r["path"] for r in received] == ["/primary"]
        assert received[0]["headers"].get("X-PromptOps-Signature")
        await tab.until("!!document.querySelector('#delivery-table tbody tr')", "the delivery list")
        delivery = await tab.js("document.querySelector('#delivery-table tbody tr').innerText")
        assert "Ops webhook (primary)" in delivery and "delivered" in delivery and "HTTP 204" in delivery
        await tab.shot("11-channels")

        await tab.js(f"document.querySelector('button[data-delete=\"{cid}\"]').click(), true")
        await tab.js(f"document.querySelector('button[data-delete=\"{cid}\"]').click(), true")
        await tab.until(f"!document.querySelector('tr[data-channel=\"{cid}\"]')", "the channel to go")
        assert (await gql(client, tenant.headers, "{ notificationChannels { id } }"))["notificationChannels"] == []
    assert tab.problems == []


@needs_chromium
async def test_security_block_unblock_and_live_events_as_superuser(server, app, client, make_tenant, tab):
    import httpx

    from services.identity.policy import Principal, Role
    from services.security import GUARD, decisions
    from tests.security.conftest import settle

    await decisions.set_switch(Principal(0, 0, Role.SUPERUSER), True)  # another suite may have stopped it
    GUARD.invalidate()
    root = await make_tenant("superuser")
    address = "203.0.113.77"
    await sign_in_with_key(tab, server, root.api_key)
    await tab.js("location.hash = '#/security'")
    await tab.until("!!document.querySelector('#threat-kpis')", "the threat statistics")
    await tab.until("!!document.querySelector('#block-form')", "the block form")
    await tab.until("document.querySelector('#security-live').textContent.includes('live')", "the live socket")

    # a probe from another host (the app in-process, same database and Redis) shows up live
    prober = "198.51.100.99"
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(prober, 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as host:
        assert (await host.get("/.env")).status_code == 404
    await settle()
    await tab.until(
        f"[...document.querySelectorAll('#event-table tbody tr')].some(r => r.innerText.includes('{prober}'))",
        "the probe, live",
        seconds=15,
    )
    # and the statistics follow (refetched within 5 s of a live event)
    events = "document.querySelector('#threat-kpis .kpi .value').textContent"
    await tab.until(f"Number({events}) >= 1", "the statistics to count the probe", seconds=20)

    # block, see it listed (and in the API), unblock
    await fill(tab, "#block-form", ip=address, duration="600", reason="dashboard test")
    await tab.js("document.querySelector('#block-form').requestSubmit(), true")
    await tab.until(f"!!document.querySelector('#blocked-table tr[data-ip=\"{address}\"]')", "the blocked address")
    blocked = (await gql(client, root.headers, "{ blockedIps { ipAddress reason } }"))["blockedIps"]
    assert {"ipAddress": address, "reason": "dashboard test"} in blocked
    await tab.shot("12-security-blocked")
    # the lookup shows the block and the prober's event
    await fill(tab, "#lookup-form", ip=address)
    await tab.js("document.querySelector('#lookup-form').requestSubmit(), true")
    await tab.until("document.querySelector('#lookup-result')?.innerText.includes('blocked')", "the lookup")
    await fill(tab, "#lookup-form", ip=prober)
    await tab.js("document.querySelector('#lookup-form').requestSubmit(), true")
    await tab.until(
        f"document.querySelector('#lookup-result[data-ip=\"{prober}\"]')?.innerText.includes('probe_path')",
        "the prober's events",
    )
    await tab.js(f"document.querySelector('button[data-unblock=\"{address}\"]').click(), true")
    await tab.until(f"!document.querySelector('#blocked-table tr[data-ip=\"{address}\"]')", "the address unblocked")
    blocked = (await gql(client, root.headers, "{ blockedIps { ipAddress } }"))["blockedIps"]
    assert address not in [b["ipAddress"] for b in blocked]
    await tab.shot("13-security-unblocked")

    # the superuser's platform page has the database health too
    await tab.js("location.hash = '#/platform'")
    await tab.until("!!document.querySelector('#db-checks')", "the database health checks", seconds=40)
    assert await tab.js("document.querySelectorAll('.needs-role').length") == 0
    await tab.shot("14-platform-superuser")
    assert tab.problems == []


@needs_chromium
async def test_platform_and_security_as_admin_and_as_member(server, client, make_tenant, tab):
    org = f"org-platform-{uuid.uuid4().hex[:6]}"
    admin = await make_tenant("admin", org=org)
    member = await make_tenant("member", org=org)
    # some traffic for the endpoint table
    for _ in range(3):
        await gql(client, admin.headers, "{ viewer { role } }")

    await sign_in_with_key(tab, server, admin.api_key)
    # the overview's KPIs refetch when a metric point arrives (and every minute): the stamp counts refreshes
    await tab.until("document.querySelector('#kpis-updated')?.dataset.refreshes === '0'", "the KPIs")
    await tab.until("performance.getEntriesByName('overview-kpis-rendered').length === 1", "the KPI mark")
    await tab.until("document.querySelector('#alerts-live').textContent.includes('live')", "the live socket")
    record = "mutation($i: MetricPointInput!) { recordMetric(input: $i) { point { id } } }"
    # the page subscribes once its KPIs are drawn: a point recorded before the server has the
    # subscription is not seen, so points go on arriving (every 3 s) until a refresh shows
    refreshed = "Number(document.querySelector('#kpis-updated').dataset.refreshes) >= 1"
    for _ in range(10):
        await gql(client, admin.headers, record, i={"name": "dashboard_probe", "value": 1, "type": "gauge"})
        for _ in range(30):
            if await tab.js(refreshed):
                break
            await asyncio.sleep(0.1)
        else:
            continue
        break
    await tab.until(refreshed, "a live refresh", seconds=15)

    await tab.js("location.hash = '#/platform'")
    await tab.until("!!document.querySelector('#health-status')", "the system health")
    await tab.until("!!document.querySelector('#host-metrics')", "the host metrics")
    await tab.until("!document.querySelector('#endpoints').innerText.includes('Loading')", "endpoint performance")
    assert await tab.js("document.querySelector('#host-metrics').innerText.includes('CPU')")
    status = (await gql(client, admin.headers, "{ systemHealth { status } }"))["systemHealth"]["status"]
    assert await tab.js("document.querySelector('#health-status').textContent") == status
    # database health is the superuser's: a clear state, no request error
    assert await tab.js("document.querySelector('#database-health .needs-role').dataset.needs") == "superuser"
    # live: a recorded metric point arrives over metricUpdates
    await tab.until("document.querySelector('#metrics-live').textContent.includes('live')", "the live socket")
    await gql(client, admin.headers, record, i={"name": "dashboard_probe", "value": 42, "type": "gauge"})
    await tab.until("document.querySelector('#metric-points')?.innerText.includes('dashboard_probe')", "the point")
    await tab.shot("15-platform-admin")
    # security as an admin: the organization's statistics; blocks and reputation need a superuser
    await tab.js("location.hash = '#/security'")
    await tab.until("!!document.querySelector('#threat-kpis')", "the threat statistics")
    assert await tab.js("document.querySelector('#blocked .needs-role').dataset.needs") == "superuser"
    assert await tab.js("document.querySelector('#reputation .needs-role').dataset.needs") == "superuser"
    assert await tab.js("!document.querySelector('#block-form')")
    await tab.shot("16-security-admin")
    await tab.js("document.querySelector('#sign-out').click(), true")

    await sign_in_with_key(tab, server, member.api_key)
    await tab.js("location.hash = '#/platform'")
    await tab.until("!!document.querySelector('#health-status')", "the system health (any role)")
    needs = await tab.js("[...document.querySelectorAll('.needs-role')].map(e => e.dataset.needs)")
    assert needs == ["admin", "admin", "admin", "superuser"]
    await tab.shot("17-platform-member")
    for page in ("#/security", "#/channels"):
        await tab.js(f"location.hash = '{page}'")
        await tab.until("document.querySelectorAll('.needs-role').length > 0", f"the needs-role state of {page}")
    await tab.shot("18-channels-member")
    assert tab.problems == []
