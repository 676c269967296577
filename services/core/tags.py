"""Key/value tags, the one shape shared by recorded metric points, alert-rule scopes and prompts."""

from __future__ import annotations

import re
from collections.abc import Mapping

TAG_KEY = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
MAX_TAGS = 20


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    """A pydantic validator body: ``tags`` unchanged, or a ValueError that names the bad tag."""
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    for k, v in tags.items():
        if not TAG_KEY.match(k):
            raise ValueError(f"tag key {k!r} must be 1-64 of letters, digits, _ . : / -")
        if not isinstance(v, str) or not 0 < len(v) <= 200 or "|" in v:
            raise ValueError(f"tag {k!r} must be a non-empty string of at most 200 characters without '|'")
    return tags


def matches(tags: Mapping[str, str] | None, wanted: Mapping[str, str]) -> bool:
    """Whether ``tags`` holds every key/value pair of ``wanted``."""
    have = tags or {}
    return all(have.get(k) == v for k, v in wanted.items())
