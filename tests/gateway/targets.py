# ruff: noqa: E501  (Kong exposition lines are kept verbatim)
"""Real HTTP targets on loopback for the gateway tests: a Kong Prometheus endpoint, MCP container health
URLs that can turn unhealthy or slow, a WebSocket proxy's stats, and garbage answers (unparseable, and
garbage that parses: NaN, NUL characters, binary and broken-JSON health answers)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


def kong_text(requests_200: int, requests_500: int, requests_429: int) -> str:
    """Kong 3.x Prometheus plugin output (trimmed to the families the collector reads)."""
    return f"""# HELP kong_bandwidth_bytes Total bandwidth (ingress/egress) throughput in bytes
# TYPE kong_bandwidth_bytes counter
kong_bandwidth_bytes{{service="mcp",route="mcp-route",direction="egress",workspace="default",consumer=""}} 64000
kong_bandwidth_bytes{{service="mcp",route="mcp-route",direction="ingress",workspace="default",consumer=""}} 16000
# HELP kong_datastore_reachable Datastore reachable from Kong, 0 is unreachable
# TYPE kong_datastore_reachable gauge
kong_datastore_reachable 1
# HELP kong_http_requests_total HTTP status codes per consumer/service/route in Kong
# TYPE kong_http_requests_total counter
kong_http_requests_total{{service="mcp",route="mcp-route",code="200",source="service",workspace="default",consumer=""}} {requests_200}
kong_http_requests_total{{service="mcp",route="mcp-route",code="500",source="service",workspace="default",consumer=""}} {requests_500}
kong_http_requests_total{{service="billing",route="b",code="429",source="kong",workspace="default",consumer=""}} {requests_429}
# HELP kong_nginx_connections_total Number of connections by subsystem
# TYPE kong_nginx_connections_total gauge
kong_nginx_connections_total{{node_id="n1",subsystem="http",state="accepted"}} 120
kong_nginx_connections_total{{node_id="n1",subsystem="http",state="active"}} 7
kong_nginx_connections_total{{node_id="n1",subsystem="http",state="handled"}} 120
# HELP kong_request_latency_ms Total latency incurred during requests for each service/route in Kong
# TYPE kong_request_latency_ms histogram
kong_request_latency_ms_bucket{{service="mcp",route="mcp-route",workspace="default",le="25"}} 50
kong_request_latency_ms_bucket{{service="mcp",route="mcp-route",workspace="default",le="50"}} 80
kong_request_latency_ms_bucket{{service="mcp",route="mcp-route",workspace="default",le="100"}} 100
kong_request_latency_ms_bucket{{service="mcp",route="mcp-route",workspace="default",le="+Inf"}} 100
kong_request_latency_ms_count{{service="mcp",route="mcp-route",workspace="default"}} 100
kong_request_latency_ms_sum{{service="mcp",route="mcp-route",workspace="default"}} 3000
# HELP kong_upstream_latency_ms Latency added by upstream response for each service/route in Kong
# TYPE kong_upstream_latency_ms histogram
kong_upstream_latency_ms_bucket{{service="mcp",route="mcp-route",workspace="default",le="+Inf"}} 100
kong_upstream_latency_ms_count{{service="mcp",route="mcp-route",workspace="default"}} 100
kong_upstream_latency_ms_sum{{service="mcp",route="mcp-route",workspace="default"}} 2000
# HELP kong_upstream_target_health Health status of targets of upstream.
# TYPE kong_upstream_target_health gauge
kong_upstream_target_health{{upstream="mcp-up",target="10.0.0.1:8080",address="10.0.0.1:8080",state="healthchecks_off",subsystem="http"}} 0
kong_upstream_target_health{{upstream="mcp-up",target="10.0.0.1:8080",address="10.0.0.1:8080",state="healthy",subsystem="http"}} 1
kong_upstream_target_health{{upstream="mcp-up",target="10.0.0.2:8080",address="10.0.0.2:8080",state="unhealthy",subsystem="http"}} 1
"""


WS_STATS = """# TYPE websocket_connections_active gauge
websocket_connections_active 3
# TYPE websocket_connections_total counter
websocket_connections_total 40
# TYPE websocket_messages_sent_total counter
websocket_messages_sent_total 900
# TYPE websocket_messages_received_total counter
websocket_messages_received_total 300
# TYPE websocket_bytes_sent_total counter
websocket_bytes_sent_total 90000
# TYPE websocket_bytes_received_total counter
websocket_bytes_received_total 30000
# TYPE websocket_connection_errors_total counter
websocket_connection_errors_total 2
# TYPE websocket_connection_duration_seconds summary
websocket_connection_duration_seconds_sum 370
websocket_connection_duration_seconds_count 37
"""


# Garbage that parses: Kong text with a NaN counter, and with a NUL character inside a label value.
_500 = 'code="500",source="service",workspace="default",consumer=""}'
KONG_NAN = kong_text(1000, 0, 10).replace(f"{_500} 0", f"{_500} NaN")
KONG_INF = kong_text(1000, 0, 10).replace(f"{_500} 0", f"{_500} -Inf")
KONG_NUL = kong_text(1000, 50, 10).replace('service="billing"', 'service="bil\x00ling"')
# A container's JSON with NUL (\u0000 escapes) in its status and in a field name: PostgreSQL's jsonb refuses them.
CONTAINER_NUL = b'{"status": "ok\\u0000", "memory\\u0000bytes": 1048576}'
# 300 services with 150-character names: the breakdown keeps 100 keys of at most 100 characters.
KONG_MANY = "# TYPE kong_http_requests_total counter\n" + "".join(
    f'kong_http_requests_total{{service="{"s" * 146}{n:04d}",code="200"}} 1\n' for n in range(300)
)
CONTAINER_NUL_KEY = b'{"status": "ok", "memory\\u0000bytes": 1048576}'


class TargetServer:
    """A threaded HTTP server whose answers the test changes between collections."""

    def __init__(self) -> None:
        self.kong = {"200": 1000, "500": 50, "429": 10}
        self.container_status: dict[str, int] = {"a": 200, "b": 200}
        self.slow_seconds = 2.0
        self.hits: dict[str, int] = {}
        self.ws_sent = 900
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str = "text/plain; version=0.0.4") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path
                server.hits[path] = server.hits.get(path, 0) + 1
                if path == "/kong/metrics":
                    k = server.kong
                    self._send(200, kong_text(k["200"], k["500"], k["429"]).encode())
                elif path.startswith("/health/"):
                    name = path.rsplit("/", 1)[-1]
                    if name == "slow":
                        time.sleep(server.slow_seconds)
                        self._send(200, b'{"status": "ok"}', "application/json")
                        return
                    status = server.container_status.get(name, 404)
                    body = {"status": "ok" if status == 200 else "down", "memory_bytes": 1048576, "cpu_percent": 12.5}
                    self._send(status, orjson.dumps(body), "application/json")
                elif path == "/ws/stats":
                    sent = f"websocket_messages_sent_total {server.ws_sent}"
                    self._send(200, WS_STATS.replace("websocket_messages_sent_total 900", sent).encode())
                elif path == "/garbage":
                    self._send(200, b"\x00\xffthis is { not } prometheus at all")
                elif path == "/nan":
                    self._send(200, KONG_NAN.encode())
                elif path == "/inf":
                    self._send(200, KONG_INF.encode())
                elif path == "/nul":
                    self._send(200, KONG_NUL.encode())
                elif path == "/cnul":
                    self._send(200, CONTAINER_NUL, "application/json")
                elif path == "/many":
                    self._send(200, KONG_MANY.encode())
                elif path == "/cnulkey":
                    self._send(200, CONTAINER_NUL_KEY, "application/json")
                elif path == "/binary":
                    self._send(200, bytes(range(256)) * 4, "application/octet-stream")
                elif path == "/badjson":
                    self._send(200, b'{"status": "ok", "memory_bytes": ', "application/json")
                elif path == "/plain":
                    self._send(200, b"OK", "text/plain")
                else:
                    self._send(404, b"not found")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> TargetServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
