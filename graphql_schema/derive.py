"""GraphQL object types derived from the domains' pydantic result models.

Every GraphQL object type that shows a service result is declared as::

    @model_type(PromptInfo)
    class Prompt:
        ...  # only what differs from the model: overrides, private fields, resolvers

so its fields come from the one model in ``services/<domain>/schemas.py`` that REST serves too,
and a field added to the model appears on both surfaces.  This wraps Strawberry's pydantic
integration (``all_fields=True``) and fills in the model fields GraphQL has no direct type for:

* ``Literal[...]`` (statuses, kinds) -> ``String``: GraphQL enums would rename the values;
* ``dict[...]`` and ``Any`` (free-form maps, per-check rows) -> the ``JSON`` scalar.

What the class body declares wins; that is where a 64-bit count is declared ``float``
(GraphQL ``Int`` is 32-bit) or a nested field gets a richer type.  ``exclude`` names model
fields the GraphQL type leaves out (they stay on the object as private attributes).  Nested models are mapped to
the type derived from them, which must be declared first.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar, Union

import strawberry
from pydantic import BaseModel
from strawberry.experimental.pydantic import type as pydantic_type
from strawberry.scalars import JSON

T = TypeVar("T")


def graphql_annotation(annotation: Any) -> Any | None:
    """The annotation GraphQL should use for a pydantic field's, or None when Strawberry maps it as is."""
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is dict or origin is dict:
        return JSON
    if origin is Literal:
        return str
    if origin in (Union, types.UnionType):
        args = typing.get_args(annotation)
        mapped = [graphql_annotation(a) for a in args]
        if all(m is None for m in mapped):
            return None
        parts = [m if m is not None else a for a, m in zip(args, mapped, strict=True)]
        out = parts[0]
        for part in parts[1:]:
            out = out | part
        return out
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner = graphql_annotation(item)
        return None if inner is None else list[inner]  # type: ignore[valid-type]
    return None


def _evaluated(cls: type, annotation: Any) -> Any:
    """A ``from __future__`` string annotation as its object when it can be read now (Strawberry's
    pydantic integration only recognizes ``strawberry.Private`` fields that way); else the string."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, vars(sys.modules[cls.__module__]))
    except NameError:
        return annotation  # a type declared further down: Strawberry resolves it later


def model_type(
    model: type[BaseModel],
    *,
    name: str | None = None,
    description: str | None = None,
    exclude: Iterable[str] = (),
) -> Callable[[type[T]], type[T]]:
    """Class decorator: the GraphQL object type with every field of ``model`` but ``exclude`` (see the module doc)."""
    left_out = set(exclude)
    if unknown := left_out - set(model.model_fields):
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(sorted(unknown))} to exclude")

    def wrap(cls: type[T]) -> type[T]:
        own = {name: _evaluated(cls, a) for name, a in inspect.get_annotations(cls).items()}
        for field_name, info in model.model_fields.items():
            if field_name in own:
                continue
            if field_name in left_out:
                own[field_name] = strawberry.Private[Any]  # type: ignore[valid-type]
                continue
            mapped = graphql_annotation(info.annotation)
            if mapped is not None:
                own[field_name] = mapped
        cls.__annotations__ = own
        derived = pydantic_type(model=model, name=name, description=description, all_fields=True)(cls)
        # Strawberry rebuilds the class with make_dataclass, which names no module; forward
        # references in resolvers (a type declared further down) are resolved in this one.
        derived.__module__ = cls.__module__
        return derived  # type: ignore[return-value]

    return wrap
