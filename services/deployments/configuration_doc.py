"""A deployment's configuration document: its limits, RFC 6901 pointers and RFC 6902 patches.

The configuration is a JSON object.  What may be stored is checked once here for REST, GraphQL
and the CLI alike: an object at the top, at most ``MAX_BYTES`` of compact JSON and ``MAX_DEPTH``
levels of nesting, finite numbers, integers inside the interoperable range of I-JSON (RFC 7493,
+-(2**53 - 1): what every JSON parser reads exactly), and text a database can store.

A change is kept as the RFC 6902 patch from the previous value to the new one.  :func:`diff`
writes the patch: objects are compared key by key (recursively), anything else -- arrays
included -- is replaced whole when it differs, so a patch is short and always applies.
:func:`apply_patch` applies one (it is how history can be replayed and how the tests prove the
patches are right).
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from services.core.errors import BadRequest, FieldIssue
from services.core.validation import bad_request, unstorable_issue

MAX_BYTES = 65_536
MAX_DEPTH = 10
MAX_SAFE_INTEGER = 2**53 - 1


def escape(token: str) -> str:
    """One RFC 6901 reference token (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: list[str]) -> str:
    return "".join("/" + escape(p) for p in parts)


def _name(field: str, path: list[str]) -> str:
    """The field's name as the envelope gives it: dotted like pydantic's (``configuration.model.name``)."""
    return ".".join([field, *path] if field else path) or "body"


def _walk(value: Any, path: list[str], depth: int, field: str) -> None:
    if depth > MAX_DEPTH:
        raise BadRequest.field(field or "body", f"configuration is nested deeper than {MAX_DEPTH} levels", "too_deep")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise BadRequest.field(
                _name(field, path), f"integers must be within +-{MAX_SAFE_INTEGER} (I-JSON)", "out_of_range"
            )
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadRequest.field(_name(field, path), "numbers must be finite", "not_finite")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _walk(v, [*path, k], depth + 1, field)
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, [*path, str(i)], depth + 1, field)
        return
    raise BadRequest.field(_name(field, path), "not a JSON value", "invalid")


def check_configuration(value: Any, field: str = "configuration") -> dict[str, Any]:
    """``value`` if it is a storable configuration object, else a 400 naming the field inside it.

    ``field`` is where the object sits in the request (``""``: it is the whole body).
    """
    if not isinstance(value, dict):
        raise BadRequest.field(field or "body", "configuration must be a JSON object", "not_an_object")
    issue = unstorable_issue(value, field)
    if issue is not None:
        raise bad_request([issue])
    _walk(value, [], 1, field)
    size = len(orjson.dumps(value))
    if size > MAX_BYTES:
        raise bad_request(
            [
                FieldIssue(
                    field or "body",
                    f"configuration is {size} bytes of JSON; at most {MAX_BYTES} are allowed",
                    "too_large",
                )
            ]
        )
    return value


def size_of(value: dict[str, Any]) -> int:
    return len(orjson.dumps(value))


def diff(old: Any, new: Any, path: list[str] | None = None) -> list[dict[str, Any]]:
    """The RFC 6902 patch turning ``old`` into ``new`` (``[]`` when they are equal).

    Object members are compared one by one: removed keys first, then added and changed ones in
    key order, so the same two documents always give the same patch.
    """
    path = path or []
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for k in sorted(old.keys() - new.keys()):
            ops.append({"op": "remove", "path": pointer([*path, k])})
        for k in sorted(new.keys()):
            if k not in old:
                ops.append({"op": "add", "path": pointer([*path, k]), "value": new[k]})
            else:
                ops.extend(diff(old[k], new[k], [*path, k]))
        return ops
    if _same(old, new):
        return []
    return [{"op": "replace", "path": pointer(path), "value": new}]


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` and ``true`` differ (Python's ``==`` says they are equal)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return (type(a) is type(b) and a == b) or (isinstance(a, int | float) and isinstance(b, int | float) and a == b)


def _parts(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ValueError(f"not a JSON pointer: {path!r}")
    return [unescape(t) for t in path[1:].split("/")]


def apply_patch(doc: Any, patch: list[dict[str, Any]]) -> Any:
    """``doc`` with the add/remove/replace operations of ``patch`` applied (a new value; ``doc`` is kept)."""
    doc = orjson.loads(orjson.dumps(doc))
    for op in patch:
        parts = _parts(op["path"])
        if not parts:
            if op["op"] == "remove":
                raise ValueError("cannot remove the whole document")
            doc = op["value"]
            continue
        parent = doc
        for token in parts[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = parts[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op["op"] == "add":
                parent.insert(index, op["value"])
            elif op["op"] == "remove":
                del parent[index]
            else:
                parent[index] = op["value"]
        elif op["op"] == "remove":
            del parent[last]
        elif op["op"] == "replace" and last not in parent:
            raise ValueError(f"replace of a missing member: {op['path']}")
        else:
            parent[last] = op["value"]
    return doc


def summarize(
    patch: list[dict[str, Any]], old: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A patch from :func:`diff` as (added, removed, changed) entries with their values."""
    added, removed, changed = [], [], []
    for op in patch:
        if op["op"] == "add":
            added.append({"path": op["path"], "value": op["value"]})
        elif op["op"] == "remove":
            removed.append({"path": op["path"], "value": resolve(old, op["path"])})
        else:
            changed.append({"path": op["path"], "old": resolve(old, op["path"]), "new": op["value"]})
    by_path = lambda entry: entry["path"]  # noqa: E731
    return sorted(added, key=by_path), sorted(removed, key=by_path), sorted(changed, key=by_path)


def resolve(doc: Any, path: str) -> Any:
    value = doc
    for token in _parts(path):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value
