"""Notification channels and deliveries, against real receivers on 127.0.0.1.

An HTTP server (stdlib, in a thread) records every request; an aiosmtpd server records
every message.  Test sends go through the REST route and a real worker process;
``notify`` runs the job function in this process.  Nothing is mocked.

The receivers listen on loopback, which the outbound policy refuses by default: every test
here runs with ``OUTBOUND_ALLOW_CIDRS`` opening loopback (see ``tests/notifications/test_outbound.py`` for
the policy itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import socket
import ssl
import subprocess
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
from aiosmtpd.smtp import SMTP, AuthResult
from arq.jobs import Job

from models.notifications import NotificationChannel, NotificationDelivery
from services.core import job_queue, outbound
from services.core.config import get_settings
from services.notifications import channels as notifications
from services.notifications import delivery as notification_delivery
from services.notifications import senders
from tests.conftest import worker_process
from workers import jobs

BASE = "/admin/monitoring-alerts/monitoring/notifications"
SECRET = "s3cret-signing-key"
# The burst worker runs with fast retries so a failing endpoint is given up on in seconds.
WORKER_ENV = {"NOTIFY_MAX_ATTEMPTS": "3", "NOTIFY_BACKOFF_SECONDS": "0.2", "NOTIFY_TIMEOUT_SECONDS": "10"}
LOOPBACK = "127.0.0.0/8,::1/128"
ALERT_ID = 900_042  # notify() takes any alert id; far from the real alerts other test files create


@contextlib.contextmanager
def environment(**values: str):
    """Set environment variables for this process (and the workers it starts); settings are re-read."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def loopback_allowed():
    """The receivers below are on 127.0.0.1: let the outbound policy reach loopback."""
    with environment(OUTBOUND_ALLOW_CIDRS=LOOPBACK):
        yield


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


class RecordingSMTP(SMTP):
    """aiosmtpd's server, noting every connection and every AUTH command (whatever its outcome)."""

    def connection_made(self, transport) -> None:
        self.event_handler.connections += 1
        super().connection_made(transport)

    async def smtp_AUTH(self, arg: str) -> None:
        self.event_handler.auth_commands.append(arg)
        await super().smtp_AUTH(arg)


class RecordingController(Controller):
    def factory(self) -> SMTP:
        return RecordingSMTP(self.handler, **self.SMTP_kwargs)


