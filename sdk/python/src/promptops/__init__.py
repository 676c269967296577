"""PromptOps Analytics SDK: log prompt executions, tool calls and LLM usage without blocking.

    import promptops

    promptops.configure(api_key="po_...", base_url="https://promptops.example.com")
    promptops.log_usage(prompt_id, "v3", latency_ms=812, cost_usd=0.0021, score=0.93)
    promptops.log_tool_call("search_docs", 41.5, mcp_server="docs")
    promptops.log_llm_usage("gpt-4o-mini", input_tokens=1200, output_tokens=310)

Every ``log_*`` call returns at once (the event id, or ``None`` if the bounded queue was full);
a background thread sends batches, retries 429/503 and outages, and flushes at exit.  The
module-level functions use one default client, created from ``PROMPTOPS_API_KEY`` and
``PROMPTOPS_URL`` unless :func:`configure` was called; create :class:`Client` objects for more.
"""

from __future__ import annotations

import threading
from typing import Any

__version__ = "0.1.0"

from promptops.client import Client, Stats, parse_retry_after, retry_delay

__all__ = [
    "Client",
    "Stats",
    "__version__",
    "aflush",
    "configure",
    "flush",
    "get_client",
    "log_llm_usage",
    "log_tool_call",
    "log_usage",
    "parse_retry_after",
    "retry_delay",
    "shutdown",
    "stats",
]

_default: Client | None = None
_default_lock = threading.Lock()


def configure(api_key: str | None = None, base_url: str | None = None, **options: Any) -> Client:
    """Replace the default client (the previous one is flushed and closed); returns the new one."""
    global _default
    client = Client(api_key, base_url, **options)
    with _default_lock:
        previous, _default = _default, client
    if previous is not None:
        previous.close()
    return client


def get_client() -> Client:
    """The default client, created from the environment on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Client()
        return _default


def log_usage(*args: Any, **kwargs: Any) -> str | None:
    """:meth:`Client.log_usage` on the default client."""
    return get_client().log_usage(*args, **kwargs)


def log_tool_call(*args: Any, **kwargs: Any) -> str | None:
    """:meth:`Client.log_tool_call` on the default client."""
    return get_client().log_tool_call(*args, **kwargs)


def log_llm_usage(*args: Any, **kwargs: Any) -> str | None:
    """:meth:`Client.log_llm_usage` on the default client."""
    return get_client().log_llm_usage(*args, **kwargs)


def flush(timeout: float | None = None) -> bool:
    """:meth:`Client.flush` on the default client (``True`` if there is none)."""
    return True if _default is None else _default.flush(timeout)


async def aflush(timeout: float | None = None) -> bool:  # noqa: ASYNC109 (a deadline for the flush thread)
    """:meth:`Client.aflush` on the default client."""
    return True if _default is None else await _default.aflush(timeout)


def stats() -> Stats | None:
    """The default client's :class:`Stats` (``None`` before it exists)."""
    return None if _default is None else _default.stats()


def shutdown(timeout: float | None = None) -> bool:
    """Flush and close the default client (also done at exit)."""
    global _default
    with _default_lock:
        client, _default = _default, None
    return True if client is None else client.close(timeout)
