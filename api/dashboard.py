"""The dashboard: ``GET /`` (the page) and ``GET /dashboard/{path}`` (its built JS/CSS).

The sources are in ``web/`` (Vite + uPlot from npm); ``npm run build`` there writes
``api/static/dashboard/``, which is committed, so ``make run`` serves the dashboard on a machine
without npm or internet.  The page talks only to ``/graphql`` (sign-in is its ``signIn`` mutation).

Files are read once per process (there are three), gzipped when the client accepts it, and the
content-hashed ``assets/*`` are cacheable for a year; ``index.html`` is revalidated on every load
so a new build shows at once.  A Content-Security-Policy keeps the page to its own origin: nothing
may load from elsewhere, which is also what the offline promise means.  Neither route is an API
operation, so both stay out of the OpenAPI document.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.ide import IMMUTABLE, REVALIDATE

DASHBOARD_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
PREFIX = "/dashboard/"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class _File:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


@functools.cache
def _files() -> dict[str, _File]:
    """Every built file by its path under ``api/static/dashboard`` (the only paths ever served)."""
    found: dict[str, _File] = {}
    if not DASHBOARD_DIR.is_dir():
        return found
    for path in sorted(DASHBOARD_DIR.rglob("*")):
        if not path.is_file():
            continue
        body = path.read_bytes()
        media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media.endswith("javascript"):
            media += "; charset=utf-8"
        found[path.relative_to(DASHBOARD_DIR).as_posix()] = _File(
            body, gzip.compress(body, compresslevel=9, mtime=0), hashlib.sha256(body).hexdigest()[:16], media
        )
    return found


def _accepts_gzip(request: Request) -> bool:
    for item in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _serve(request: Request, name: str, cache_control: str, extra: dict[str, str] | None = None) -> Response:
    found = _files().get(name)
    if found is None:
        raise HTTPException(status_code=404)
    use_gzip = _accepts_gzip(request)
    etag = f'"{found.etag}{"-gz" if use_gzip else ""}"'
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(found.gzipped if use_gzip else found.body, media_type=found.media_type, headers=headers)


async def dashboard_page(request: Request) -> Response:
    """``GET /``: the single page (sign-in, overview, prompts, alerts and rules, channels, deployments,
    usage, security, platform); routing happens in the browser."""
    return _serve(request, "index.html", REVALIDATE, {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer"})


async def dashboard_asset(request: Request) -> Response:
    """``GET /dashboard/{path}``: a built file; 404 (the usual envelope) for anything else."""
    name = request.path_params["path"]
    if name == "index.html":
        raise HTTPException(status_code=404)  # the page lives at /
    return _serve(request, name, IMMUTABLE if name.startswith("assets/") else REVALIDATE)


ROUTES = [
    Route("/", dashboard_page, methods=["GET"], include_in_schema=False),
    Route(PREFIX + "{path:path}", dashboard_asset, methods=["GET"], include_in_schema=False),
]
