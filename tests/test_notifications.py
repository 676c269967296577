"""Notification channels and deliveries, against real receivers on 127.0.0.1.

An HTTP server (stdlib, in a thread) records every request; an aiosmtpd server records
every message.  Test sends go through the REST route and a real burst worker process;
``notify`` runs the job function in this process.  Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from arq.jobs import Job

from models.notifications import NotificationDelivery
from services import job_queue, notification_delivery, notifications
from services.config import get_settings
from workers import jobs

ROOT = Path(__file__).resolve().parent.parent
BASE = "/admin/monitoring-alerts/monitoring/notifications"
SECRET = "s3cret-signing-key"
# The burst worker runs with fast retries so a failing endpoint is given up on in seconds.
WORKER_ENV = {"NOTIFY_MAX_ATTEMPTS": "3", "NOTIFY_BACKOFF_SECONDS": "0.2", "NOTIFY_TIMEOUT_SECONDS": "10"}


# ---------------------------------------------------------------------------- receivers


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Answers by path: /ok 200, /fail 500, /flaky 500 then 200, /busy 429 then 204, /gone 404, /slow sleeps 3 s."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


def _handler(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            path = self.path
            receiver.requests.append(Received(path, {k.lower(): v for k, v in self.headers.items()}, body))
            receiver.hits[path] += 1
            n = receiver.hits[path]
            if path == "/slow":
                time.sleep(2)
            status = {
                "/ok": 200,
                "/fail": 500,
                "/flaky": 500 if n == 1 else 200,
                "/busy": 429 if n == 1 else 204,
                "/gone": 404,
            }.get(path, 200)
            payload = b"receiver exploded" if status == 500 else b""
            try:
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

    return Handler


@pytest.fixture
def http_receiver():
    receiver = HttpReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


class SmtpRecorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # aiosmtpd hook
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_receiver():
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    recorder.port = controller.port  # type: ignore[attr-defined]
    yield recorder
    controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{_free_port()}/nobody-listens"


async def run_worker_burst() -> str:
    """A real ``arq --burst`` worker; returns its log.  Async so the receivers keep serving."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arq",
        "workers.settings.WorkerSettings",
        "--burst",
        cwd=ROOT,
        env={**os.environ, **WORKER_ENV},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, out.decode()[-3000:]
    return out.decode()


# ---------------------------------------------------------------------------- helpers