class SmtpRecorder:
    """Accepts mail; offers AUTH even without TLS (as a careless server does) and records any attempt."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.auth_commands: list[str] = []
        self.logins: list[tuple[str, str]] = []
        self.connections = 0
        self.port = 0

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # aiosmtpd callback
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # aiosmtpd hook
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(**smtp_options):
    recorder = SmtpRecorder()
    controller = RecordingController(
        recorder,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=recorder.authenticate,
        auth_require_tls=False,
        **smtp_options,
    )
    controller.start()
    recorder.port = controller.port
    recorder.connections = 0  # start() made one itself, to see the server is up
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def smtp_receiver():
    """A plaintext SMTP server: no STARTTLS on offer, AUTH offered anyway."""
    with smtp_server() as recorder:
        yield recorder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{_free_port()}/nobody-listens"


@pytest.fixture
async def running_worker(loopback_allowed, tmp_path):
    """A real arq worker process (not burst) for the duration of a test; its log goes to ``worker.log``."""
    log = os.open(tmp_path / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        async with worker_process(WORKER_ENV, log) as proc:
            yield proc
    finally:
        os.close(log)


async def settled(delivery_ids: list[int], seconds: float = 60) -> None:
    """Wait until every delivery is delivered or failed."""
    deadline = time.monotonic() + seconds
    while await NotificationDelivery.filter(id__in=delivery_ids, status__not_in=("delivered", "failed")).exists():
        assert time.monotonic() < deadline, "deliveries did not settle"
        await asyncio.sleep(0.1)


# ---------------------------------------------------------------------------- helpers


async def create(client, tenant, body: dict, prefix: str = "") -> dict:
    r = await client.post(prefix + BASE, json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def send_via_route(client, tenant, channel_id: int, status: int = 200, **body) -> dict:
    r = await client.post(f"{BASE}/{channel_id}/test", json=body or None, headers=tenant.headers)
    assert r.status_code == status, r.text
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
                "allow_plaintext": True,
            },
        },
    )
    assert mail["config"]["password_set"] is True and "password" not in mail["config"]
    assert mail["config"]["from"] == "alerts@example.test" and mail["config"]["port"] == 2525
    assert mail["config"]["allow_plaintext"] is True and mail["config"]["use_tls"] is False

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
        ({"name": "x", "type": "webhook", "config": {"url": "http://0177.0.0.1/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://127.1/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://0x7f.0.0.1/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://[::1"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://user@:80/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a@b@c.test/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test\\@b.test/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://%61.test/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test:99999/"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test/\x00"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "http://a.test/" + "a" * 2000}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "javascript:alert(1)"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": "file:///etc/passwd"}}, "config.url"),
        ({"name": "x", "type": "webhook", "config": {"url": 42}}, "config.url"),
        ({"name": "x\x00", "type": "webhook", "config": {"url": "http://a.test"}}, "name"),
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
        ({"name": "x", "type": "email", "config": {**MAIL, "host": "smtp.test:25"}}, "config.host"),
        ({"name": "x", "type": "email", "config": {**MAIL, "host": "0177.0.0.1"}}, "config.host"),
        ({"name": "x", "type": "email", "config": {**MAIL, "starttls": False}}, "config.starttls"),
        ({"name": "x", "type": "email", "config": {**MAIL, "allow_plaintext": "maybe"}}, "config.allow_plaintext"),
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
    lone_surrogate = b'{"name": "x", "type": "webhook", "config": {"url": "http://a.test/\\ud800"}}'
    r = await client.post(BASE, content=lone_surrogate, headers={**admin.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config.url", r.text
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
    client, make_tenant, http_receiver, smtp_receiver, running_worker
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
                "allow_plaintext": True,  # the receiver offers no STARTTLS
            },
        },
    )
    urls = {"flaky": "/flaky", "busy": "/busy", "fail": "/fail", "gone": "/gone"}
    extra = {}
    for name, path in urls.items():
        body = {"name": name, "type": "webhook", "config": {"url": http_receiver.url(path)}}
        extra[name] = await create(client, admin, body)
    closed = await create(client, admin, {"name": "closed", "type": "webhook", "config": {"url": _closed_port_url()}})

    # the route waits for the worker's first attempt and answers 200 with its outcome
    started = time.monotonic()
    sent = {"hook": await send_via_route(client, admin, hook["id"], message="hello from the test")}
    sent["slack"] = await send_via_route(client, admin, slack["id"])
    sent["mail"] = await send_via_route(client, admin, mail["id"])
    for name, channel in [*extra.items(), ("closed", closed)]:
        sent[name] = await send_via_route(client, admin, channel["id"])
    first = sent["hook"]
    assert first["job_id"] and first["delivery_id"] == first["delivery"]["id"] and first["completed"] is True
    assert first["delivery"]["status"] == "delivered" and first["delivery"]["attempts"] == 1
    assert first["delivery"]["http_status"] == 200 and first["delivery"]["latency_ms"] > 0
    assert first["delivery"]["payload"]["message"] == "hello from the test"
    assert sent["mail"]["delivery"]["status"] == "delivered" and sent["mail"]["delivery"]["smtp_reply"].startswith(
        "250"
    )
    answered = {name: (s["completed"], s["delivery"]["status"], s["delivery"]["error"]) for name, s in sent.items()}
    assert answered["gone"] == (True, "failed", "HTTP 404")  # final at once
    assert answered["flaky"] == (True, "queued", "HTTP 500")  # a retry is scheduled
    assert answered["closed"] == (True, "queued", "connection failed")
    assert sent["flaky"]["delivery"]["next_attempt_at"] is not None

    await settled([s["delivery_id"] for s in sent.values()])
    elapsed = time.monotonic() - started
    got = {name: await delivery(client, admin, s["delivery_id"]) for name, s in sent.items()}
    summary = {name: (d["status"], d["attempts"], d["error"]) for name, d in got.items()}
    assert [n for n, (status, _, _) in summary.items() if status == "delivered"] == [
        "hook", "slack", "mail", "flaky", "busy"
    ], summary  # fmt: skip

    # the job id in the answer is the arq job's: its result is the final outcome
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
    assert d["http_status"] == 500 and d["next_attempt_at"] is None
    assert d["error"] == "HTTP 500"  # the status only: a receiver's body is never stored
    # 404 is not worth retrying
    assert got["gone"]["status"] == "failed" and got["gone"]["attempts"] == 1 and got["gone"]["http_status"] == 404
    # nobody listening: connection errors, retried, then failed
    d = got["closed"]
    assert d["status"] == "failed" and d["attempts"] == 3 and d["http_status"] is None
    assert d["error"] == "connection failed"  # generic: no exception text, no port state
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
        admin.organization_id, [live["id"], off["id"], theirs["id"], 999_999], event, "alert_firing", alert_id=ALERT_ID,
        dedupe_key="alert:42:firing:1",
    )  # fmt: skip
    assert [(d.channel_id, d.kind, d.status, d.alert_id) for d in made] == [
        (live["id"], "alert_firing", "queued", ALERT_ID)
    ]
    again = await notifications.notify(
        admin.organization_id, [live["id"]], event, "alert_firing", alert_id=ALERT_ID, dedupe_key="alert:42:firing:1"
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
    assert body["kind"] == "alert_firing" and body["alert_id"] == ALERT_ID and body["event"] == event

    r = await client.get(f"{BASE}/deliveries?alert_id={ALERT_ID}", headers=admin.headers)
    (listed,) = r.json()["data"]["items"]
    assert listed["status"] == "delivered" and listed["http_status"] == 200 and listed["payload"] == event

    resolved_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    resolved_event = {**event, "status": "resolved", "resolved_at": resolved_at, "value": Decimal("612.25")}
    resolved = await notifications.notify(
        admin.organization_id, [live["id"]], resolved_event, "alert_resolved", ALERT_ID
    )
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
    (queued,) = await notifications.notify(admin.organization_id, [slow["id"]], {"title": "t"}, "alert_firing")
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
    server = {
        "host": "127.0.0.1",
        "port": smtp_receiver.port,
        "from": "alerts@example.test",
        "starttls": False,
        "allow_plaintext": True,
    }
    refused = await create(client, admin, {"name": "r", "type": "email", "config": {**server, "to": ["nobody@x.test"]}})
    mixed = await create(
        client, admin, {"name": "m", "type": "email", "config": {**server, "to": ["ok@x.test", "nobody@x.test"]}}
    )
    event = {"title": "cost per run doubled", "severity": "warning", "value": 0.04}
    (bad,) = await notifications.notify(admin.organization_id, [refused["id"]], event, "alert_firing")
    (part,) = await notifications.notify(admin.organization_id, [mixed["id"]], event, "alert_firing")

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


async def test_test_route_answers_202_when_no_worker_attempts_in_time(client, make_tenant, http_receiver):
    admin = await make_tenant("admin")
    hook = await create(client, admin, {"name": "h", "type": "webhook", "config": {"url": http_receiver.url("/ok")}})
    with environment(NOTIFY_TIMEOUT_SECONDS="0.5"):  # the route waits 0.5 s + 2 s of grace
        started = time.monotonic()
        queued = await send_via_route(client, admin, hook["id"], status=202)
        waited = time.monotonic() - started
    assert 2.4 <= waited < 10, waited
    assert queued["completed"] is False and queued["job_id"]
    assert queued["delivery"]["status"] == "queued" and queued["delivery"]["attempts"] == 0
    # the job stays queued: whichever worker runs it later delivers it (here: the job function, in-process)
    outcome = await jobs.deliver_notification({}, queued["delivery_id"])
    assert outcome == {"delivery_id": queued["delivery_id"], "status": "delivered", "attempts": 1}


MAILER = {"username": "mailer", "password": "smtp-pass-999"}


async def test_email_requires_tls_unless_the_channel_allows_plaintext(client, make_tenant, smtp_receiver):
    """The receiver offers AUTH but no STARTTLS: by default nothing is said after EHLO, least of all the password."""
    admin = await make_tenant("admin")
    server = {"to": ["oncall@example.test"], "host": "127.0.0.1", "port": smtp_receiver.port, "from": "a@example.test"}
    default = await create(client, admin, {"name": "default", "type": "email", "config": {**server, **MAILER}})
    assert default["config"]["allow_plaintext"] is False
    starttls = await create(
        client, admin, {"name": "starttls", "type": "email", "config": {**server, **MAILER, "starttls": True}}
    )
    for channel in (default, starttls):
        (row,) = await notifications.notify(admin.organization_id, [channel["id"]], {"title": "t"}, "alert_firing")
        assert (await jobs.deliver_notification({}, row.id))["status"] == "failed"  # final: no retry
        d = await delivery(client, admin, row.id)
        assert d["status"] == "failed" and d["attempts"] == 1 and d["error"] == senders.NO_TLS_OFFERED
        assert d["smtp_reply"] is None and d["next_attempt_at"] is None
    assert smtp_receiver.connections == 2  # it did connect (and said EHLO) ...
    assert smtp_receiver.auth_commands == [] and smtp_receiver.logins == []  # ... but never sent AUTH
    assert smtp_receiver.messages == []

    plain = await create(
        client, admin, {"name": "plain", "type": "email", "config": {**server, **MAILER, "allow_plaintext": True}}
    )
    (row,) = await notifications.notify(admin.organization_id, [plain["id"]], {"title": "t"}, "alert_firing")
    assert (await jobs.deliver_notification({}, row.id))["status"] == "delivered"
    assert smtp_receiver.logins == [("mailer", "smtp-pass-999")] and len(smtp_receiver.messages) == 1


async def test_the_server_wide_smtp_settings_require_tls_unless_smtp_allow_plaintext(
    client, make_tenant, smtp_receiver
):
    """A channel without a host uses SMTP_*; its own port and allow_plaintext do not apply to that server."""
    admin = await make_tenant("admin")
    channel = await NotificationChannel.create(
        organization_id=admin.organization_id,
        name="via operator smtp",
        kind="email",
        config={"to": ["oncall@example.test"], "port": _free_port(), "allow_plaintext": True},
    )
    operator = get_settings().with_overrides(
        smtp_host="127.0.0.1",
        smtp_port=smtp_receiver.port,
        smtp_from="ops@example.test",
        smtp_username="operator",
        smtp_password="operator-pass",
        outbound_allow_cidrs=(),  # the operator's own SMTP_HOST is trusted configuration, not policy-checked
    )
    (row,) = await notifications.notify(admin.organization_id, [channel.id], {"title": "t"}, "alert_firing")
    outcome = await notification_delivery.attempt(row.id, operator)
    assert outcome.status == "failed"
    d = await delivery(client, admin, row.id)
    assert d["error"] == senders.NO_TLS_OFFERED and smtp_receiver.connections == 1
    assert smtp_receiver.auth_commands == [] and smtp_receiver.messages == []
    (row,) = await notifications.notify(admin.organization_id, [channel.id], {"title": "t"}, "alert_firing")
    assert (
        await notification_delivery.attempt(row.id, operator.with_overrides(smtp_starttls=False))
    ).status == "failed"
    d = await delivery(client, admin, row.id)
    assert d["error"] == senders.NO_TLS_DISABLED and smtp_receiver.connections == 1  # refused before connecting

    (row,) = await notifications.notify(admin.organization_id, [channel.id], {"title": "t"}, "alert_firing")
    outcome = await notification_delivery.attempt(row.id, operator.with_overrides(smtp_allow_plaintext=True))
    assert outcome.status == "delivered"
    assert smtp_receiver.logins == [("operator", "operator-pass")]
    ((sender, rcpts, _raw),) = smtp_receiver.messages
    assert sender == "ops@example.test" and rcpts == ["oncall@example.test"]


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_starttls_with_an_untrusted_certificate_fails_before_auth(client, make_tenant, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    admin = await make_tenant("admin")
    with smtp_server(tls_context=_self_signed(tmp_path)) as receiver:
        config = {"to": ["a@example.test"], "host": "127.0.0.1", "port": receiver.port, "from": "a@example.test"}
        channel = await create(client, admin, {"name": "tls", "type": "email", "config": {**config, **MAILER}})
        (row,) = await notifications.notify(admin.organization_id, [channel["id"]], {"title": "t"}, "alert_firing")
        once = get_settings().with_overrides(notify_max_attempts=1)
        assert (await notification_delivery.attempt(row.id, once)).status == "failed"
        d = await delivery(client, admin, row.id)
        assert d["error"] == "TLS handshake failed" and d["attempts"] == 1
        assert receiver.connections == 1 and receiver.auth_commands == [] and receiver.messages == []


async def test_a_delivery_always_ends_in_a_final_state(client, make_tenant, http_receiver):
    """Channel configs broken directly in the database, and a sender raising, still end ``failed``."""
    admin = await make_tenant("admin")
    mail = {"host": "127.0.0.1", "from": "a@example.test", "to": ["b@example.test"]}
    broken = {
        "octal": ("webhook", {"url": "http://0177.0.0.1/"}, "invalid destination URL"),
        "unterminated": ("webhook", {"url": "http://[::1"}, "invalid destination URL"),
        "scheme": ("slack", {"url": "gopher://a.test/"}, "invalid destination URL"),
        "space": ("webhook", {"url": "http://a.test/a b"}, "invalid destination URL"),
        "number": ("webhook", {"url": 12345}, notification_delivery.INVALID_CONFIG),
        "no url": ("webhook", {}, notification_delivery.INVALID_CONFIG),
        "not an object": ("slack", ["not", "an", "object"], notification_delivery.INVALID_CONFIG),
        "recipients": ("email", {**mail, "to": "b@example.test"}, notification_delivery.INVALID_CONFIG),
        "port": ("email", {**mail, "port": "twenty-five"}, notification_delivery.INVALID_CONFIG),
        "private": ("webhook", {"url": "http://10.0.0.1/"}, outbound.REFUSED),  # refused before any I/O
        "metadata": ("webhook", {"url": "http://169.254.169.254/"}, outbound.REFUSED),
        "type": ("pager", {"url": http_receiver.url("/ok")}, "unknown channel type 'pager'"),
    }
    for name, (kind, config, error) in broken.items():
        made = await create(
            client, admin, {"name": name, "type": "webhook", "config": {"url": http_receiver.url("/ok")}}
        )
        await NotificationChannel.filter(id=made["id"]).update(kind=kind, config=config)
        (row,) = await notifications.notify(admin.organization_id, [made["id"]], {"title": "t"}, "alert_firing")
        outcome = await jobs.deliver_notification({}, row.id)
        assert outcome == {"delivery_id": row.id, "status": "failed", "attempts": 1}, name
        d = await delivery(client, admin, row.id)
        assert (d["status"], d["error"], d["next_attempt_at"]) == ("failed", error, None), name

    # an unexpected exception inside the sender (an event that is not an object breaks the Slack text)
    slack = await create(client, admin, {"name": "s", "type": "slack", "config": {"url": http_receiver.url("/ok")}})
    row = await NotificationDelivery.create(
        organization_id=admin.organization_id, channel_id=slack["id"], kind="alert_firing", payload=[1, 2, 3]
    )
    assert (await jobs.deliver_notification({}, row.id))["status"] == "failed"
    d = await delivery(client, admin, row.id)
    assert d["status"] == "failed" and d["error"] == notification_delivery.INTERNAL_ERROR and d["attempts"] == 1
    assert not http_receiver.requests


async def test_delivery_errors_do_not_tell_open_ports_from_closed_ones(client, make_tenant, smtp_receiver):
    """A webhook aimed at a port that speaks something else fails exactly like one where nobody listens."""
    admin = await make_tenant("admin")
    targets = {"open": f"http://127.0.0.1:{smtp_receiver.port}/", "closed": _closed_port_url()}
    once = get_settings().with_overrides(notify_max_attempts=1)
    errors = {}
    for name, url in targets.items():
        hook = await create(client, admin, {"name": name, "type": "webhook", "config": {"url": url}})
        (row,) = await notifications.notify(admin.organization_id, [hook["id"]], {"title": "t"}, "alert_firing")
        assert (await notification_delivery.attempt(row.id, once)).status == "failed"
        d = await delivery(client, admin, row.id)
        errors[name] = (d["error"], d["http_status"], d["smtp_reply"])
    assert errors == {"open": ("connection failed", None, None), "closed": ("connection failed", None, None)}


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
    f"{{ jobId deliveryId completed delivery {{ {DELIVERY_FIELDS} }} }} }}"
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

    with environment(NOTIFY_TIMEOUT_SECONDS="0.1"):  # no worker runs here: the mutation waits 2.1 s, like REST
        out = await gql(client, admin, TEST, id=channel["id"])
    test = out["data"]["testNotificationChannel"]
    assert test["jobId"] and test["delivery"]["status"] == "queued" and test["delivery"]["id"] == test["deliveryId"]
    assert test["completed"] is False

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


async def test_names_are_one_line(client, make_tenant, http_receiver):
    """A CR/LF in a name would end up in e-mail headers (and fail every delivery): refused at the edge."""
    admin = await make_tenant("admin")
    body = {"name": "ops\r\nBcc: x@evil.test", "type": "webhook", "config": {"url": http_receiver.url("/ok")}}
    r = await client.post(BASE, json=body, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "name", r.text
    rule = {"name": "r\n2", "metric": "error_rate", "comparison": "gt", "threshold": 0.5}
    r = await client.post("/admin/prompt-analytics/alerts/rules", json=rule, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "name", r.text


async def test_a_delivery_held_by_a_killed_worker_is_sent_by_the_next_one(client, make_tenant, http_receiver):
    """A worker killed outright (SIGKILL: out of memory) during an attempt removes nothing: arq keeps
    the job marked in progress for the longest job timeout plus 10 s, three hours here, and every
    other worker skips it.  Once the mark is older than the delivery job's own timeout, the next
    worker's ``release_stalled_jobs`` gives the job back and the delivery is sent."""
    import signal

    from arq.constants import in_progress_key_prefix

    from tests.conftest import run_worker_burst
    from workers.settings import _job_timeouts

    admin = await make_tenant("admin")
    hook = await create(
        client, admin, {"name": "slow", "type": "webhook", "config": {"url": http_receiver.url("/slow")}}
    )
    async with worker_process(WORKER_ENV) as proc:
        [sent] = await notifications.notify(admin.organization_id, [hook["id"]], {"message": "killed"}, "test")
        deadline = time.monotonic() + 60
        while not http_receiver.hits["/slow"]:  # the attempt is out: the receiver holds it for 2 s
            assert time.monotonic() < deadline, "the worker did not start the attempt"
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    row = await NotificationDelivery.get(id=sent.id)
    assert (row.status, row.attempts) == ("delivering", 1)
    timeouts, mark_ttl = _job_timeouts()
    redis = await job_queue.pool()
    try:
        mark = in_progress_key_prefix + row.job_id
        assert await redis.pttl(mark) > (mark_ttl - 60) * 1000  # held for about three hours
        # as it stands a job timeout (and the margin) after the kill, without waiting for it
        age = timeouts["deliver_notification"] + job_queue.STALL_MARGIN_SECONDS + 5
        await redis.pexpire(mark, int((mark_ttl - age) * 1000))
        done = await run_worker_burst()  # ended only once it has sent the delivery: nothing is held
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"released 1 job(s) a stopped worker still held: {row.job_id}" in done.stderr
        assert not await redis.exists(mark)
    finally:
        await redis.aclose()
    row = await NotificationDelivery.get(id=sent.id)
    assert (row.status, row.attempts, row.http_status) == ("delivered", 2, 200)
    assert http_receiver.hits["/slow"] == 2


