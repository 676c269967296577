"""The health report's ``api`` check: ``GET /healthz`` sent through this app's whole ASGI stack.

Building an ASGI request is the web layer's business, so it lives here and the app hands the
callable to the health service (``app.state.self_check``), which only knows "a check to run".
"""

from __future__ import annotations

from typing import Any

from services.observability import SelfCheck


def asgi_self_check(app: Any, path: str = "/healthz") -> SelfCheck:
    """A self-check that sends ``GET path`` through the whole ASGI stack of ``app`` in-process
    (middleware, authentication, routing, envelope) and expects a 200."""

    async def probe() -> dict[str, Any]:
        status: dict[str, int] = {}
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"self-check"), (b"x-request-id", b"health-self-check")],
            "client": ("127.0.0.1", 0),
            "server": ("self-check", 80),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]

        await app(scope, receive, send)
        code = status.get("code")
        if code != 200:
            return {"ok": False, "problem": f"GET {path} answered {code}", "path": path, "status_code": code}
        return {"path": path, "status_code": code}

    return probe