async def create(client, tenant, body: dict, prefix: str = "") -> dict:
    r = await client.post(prefix + BASE, json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def send_via_route(client, tenant, channel_id: int, **body) -> dict:
    r = await client.post(f"{BASE}/{channel_id}/test", json=body or None, headers=tenant.headers)
    assert r.status_code == 202, r.text
    return r.json()["data"]


async def delivery(client, tenant, delivery_id: int) -> dict:
    r = await client.get(f"{BASE}/deliveries/{delivery_id}", headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


MAIL = {"to": ["a@b.test"], "host": "smtp.test", "from": "a@b.test"}


def without(config: dict, key: str) -> dict:
    return {k: v for k, v in config.items() if k != key}


def verify_signature(received: Received) -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["x-promptops-signature"], expected)


# ---------------------------------------------------------------------------- CRUD and redaction


async def test_channel_crud_under_both_prefixes_never_echoes_secrets(client, make_tenant):
    admin = await make_tenant("admin")
    hook = await create(
        client,
        admin,
        {
            "name": "ops webhook",
            "type": "webhook",
            "config": {"url": "https://user:pa55word@hooks.example.test/in?token=tok-123&x=1"},
            "secret": SECRET,
        },
    )
    assert hook["type"] == "webhook" and hook["secret_set"] is True and hook["enabled"] is True
    assert hook["config"] == {"url": "https://user:***@hooks.example.test/in?token=***&x=***"}
    slack = await create(
        client,
        admin,
        {"name": "team slack", "type": "slack", "config": {"url": "https://hooks.slack.test/services/T1/B2/XyZ"}},
        prefix="/v1",
    )
    assert slack["config"] == {"url": "https://hooks.slack.test/services/***"} and slack["secret_set"] is False
    mail = await create(
        client,
        admin,
        {
            "name": "on-call mail",
            "type": "email",
            "config": {
                "to": ["oncall@example.test"],
                "host": "smtp.example.test",
                "port": 2525,
                "from": "alerts@example.test",
                "username": "mailer",
                "password": "smtp-pass-999",
                "starttls": False,
            },
        },
    )
    assert mail["config"]["password_set"] is True and "password" not in mail["config"]
    assert mail["config"]["from"] == "alerts@example.test" and mail["config"]["port"] == 2525

    for prefix in ("", "/v1"):
        r = await client.get(prefix + BASE, headers=admin.headers)
        assert r.status_code == 200
        listed = r.json()["data"]
        assert [c["name"] for c in listed["items"]] == ["ops webhook", "team slack", "on-call mail"]
        assert listed["pagination"] == {"page": 1, "page_size": 20, "total_items": 3, "total_pages": 1}
        for secret in (SECRET, "pa55word", "tok-123", "XyZ", "smtp-pass-999"):
            assert secret not in r.text

    r = await client.patch(
        f"/v1{BASE}/{mail['id']}", json={"config": {"to": ["a@example.test", "b@example.test"]}}, headers=admin.headers
    )
    assert r.status_code == 200, r.text
    patched = r.json()["data"]
    assert patched["config"]["to"] == ["a@example.test", "b@example.test"]
    assert patched["config"]["password_set"] is True  # merged: the password survives a config patch
    assert patched["config"]["host"] == "smtp.example.test"

    r = await client.patch(f"{BASE}/{hook['id']}", json={"secret": None, "enabled": False}, headers=admin.headers)
    assert r.json()["data"]["secret_set"] is False and r.json()["data"]["enabled"] is False
    r = await client.patch(f"{BASE}/{hook['id']}", json={"name": "team slack"}, headers=admin.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"
    dup = await client.post(BASE, json={"name": "ops webhook", "type": "webhook", "config": {"url": "http://x.test"}})
    assert dup.status_code == 401
    dup = await client.post(
        BASE,
        json={"name": "ops webhook", "type": "webhook", "config": {"url": "http://x.test"}},
        headers=admin.headers,
    )
    assert dup.status_code == 409

    r = await client.get(f"/v1{BASE}/{slack['id']}", headers=admin.headers)
    assert r.json()["data"]["name"] == "team slack"
    assert (await client.delete(f"{BASE}/{slack['id']}", headers=admin.headers)).status_code == 204
    assert (await client.get(f"{BASE}/{slack['id']}", headers=admin.headers)).status_code == 404
    assert (await client.delete(f"/v1{BASE}/{slack['id']}", headers=admin.headers)).status_code == 404


async def test_bad_input_is_a_400_naming_the_field(client, make_tenant):
    admin = await make_tenant("admin")
    cases = [
        ({"name": "x", "type": "pager", "config": {"url": "http://a.test"}}, "type"),
        ({"name": "x", "type": "webhook", "config": {"url": "ftp://a.test/x"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "not a url"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http:///nohost"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://169.254.169.254/latest/meta-data"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://[fe80::1]/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://2852039166/"}}, "config.url"),
        ({"name": "x", "type": "slack", "config": {"url": "http://metadata.google.internal/x"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test", "extra": 1}}, "config.extra"),
        ({"name": "", "type": "webhook", "config": {"url": "http://a.test"}}, "name"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test"}, "secret": "short"}, "secret"),
        ({"name": "x", "type": "email", "config": without(MAIL, "to")}, "config.to"),
        ({"name": "x", "type": "email", "config": {**MAIL, "to": []}}, "config.to"),
        ({"name": "x", "type": "email", "config": {**MAIL, "to": ["ok@b.test", "nope"]}}, "config.to.1"),
        ({"name": "x", "type": "email", "config": {**MAIL, "from": "a@"}}, "config.from"),
        ({"name": "x", "type": "email", "config": without(MAIL, "host")}, "config.host"),
        ({"name": "x", "type": "email", "config": without(MAIL, "from")}, "config.from"),
        ({"name": "x", "type": "email", "config": {**MAIL, "host": "169.254.1.1"}}, "config.host"),
        ({"name": "x", "type": "email", "config": {**MAIL, "port": 0}}, "config.port"),
        ({"name": "x", "type": "email", "config": MAIL, "secret": "long-enough-secret"}, "secret"),
    ]  # fmt: skip
    for body, field_name in cases:
        r = await client.post(BASE, json=body, headers=admin.headers)
        assert r.status_code == 400, (body, r.text)
        error = r.json()["error"]
        assert error["code"] == "BAD_REQUEST"
        assert field_name in [d["field"] for d in error["details"]], (body, error)
    r = await client.post(BASE, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "body"
    assert (await client.get(BASE, headers=admin.headers)).json()["data"]["items"] == []

    hook = await create(client, admin, {"name": "h", "type": "webhook", "config": {"url": "http://a.test/"}})
    r = await client.patch(f"{BASE}/{hook['id']}", json={"config": {"url": "gopher://a"}}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config.url"
    r = await client.patch(f"{BASE}/{hook['id']}", json={"type": "email"}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config"
    r = await client.get(f"{BASE}/{hook['id']}/deliveries?status=lost", headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "status"
    r = await client.get(f"{BASE}/{hook['id']}/deliveries?page_size=101", headers=admin.headers)
    assert r.status_code == 400
    r = await client.post(f"{BASE}/{hook['id']}/test", json={"message": "x" * 2001}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "message"


async def test_members_are_forbidden(client, make_tenant):
    member = await make_tenant("member")
    assert (await client.get(BASE, headers=member.headers)).status_code == 403
    r = await client.post(f"/v1{BASE}/1/test", headers=member.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"


async def test_another_organizations_channel_and_deliveries_are_404_everywhere(client, make_tenant, http_receiver):
    owner = await make_tenant("admin")
    other = await make_tenant("admin")
    hook = await create(client, owner, {"name": "h", "type": "webhook", "config": {"url": http_receiver.url("/ok")}})
    row = await NotificationDelivery.create(
        organization_id=owner.organization_id, channel_id=hook["id"], kind="test", payload={"title": "t"}
    )
    cid = hook["id"]
    calls = [
        ("GET", f"{BASE}/{cid}", None),
        ("PATCH", f"{BASE}/{cid}", {"name": "mine now"}),
        ("DELETE", f"{BASE}/{cid}", None),
        ("POST", f"{BASE}/{cid}/test", {}),
        ("GET", f"{BASE}/{cid}/deliveries", None),
        ("GET", f"{BASE}/deliveries/{row.id}", None),
    ]
    for prefix in ("", "/v1"):
        for method, path, body in calls:
            r = await client.request(method, prefix + path, json=body, headers=other.headers)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["code"] == "NOT_FOUND"
    assert (await client.get(BASE, headers=other.headers)).json()["data"]["items"] == []
    r = await client.get(f"{BASE}/deliveries?channel_id={cid}", headers=other.headers)
    assert r.status_code == 404
    assert (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]["name"] == "h"
    assert not http_receiver.requests  # nothing was sent on the other organization's behalf
    out = await gql(client, other, "query($id: Int!) { notificationDelivery(id: $id) { id } }", id=row.id)
    assert out["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    out = await gql(client, other, "mutation($id: Int!) { deleteNotificationChannel(id: $id) }", id=cid)
    assert out["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await row.delete()


# ---------------------------------------------------------------------------- real deliveries


async def test_test_route_delivers_through_a_real_worker_with_retries(
    client, make_tenant, http_receiver, smtp_receiver
):
    admin = await make_tenant("admin")
    hook = await create(
        client,
        admin,
        {"name": "signed", "type": "webhook", "config": {"url": http_receiver.url("/ok")}, "secret": SECRET},
    )
    slack = await create(client, admin, {"name": "slack", "type": "slack", "config": {"url": http_receiver.url("/ok")}})
    mail = await create(
        client,
        admin,
        {
            "name": "mail",
            "type": "email",
            "config": {
                "to": ["oncall@example.test", "lead@example.test"],
                "host": "127.0.0.1",
                "port": smtp_receiver.port,
                "from": "alerts@example.test",
                "starttls": False,
            },
        },
    )
    urls = {"flaky": "/flaky", "busy": "/busy", "fail": "/fail", "gone": "/gone"}
    extra = {}
    for name, path in urls.items():
        body = {"name": name, "type": "webhook", "config": {"url": http_receiver.url(path)}}
        extra[name] = await create(client, admin, body)
    closed = await create(client, admin, {"name": "closed", "type": "webhook", "config": {"url": _closed_port_url()}})

    sent = {"hook": await send_via_route(client, admin, hook["id"], message="hello from the test")}
    sent["slack"] = await send_via_route(client, admin, slack["id"])
    sent["mail"] = await send_via_route(client, admin, mail["id"])
    for name, channel in [*extra.items(), ("closed", closed)]:
        sent[name] = await send_via_route(client, admin, channel["id"])
    queued = sent["hook"]
    assert queued["job_id"] and queued["delivery_id"] == queued["delivery"]["id"]
    assert queued["delivery"]["status"] == "queued" and queued["delivery"]["attempts"] == 0
    assert queued["delivery"]["payload"]["message"] == "hello from the test"

    started = time.monotonic()
    await run_worker_burst()
    elapsed = time.monotonic() - started
    got = {name: await delivery(client, admin, s["delivery_id"]) for name, s in sent.items()}
    summary = {name: (d["status"], d["attempts"], d["error"]) for name, d in got.items()}
    assert [n for n, (status, _, _) in summary.items() if status == "delivered"] == [
        "hook", "slack", "mail", "flaky", "busy"
    ], summary  # fmt: skip

    # the job id in the 202 is the arq job's: its result is the final outcome
    redis = await job_queue.pool()
    try:
        for name, attempts in (("hook", 1), ("flaky", 2), ("fail", 3)):
            job = Job(sent[name]["job_id"], redis, _deserializer=job_queue.deserialize)
            outcome = await job.result(timeout=5)
            assert outcome == {
                "delivery_id": sent[name]["delivery_id"],
                "status": got[name]["status"],
                "attempts": attempts,
            }
    finally:
        await redis.aclose()

    # signed webhook: one request, body signed with the channel secret
    d = got["hook"]
    assert d["status"] == "delivered" and d["http_status"] == 200 and d["attempts"] == 1 and d["error"] is None
    assert d["latency_ms"] > 0 and d["delivered_at"] is not None
    req = next(r for r in http_receiver.at("/ok") if "x-promptops-signature" in r.headers)
    verify_signature(req)
    body = req.json()
    assert body["delivery_id"] == d["id"] and body["kind"] == "test" and body["channel"]["name"] == "signed"
    assert body["event"]["message"] == "hello from the test" and body["organization_id"] == admin.organization_id
    assert req.headers["x-promptops-delivery"] == str(d["id"]) and req.headers["content-type"] == "application/json"

    # Slack-compatible: text + blocks, unsigned without a secret
    slack_req = next(r for r in http_receiver.at("/ok") if "x-promptops-signature" not in r.headers)
    message = slack_req.json()
    assert message["text"] == "[TEST] Test notification for slack"
    assert (
        message["blocks"][0]["type"] == "section"
        and "*[TEST] Test notification for slack*" in message["blocks"][0]["text"]["text"]
    )
    assert got["slack"]["status"] == "delivered" and got["slack"]["http_status"] == 200

    # e-mail: the SMTP server really got it, and its reply is recorded
    assert got["mail"]["status"] == "delivered" and got["mail"]["smtp_reply"].startswith("250")
    assert got["mail"]["http_status"] is None
    (mail_from, rcpts, raw), *_ = smtp_receiver.messages
    assert mail_from == "alerts@example.test" and rcpts == ["oncall@example.test", "lead@example.test"]
    parsed = message_from_bytes(raw)
    assert parsed["Subject"] == "[PromptOps] [TEST] Test notification for mail"
    assert "This is a test notification" in parsed.get_payload()

    # 500 once, then 200: delivered on the second attempt; 429 + Retry-After, then 204
    assert (
        got["flaky"]["status"] == "delivered" and got["flaky"]["attempts"] == 2 and got["flaky"]["http_status"] == 200
    )
    assert http_receiver.hits["/flaky"] == 2
    assert got["busy"]["status"] == "delivered" and got["busy"]["attempts"] == 2 and got["busy"]["http_status"] == 204

    # always 500: three attempts (NOTIFY_MAX_ATTEMPTS), then failed with the receiver's answer
    d = got["fail"]
    assert d["status"] == "failed" and d["attempts"] == 3 and http_receiver.hits["/fail"] == 3
    assert d["http_status"] == 500 and d["error"] == "HTTP 500: receiver exploded" and d["next_attempt_at"] is None
    # 404 is not worth retrying
    assert got["gone"]["status"] == "failed" and got["gone"]["attempts"] == 1 and got["gone"]["http_status"] == 404
    # nobody listening: connection errors, retried, then failed
    d = got["closed"]
    assert d["status"] == "failed" and d["attempts"] == 3 and d["http_status"] is None
    assert d["error"].startswith("ConnectError")
    assert elapsed < 60

    # the per-channel list, newest first, and the organization-wide filters
    r = await client.get(f"/v1{BASE}/{extra['fail']['id']}/deliveries", headers=admin.headers)
    items = r.json()["data"]["items"]
    assert [i["id"] for i in items] == [got["fail"]["id"]]
    r = await client.get(f"{BASE}/deliveries?status=failed", headers=admin.headers)
    failed_ids = sorted(i["id"] for i in r.json()["data"]["items"])
    assert failed_ids == sorted(got[n]["id"] for n in ("fail", "gone", "closed"))
    r = await client.get(f"{BASE}/deliveries?page_size=2", headers=admin.headers)
    page = r.json()["data"]
    assert page["pagination"]["total_items"] == len(sent) and len(page["items"]) == 2
    assert page["items"][0]["id"] > page["items"][1]["id"]


async def test_notify_fans_out_to_enabled_channels_once_per_dedupe_key(client, make_tenant, http_receiver):
    admin = await make_tenant("admin")
    stranger = await make_tenant("admin")
    live = await create(
        client,
        admin,
        {"name": "live", "type": "webhook", "config": {"url": http_receiver.url("/ok")}, "secret": SECRET},
    )
    off = await create(
        client, admin, {"name": "off", "type": "webhook", "config": {"url": http_receiver.url("/ok")}, "enabled": False}
    )
    theirs = await create(
        client, stranger, {"name": "t", "type": "webhook", "config": {"url": http_receiver.url("/ok")}}
    )
    event = {
        "title": "p95 latency above 800 ms",
        "severity": "critical",
        "rule_id": 7,
        "value": 912.5,
        "threshold": 800,
    }

    made = await notifications.notify(
        admin.organization_id, [live["id"], off["id"], theirs["id"], 999_999], event, "alert_firing", alert_id=42,
        dedupe_key="alert:42:firing:1",
    )  # fmt: skip
    assert [(d.channel_id, d.kind, d.status, d.alert_id) for d in made] == [(live["id"], "alert_firing", "queued", 42)]
    again = await notifications.notify(
        admin.organization_id, [live["id"]], event, "alert_firing", alert_id=42, dedupe_key="alert:42:firing:1"
    )
    assert again == []
    with pytest.raises(ValueError):
        await notifications.notify(admin.organization_id, [live["id"]], event, "alert_exploded")
    with pytest.raises(ValueError):
        await notifications.notify(admin.organization_id, [live["id"]], {"blob": "x" * 70_000}, "alert_firing")
    assert await notifications.notify(admin.organization_id, [], event, "alert_firing") == []

    result = await jobs.deliver_notification({"job_try": 1}, made[0].id)
    assert result == {"delivery_id": made[0].id, "status": "delivered", "attempts": 1}
    # at-least-once: a repeated job does not send twice
    assert (await jobs.deliver_notification({"job_try": 2}, made[0].id))["status"] == "delivered"
    (req,) = http_receiver.at("/ok")
    verify_signature(req)
    body = req.json()
    assert body["kind"] == "alert_firing" and body["alert_id"] == 42 and body["event"] == event

    r = await client.get(f"{BASE}/deliveries?alert_id=42", headers=admin.headers)
    (listed,) = r.json()["data"]["items"]
    assert listed["status"] == "delivered" and listed["http_status"] == 200 and listed["payload"] == event

    resolved_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    resolved_event = {**event, "status": "resolved", "resolved_at": resolved_at, "value": Decimal("612.25")}
    resolved = await notifications.notify(admin.organization_id, [live["id"]], resolved_event, "alert_resolved", 42)
    assert await jobs.deliver_notification({}, resolved[0].id) == {
        "delivery_id": resolved[0].id,
        "status": "delivered",
        "attempts": 1,
    }
    assert [r.json()["kind"] for r in http_receiver.at("/ok")] == ["alert_firing", "alert_resolved"]
    sent_event = http_receiver.at("/ok")[1].json()["event"]
    assert sent_event["resolved_at"] == "2026-01-02T03:04:05Z" and sent_event["value"] == 612.25
    assert not any(r.json()["channel"]["id"] in (off["id"], theirs["id"]) for r in http_receiver.requests)


async def test_a_receiver_slower_than_the_timeout_fails_the_attempt(client, make_tenant, http_receiver):
    admin = await make_tenant("admin")
    slow = await create(
        client, admin, {"name": "slow", "type": "webhook", "config": {"url": http_receiver.url("/slow")}}
    )
    (queued,) = await notifications.notify(admin.organization_id, [slow["id"]], {"title": "t"}, "alert_firing", 9)
    quick = get_settings().with_overrides(notify_timeout_seconds=0.5, notify_max_attempts=2, notify_backoff_seconds=3)
    started = time.monotonic()
    first = await notification_delivery.attempt(queued.id, quick)
    assert time.monotonic() - started < 1.9  # gave up at the deadline, not when the receiver answered
    assert first.status == "queued" and first.attempts == 1 and first.retry_in_seconds == 3
    d = await delivery(client, admin, queued.id)
    assert d["status"] == "queued" and d["error"].startswith("timed out after 0.5s") and d["next_attempt_at"]
    second = await notification_delivery.attempt(queued.id, quick)
    assert second.status == "failed" and second.retry_in_seconds is None
    d = await delivery(client, admin, queued.id)
    assert d["status"] == "failed" and d["attempts"] == 2 and d["next_attempt_at"] is None
    assert http_receiver.hits["/slow"] == 2


async def test_smtp_refusals_are_recorded_with_the_servers_reply(client, make_tenant, smtp_receiver):
    admin = await make_tenant("admin")
    server = {"host": "127.0.0.1", "port": smtp_receiver.port, "from": "alerts@example.test", "starttls": False}
    refused = await create(client, admin, {"name": "r", "type": "email", "config": {**server, "to": ["nobody@x.test"]}})
    mixed = await create(
        client, admin, {"name": "m", "type": "email", "config": {**server, "to": ["ok@x.test", "nobody@x.test"]}}
    )
    event = {"title": "cost per run doubled", "severity": "warning", "value": 0.04}
    (bad,) = await notifications.notify(admin.organization_id, [refused["id"]], event, "alert_firing", 5)
    (part,) = await notifications.notify(admin.organization_id, [mixed["id"]], event, "alert_firing", 5)

    assert (await jobs.deliver_notification({}, bad.id))["status"] == "failed"  # a 5xx is final: no retry
    d = await delivery(client, admin, bad.id)
    assert d["attempts"] == 1 and d["smtp_reply"] == "550 5.1.1 No such user"
    assert d["error"] == "all recipients refused: nobody@x.test: 550 5.1.1 No such user"

    assert (await jobs.deliver_notification({}, part.id))["status"] == "delivered"
    d = await delivery(client, admin, part.id)
    assert (
        d["smtp_reply"].startswith("250") and d["error"] == "refused recipients: nobody@x.test: 550 5.1.1 No such user"
    )
    ((_sender, rcpts, raw),) = smtp_receiver.messages
    assert rcpts == ["ok@x.test"]
    parsed = message_from_bytes(raw)
    assert parsed["Subject"] == "[PromptOps] [FIRING/WARNING] cost per run doubled"
    assert "value: 0.04" in parsed.get_payload()


# ---------------------------------------------------------------------------- GraphQL


async def gql(client, tenant, query: str, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()


CHANNEL_FIELDS = "id name type config secretSet enabled createdAt updatedAt"
DELIVERY_FIELDS = "id channelId kind status attempts maxAttempts httpStatus smtpReply latencyMs error jobId alertId"
CREATE = (
    "mutation($input: CreateNotificationChannelInput!) "
    f"{{ createNotificationChannel(input: $input) {{ {CHANNEL_FIELDS} }} }}"
)
UPDATE = (
    "mutation($id: Int!, $input: UpdateNotificationChannelInput!) "
    "{ updateNotificationChannel(id: $id, input: $input) { name enabled secretSet } }"
)
TEST = (
    'mutation($id: Int!) { testNotificationChannel(id: $id, message: "via graphql") '
    f"{{ jobId deliveryId delivery {{ {DELIVERY_FIELDS} }} }} }}"
)


async def test_graphql_channels_and_a_delivered_test(client, make_tenant, http_receiver):
    admin = await make_tenant("admin")
    out = await gql(
        client,
        admin,
        CREATE,
        input={"name": "gql hook", "type": "webhook", "config": {"url": http_receiver.url("/ok")}, "secret": SECRET},
    )
    assert "errors" not in out, out
    channel = out["data"]["createNotificationChannel"]
    assert channel["type"] == "webhook" and channel["secretSet"] is True and SECRET not in json.dumps(out)

    bad = await gql(
        client,
        admin,
        "mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }",
        input={
            "name": "bad",
            "type": "email",
            "config": {"to": ["not-an-address"], "host": "h.test", "from": "a@b.test"},
        },
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert bad["errors"][0]["extensions"]["details"][0]["field"] == "config.to.0"

    out = await gql(
        client,
        admin,
        UPDATE,
        id=channel["id"],
        input={"name": "renamed"},
    )
    assert out["data"]["updateNotificationChannel"] == {"name": "renamed", "enabled": True, "secretSet": True}

    out = await gql(client, admin, "{ notificationChannels { id name config } }")
    assert out["data"]["notificationChannels"] == [
        {"id": channel["id"], "name": "renamed", "config": {"url": http_receiver.url("/ok")}}
    ]

    out = await gql(
        client,
        admin,
        TEST,
        id=channel["id"],
    )
    test = out["data"]["testNotificationChannel"]
    assert test["jobId"] and test["delivery"]["status"] == "queued" and test["delivery"]["id"] == test["deliveryId"]

    # the REST test runs the real worker; here the job function runs in this process with the queued id
    assert await jobs.deliver_notification({}, test["deliveryId"]) == {
        "delivery_id": test["deliveryId"],
        "status": "delivered",
        "attempts": 1,
    }
    out = await gql(
        client,
        admin,
        f"query($id: Int!) {{ notificationDelivery(id: $id) {{ {DELIVERY_FIELDS} payload }} }}",
        id=test["deliveryId"],
    )
    d = out["data"]["notificationDelivery"]
    assert d["status"] == "delivered" and d["httpStatus"] == 200 and d["attempts"] == 1 and d["jobId"] == test["jobId"]
    assert d["payload"]["message"] == "via graphql" and d["latencyMs"] > 0
    (req,) = http_receiver.at("/ok")
    verify_signature(req)
    assert req.json()["channel"]["name"] == "renamed"

    member = await make_tenant("member", org=None)
    out = await gql(client, member, "{ notificationChannels { id } }")
    assert out["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    out = await gql(client, admin, "mutation($id: Int!) { deleteNotificationChannel(id: $id) }", id=channel["id"])
    assert out["data"]["deleteNotificationChannel"] is True
    out = await gql(client, admin, "query($id: Int!) { notificationDelivery(id: $id) { id } }", id=test["deliveryId"])
    assert out["errors"][0]["extensions"]["code"] == "NOT_FOUND"