async def test_attempts_cut_off_by_their_job_timeout_are_ended_and_tried_again(client, make_tenant, http_receiver):
    """arq cancels a delivery job at its timeout (a send slower than all its own timeouts: an SMTP
    server dripping each reply, a name that never resolves).  No outcome was written and arq does
    not run that job again, so the delivery stayed ``delivering`` for good.  The alert cycle's sweep
    ends such an attempt as failed: the next attempt is sent, or after the last one the delivery
    fails; one attempt that is merely slow (younger than the job timeout) is left alone."""
    from datetime import timedelta

    from arq.constants import job_key_prefix, result_key_prefix

    admin = await make_tenant("admin")
    hook = await create(client, admin, {"name": "ok", "type": "webhook", "config": {"url": http_receiver.url("/ok")}})
    [retried] = await notifications.notify(admin.organization_id, [hook["id"]], {"message": "cut off"}, "test")
    [last] = await notifications.notify(admin.organization_id, [hook["id"]], {"message": "cut off last"}, "test")
    [young] = await notifications.notify(admin.organization_id, [hook["id"]], {"message": "still running"}, "test")
    timeout = notifications.attempt_timeout_seconds(get_settings())
    redis = await job_queue.pool()
    try:
        for sent in (retried, last, young):  # what arq leaves when it cancels a job at its timeout
            job_id = (await NotificationDelivery.get(id=sent.id)).job_id
            await redis.zrem(job_queue.queue_name(), job_id)
            await redis.delete(job_key_prefix + job_id)
            await redis.set(result_key_prefix + job_id, b"timed out", ex=3600)
    finally:
        await redis.aclose()
    now = datetime.now(UTC)
    long_ago = now - timedelta(seconds=timeout + 60)
    await NotificationDelivery.filter(id=retried.id).update(status="delivering", attempts=1, updated_at=long_ago)
    most = get_settings().notify_max_attempts  # what the sweep (this process) reads
    await NotificationDelivery.filter(id=last.id).update(status="delivering", attempts=most, updated_at=long_ago)
    await NotificationDelivery.filter(id=young.id).update(status="delivering", attempts=1, updated_at=now)

    async with worker_process(WORKER_ENV):
        assert await notifications.requeue_stale(datetime.now(UTC)) == 1  # what the alert cycle runs
        await settled([retried.id])
    rows = {r.id: r for r in await NotificationDelivery.filter(id__in=[retried.id, last.id, young.id])}
    assert (rows[retried.id].status, rows[retried.id].attempts, rows[retried.id].http_status) == ("delivered", 2, 200)
    assert (rows[last.id].status, rows[last.id].attempts) == ("failed", most)
    assert rows[last.id].error == notification_delivery.INTERRUPTED
    assert (rows[young.id].status, rows[young.id].attempts) == ("delivering", 1)
    assert [r.body for r in http_receiver.at("/ok")] and len(http_receiver.at("/ok")) == 1
