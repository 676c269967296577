"""The outbound policy: which destinations notification channels may name, and deliveries reach.

Without ``OUTBOUND_ALLOW_CIDRS`` (every test here starts with it empty), loopback, private,
link-local, CGNAT, multicast, documentation and reserved addresses are refused: literal
addresses when a channel is saved (a 400 naming the field, no I/O at all), names when a
delivery resolves them.  The only traffic these tests send goes to receivers on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import ThreadingHTTPServer

import pytest

from services.core import outbound
from services.core.config import ConfigError, Settings, load_settings
from services.notifications import channels as notifications
from tests.notifications import test_notifications as receivers
from tests.notifications.test_notifications import BASE, LOOPBACK, create, delivery, environment, gql
from workers import jobs

REFUSED_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://127.9.9.9/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://[::1]/",
    "http://[::1]:8080/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.10/",
    "http://[2001:db8::1]/",
    "http://240.0.0.1/",
    "http://198.18.0.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "https://[2002:c0a8:101::1]/",
]


@pytest.fixture
def web():
    """The recording HTTP receiver of ``test_notifications``, on 127.0.0.1."""
    receiver = receivers.HttpReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receivers._handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def mail():
    with receivers.smtp_server() as recorder:
        yield recorder


@pytest.fixture(autouse=True)
def no_allowance():
    """The policy as shipped: nothing allowed beyond public addresses."""
    with environment(OUTBOUND_ALLOW_CIDRS=""):
        yield


async def test_non_public_literal_addresses_are_refused_at_creation_naming_the_field(client, make_tenant):
    admin = await make_tenant("admin")
    for url in REFUSED_URLS:
        for kind in ("webhook", "slack"):
            r = await client.post(BASE, json={"name": "x", "type": kind, "config": {"url": url}}, headers=admin.headers)
            assert r.status_code == 400, (url, r.text)
            error = r.json()["error"]
            assert error["code"] == "BAD_REQUEST" and [d["field"] for d in error["details"]] == ["config.url"], url
            assert "refused by the outbound policy" in error["details"][0]["message"], error
    mail = {"to": ["a@example.test"], "from": "a@example.test"}
    for host in ("127.0.0.1", "10.0.0.1", "192.168.1.1", "::1", "[::1]", "169.254.169.254", "100.100.100.200"):
        r = await client.post(
            BASE, json={"name": "m", "type": "email", "config": {**mail, "host": host}}, headers=admin.headers
        )
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config.host", (host, r.text)

    # public destinations are accepted (nothing is contacted when saving)
    for url in ("http://8.8.8.8/", "https://hooks.example.com/in", "http://[2606:4700:4700::1111]:8443/x"):
        await create(client, admin, {"name": url, "type": "webhook", "config": {"url": url}})
    hook = await create(client, admin, {"name": "h", "type": "webhook", "config": {"url": "https://a.example.com/"}})
    for prefix in ("", "/v1"):
        r = await client.patch(
            f"{prefix}{BASE}/{hook['id']}", json={"config": {"url": "http://[::1]:6379/"}}, headers=admin.headers
        )
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config.url"
    out = await gql(
        client,
        admin,
        "mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }",
        input={"name": "g", "type": "webhook", "config": {"url": "http://192.168.1.1/"}},
    )
    assert out["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert out["errors"][0]["extensions"]["details"][0]["field"] == "config.url"


async def test_the_operator_allows_named_networks_but_never_metadata(client, make_tenant):
    admin = await make_tenant("admin")
    with environment(OUTBOUND_ALLOW_CIDRS="127.0.0.0/8, 10.20.0.0/16 ,169.254.0.0/16"):
        for url in ("http://127.0.0.1:8080/", "http://10.20.3.4/", "http://[::ffff:10.20.0.9]/", "http://169.254.1.1/"):
            await create(client, admin, {"name": url, "type": "webhook", "config": {"url": url}})
        for url in ("http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/", "http://metadata.google.internal/"):
            r = await client.post(
                BASE, json={"name": "x", "type": "webhook", "config": {"url": url}}, headers=admin.headers
            )
            assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "config.url", url


async def test_a_name_resolving_to_loopback_is_refused_at_delivery(client, make_tenant, web, mail):
    """``localhost`` is a name: saving it does no DNS, the delivery resolves it and refuses, sending nothing."""
    admin = await make_tenant("admin")
    url = f"http://localhost:{web.port}/ok"
    hook = await create(client, admin, {"name": "hook", "type": "webhook", "config": {"url": url}})
    slack = await create(client, admin, {"name": "slack", "type": "slack", "config": {"url": url}})
    mailer = await create(
        client,
        admin,
        {
            "name": "mail",
            "type": "email",
            "config": {
                "to": ["a@example.test"],
                "from": "a@example.test",
                "host": "localhost",
                "port": mail.port,
                "allow_plaintext": True,
            },
        },
    )
    for channel in (hook, slack, mailer):
        (row,) = await notifications.notify(admin.organization_id, [channel["id"]], {"title": "t"}, "alert_firing")
        outcome = await jobs.deliver_notification({}, row.id)
        assert outcome == {"delivery_id": row.id, "status": "failed", "attempts": 1}  # final: not retried
        d = await delivery(client, admin, row.id)
        assert d["status"] == "failed" and d["error"] == outbound.REFUSED and d["next_attempt_at"] is None
        assert d["http_status"] is None and d["smtp_reply"] is None
    assert web.requests == []
    assert mail.connections == 0 and mail.messages == []

    # once the operator allows loopback the same channels deliver; the pinned address keeps the Host header
    with environment(OUTBOUND_ALLOW_CIDRS=LOOPBACK):
        for channel in (hook, mailer):
            (row,) = await notifications.notify(admin.organization_id, [channel["id"]], {"title": "t"}, "alert_firing")
            assert (await jobs.deliver_notification({}, row.id))["status"] == "delivered"
    (request,) = web.requests
    assert request.headers["host"] == f"localhost:{web.port}"
    assert len(mail.messages) == 1


def test_the_address_policy():
    table = {
        "8.8.8.8": None,
        "2606:4700:4700::1111": None,
        "::ffff:8.8.8.8": None,
        "64:ff9b::808:808": None,
        "127.0.0.1": "is a loopback address",
        "::1": "is a loopback address",
        "10.1.2.3": "is a private address",
        "172.31.255.255": "is a private address",
        "192.168.0.1": "is a private address",
        "fd00::1": "is a private address",
        "100.127.0.1": "is a shared (CGNAT) address",
        "169.254.0.1": "is a link-local address",
        "fe80::1": "is a link-local address",
        "0.0.0.0": "is an unspecified address",
        "::": "is an unspecified address",
        "0.1.2.3": "is a 'this network' address",
        "255.255.255.255": "is a broadcast address",
        "239.1.1.1": "is a multicast address",
        "ff05::2": "is a multicast address",
        "203.0.113.7": "is a documentation address",
        "2001:db8::7": "is a documentation address",
        "198.19.0.1": "is a benchmarking address",
        "250.1.1.1": "is a reserved address",
        "192.0.0.8": "is a reserved address",
        "169.254.169.254": "is a cloud metadata address",
        "fd00:ec2::254": "is a cloud metadata address",
        "100.100.100.200": "is a cloud metadata address",
        "::ffff:169.254.169.254": "is a cloud metadata address",
        "::ffff:127.0.0.1": "embeds 127.0.0.1, a loopback address",
        "2002:a00:1::": "embeds 10.0.0.1, a private address",
        "64:ff9b::c0a8:101": "embeds 192.168.1.1, a private address",
    }
    for text, expected in table.items():
        assert outbound.address_problem(ipaddress.ip_address(text)) == expected, text
    allow = outbound.allowed_networks(Settings(outbound_allow_cidrs=("127.0.0.0/8", "::1/128", "100.64.0.0/10")))
    assert outbound.address_problem(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert outbound.address_problem(ipaddress.ip_address("::ffff:127.0.0.1"), allow) is None
    assert outbound.address_problem(ipaddress.ip_address("::1"), allow) is None
    assert outbound.address_problem(ipaddress.ip_address("100.100.100.200"), allow) == "is a cloud metadata address"
    assert outbound.address_problem(ipaddress.ip_address("10.0.0.1"), allow) == "is a private address"


def test_outbound_settings_are_parsed_and_checked(monkeypatch):
    monkeypatch.setenv("OUTBOUND_ALLOW_CIDRS", " 10.0.0.0/8 , ::1,192.168.1.7/24,")
    monkeypatch.setenv("SMTP_ALLOW_PLAINTEXT", "true")
    settings = load_settings()
    assert settings.outbound_allow_cidrs == ("10.0.0.0/8", "::1/128", "192.168.1.0/24")
    assert settings.smtp_allow_plaintext is True
    monkeypatch.setenv("OUTBOUND_ALLOW_CIDRS", "10.0.0.0/8,intranet")
    with pytest.raises(ConfigError, match="OUTBOUND_ALLOW_CIDRS"):
        load_settings()
    monkeypatch.delenv("OUTBOUND_ALLOW_CIDRS")
    monkeypatch.delenv("SMTP_ALLOW_PLAINTEXT")
    settings = load_settings()
    assert settings.outbound_allow_cidrs == () and settings.smtp_allow_plaintext is False
