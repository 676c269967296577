"""Self-hosted browser IDEs: the vendored Swagger UI / GraphiQL files and the GraphiQL page.

A self-hosted product must not need a CDN for ``/docs`` and ``/graphql``: their JS/CSS are
copied unmodified from npm tarballs into ``api/static/vendor/`` by
``scripts/vendor_assets.sh`` (``make vendor-assets``; versions in ``vendor/VERSIONS``).

``GET /static/vendor/{path}`` (:func:`vendor_asset`) serves them from memory, gzipped once
per file and process when the client accepts it, with an ``ETag``.  Pages link them through
:func:`asset_url`, which appends the content hash (``?v=...``): such a URL never changes
content, so it is cacheable for a year (``immutable``); an URL without the current hash is
revalidated on every use instead.  No authentication is involved (the route is public, like
``/docs``), and it is not an API operation, so it is absent from the OpenAPI document.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
VENDOR_PREFIX = "/static/vendor/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_TYPES = {".js": "text/javascript", ".css": "text/css"}


@dataclass
class _Asset:
    path: Path
    digest: str  # sha256 hex of the file as shipped
    media_type: str
    body: bytes | None = None
    gzipped: bytes | None = None

    @property
    def version(self) -> str:
        return self.digest[:16]


@functools.cache
def _assets() -> dict[str, _Asset]:
    """Every vendored file by its path under ``vendor/`` (the only paths ever served)."""
    found: dict[str, _Asset] = {}
    for path in sorted(VENDOR_DIR.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(VENDOR_DIR).as_posix()
        media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"  # LICENSE, NOTICE
        if media.startswith("text/"):
            media += "; charset=utf-8"
        found[name] = _Asset(path, hashlib.sha256(path.read_bytes()).hexdigest(), media)
    return found


def asset_url(name: str) -> str:
    """``/static/vendor/<name>?v=<content hash>``; a missing file is a programming error."""
    try:
        asset = _assets()[name]
    except KeyError:
        raise LookupError(f"{name} is not in {VENDOR_DIR}; run scripts/vendor_assets.sh") from None
    return f"{VENDOR_PREFIX}{name}?v={asset.version}"


def _accepts_gzip(request: Request) -> bool:
    for item in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _load(asset: _Asset) -> None:
    body = asset.path.read_bytes()
    asset.gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    asset.body = body


async def vendor_asset(request: Request) -> Response:
    """``GET|HEAD /static/vendor/{path}``; 404 (the usual envelope) for anything not vendored."""
    asset = _assets().get(request.path_params["path"])
    if asset is None:
        raise HTTPException(status_code=404)
    if asset.body is None:
        await to_thread.run_sync(_load, asset)  # once per file and process
    assert asset.body is not None and asset.gzipped is not None
    use_gzip = _accepts_gzip(request)
    etag = f'"{asset.version}{"-gz" if use_gzip else ""}"'
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": IMMUTABLE if request.query_params.get("v") == asset.version else REVALIDATE,
        "X-Content-Type-Options": "nosniff",
    }
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(asset.gzipped if use_gzip else asset.body, media_type=asset.media_type, headers=headers)


GRAPHIQL_DEFAULT_QUERY = """# PromptOps Analytics GraphQL
#
# Authenticate: open "Headers" below and enter
#   {"Authorization": "Bearer <JWT or API key>"}
# Subscriptions (graphql-transport-ws, same URL)
# send these headers in connection_init.
#
# Run: Ctrl-Enter.  Autocomplete: Ctrl-Space.
# Docs and Explorer: the left sidebar.
"""

_GRAPHIQL_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PromptOps Analytics GraphiQL</title>
<link rel="icon" href="data:,">
<style>
  body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
  #graphiql { height: 100vh; display: flex; }
  .docExplorerHide { display: none; }
  .doc-explorer-contents { overflow-y: hidden !important; }
  .docExplorerWrap { width: unset !important; min-width: unset !important; }
  .graphiql-explorer-actions select { margin-left: 4px; }
</style>
<link rel="stylesheet" href="__GRAPHIQL_CSS__">
<link rel="stylesheet" href="__EXPLORER_CSS__">
<script src="__REACT_JS__"></script>
<script src="__REACT_DOM_JS__"></script>
</head>
<body>
<div id="graphiql" class="graphiql-container">Loading...</div>
<script src="__GRAPHIQL_JS__"></script>
<script src="__EXPLORER_JS__"></script>
<script src="__GRAPHQL_WS_JS__"></script>
<script>
(function () {
  const DEFAULT_QUERY = __DEFAULT_QUERY__;
  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  }
  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter(function (key) { return Boolean(parameters[key]); })
      .map(function (key) { return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]); })
      .join("&");
    history.replaceState(null, null, "?" + search);
  }
  const fetchURL = window.location.href.split("?")[0].split("#")[0];
  const subscriptionURL = fetchURL.replace(/^http/, "ws");
  const httpFetcher = GraphiQL.createFetcher({ url: fetchURL });

  function isSubscription(documentAST, operationName) {
    const operation = documentAST && GraphiQL.GraphQL.getOperationAST(documentAST, operationName || undefined);
    return Boolean(operation) && operation.operation === "subscription";
  }

  // One graphql-transport-ws client per subscription: the headers editor's headers (e.g.
  // Authorization) are its connection_init payload, and a rejected token (4403) shows at
  // once instead of after graphql-ws's default reconnection attempts.
  async function* subscribe(params, headers) {
    const client = graphqlWs.createClient({ url: subscriptionURL, connectionParams: headers || {}, retryAttempts: 0 });
    try {
      yield* client.iterate(params);
    } catch (err) {
      if (err && typeof err.code === "number") {
        throw new Error(("Socket closed with event " + err.code + " " + (err.reason || "")).trim());
      }
      throw err instanceof Event ? new Error("WebSocket connection to " + subscriptionURL + " failed") : err;
    } finally {
      client.dispose();
    }
  }

  function fetcher(params, options) {
    if (options && isSubscription(options.documentAST, params.operationName)) {
      return subscribe(params, options.headers);
    }
    return httpFetcher(params, options);
  }

  const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

  function App() {
    const [query, setQuery] = React.useState(parameters.q || DEFAULT_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: query,
      variables: variables,
      onEditQuery: function (value) { setQuery(value); updateURL({ q: value }); },
      onEditVariables: function (value) { setVariables(value); updateURL({ variables: value }); },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
</script>
</body>
</html>
"""


@functools.cache
def graphiql_html() -> str:
    """GraphiQL with the Explorer plugin, as strawberry's page, on vendored assets only."""
    replacements = {
        "__GRAPHIQL_CSS__": asset_url("graphiql/graphiql.min.css"),
        "__EXPLORER_CSS__": asset_url("graphiql-plugin-explorer/style.css"),
        "__REACT_JS__": asset_url("react/react.production.min.js"),
        "__REACT_DOM_JS__": asset_url("react-dom/react-dom.production.min.js"),
        "__GRAPHIQL_JS__": asset_url("graphiql/graphiql.min.js"),
        "__EXPLORER_JS__": asset_url("graphiql-plugin-explorer/index.umd.js"),
        "__GRAPHQL_WS_JS__": asset_url("graphql-ws/graphql-ws.min.js"),
    }
    page = _GRAPHIQL_TEMPLATE
    for marker, url in replacements.items():
        page = page.replace(marker, html.escape(url))
    # JSON is a JS literal; escaping "<" keeps a "</script>" in the text from ending the tag.
    return page.replace("__DEFAULT_QUERY__", json.dumps(GRAPHIQL_DEFAULT_QUERY).replace("<", "\\u003c"))
