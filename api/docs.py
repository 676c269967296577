"""``/openapi.json`` and the ``/docs`` page that renders it (Swagger UI, self-hosted: see api.ide)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.envelope import JSONResponse
from api.ide import asset_url

DOCS_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PromptOps Analytics API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{asset_url("swagger-ui/swagger-ui.css")}">
</head><body><div id="swagger-ui"></div>
<script src="{asset_url("swagger-ui/swagger-ui-bundle.js")}"></script>
<script>
window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: true, validatorUrl: null}});
</script>
<noscript>The API description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body></html>"""


async def openapi_json(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def docs_page(request: Request) -> Response:
    return HTMLResponse(DOCS_HTML)
