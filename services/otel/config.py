"""The OpenTelemetry ingest's own settings (environment variables, read once per process).

Kept beside the domain rather than in :mod:`services.core.config` because only this domain
reads them.  Every knob has a safe default and is listed in the README's OpenTelemetry section.
Attribute lists are comma-separated and tried in order: the first attribute a span carries wins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


def _names(env: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(env)
    if raw is None:
        return default
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    return names or default


def _int(env: str, default: int, minimum: int) -> int:
    raw = os.environ.get(env, "")
    try:
        return max(minimum, int(raw)) if raw.strip() else default
    except ValueError:
        return default


@dataclass(frozen=True)
class OtelSettings:
    # Prompt identity: a name or id of the prompt; its text is the fallback identity.
    prompt_id_attributes: tuple[str, ...]
    prompt_template_attributes: tuple[str, ...]
    prompt_version_attributes: tuple[str, ...]
    # An evaluation score on the span itself (span events named gen_ai.evaluation.result are read too).
    score_attributes: tuple[str, ...]
    max_spans_per_request: int
    max_decompressed_bytes: int


@cache
def otel_settings() -> OtelSettings:
    return OtelSettings(
        prompt_id_attributes=_names(
            "OTEL_PROMPT_ID_ATTRIBUTES",
            ("promptops.prompt.id", "llm.prompt_template.name", "langfuse.observation.prompt.name"),
        ),
        prompt_template_attributes=_names("OTEL_PROMPT_TEMPLATE_ATTRIBUTES", ("llm.prompt_template.template",)),
        prompt_version_attributes=_names(
            "OTEL_PROMPT_VERSION_ATTRIBUTES",
            ("promptops.prompt.version", "llm.prompt_template.version", "langfuse.observation.prompt.version"),
        ),
        score_attributes=_names(
            "OTEL_SCORE_ATTRIBUTES", ("promptops.score", "gen_ai.evaluation.score.value", "eval.score")
        ),
        max_spans_per_request=_int("OTEL_MAX_SPANS_PER_REQUEST", 10_000, 1),
        max_decompressed_bytes=_int("OTEL_MAX_DECOMPRESSED_BYTES", 16 * 1_048_576, 1024),
    )
