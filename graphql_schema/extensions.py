"""Schema extensions: request limits and input checks before validation, and error masking.

* :class:`TokenLimit` — graphql-core's parser stops after ``GRAPHQL_MAX_TOKENS`` tokens
  (strawberry's ``MaxTokensLimiter``), so a huge document costs little to refuse.
* :class:`QueryGuard` — on the parsed document, before graphql-core validates it (its
  overlapping-fields rule is quadratic in repeated fields): depth, aliases, field count and
  estimated cost (:mod:`graphql_schema.complexity`), the introspection policy, and text no
  database can store (NUL, lone surrogates) in variables or inline string literals.
* :class:`DomainErrorMasking` — domain errors keep their message and gain
  ``extensions.code``; outages and columns' refusals are mapped as over REST
  (:func:`services.core.errors.domain_error`); bad argument values and variables become
  ``BAD_REQUEST`` naming the argument; anything unexpected becomes ``Internal server error``
  with a request id, and is logged in full.

Errors of the first two travel as GraphQL errors with HTTP 200, like every validation error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    visit,
)
from graphql.error import GraphQLError, GraphQLSyntaxError
from graphql.language import Visitor
from strawberry.extensions import MaskErrors, MaxTokensLimiter, SchemaExtension

from graphql_schema.complexity import measure
from services.core.config import get_settings
from services.core.errors import DomainError, FieldIssue, ServiceUnavailable, domain_error
from services.core.validation import bad_request, unstorable, unstorable_issue
from services.security import flag_request

log = logging.getLogger("graphql.errors")

TOO_COMPLEX = "QUERY_TOO_COMPLEX"
_BAD_STRING = ("Invalid Unicode escape sequence", "Invalid character within String")  # graphql-core's wording
_PARSER_LIMITS = ("tokens. Parsing aborted.", "nested too deeply. Parsing aborted.")  # graphql-core's wording
_VARIABLE = re.compile(  # graphql-core's variable coercion errors
    r"^Variable '\$(?P<name>[_A-Za-z][_0-9A-Za-z]*)'"
    r"(?: has invalid (?:default )?value(?: at (?P<at>\S+?))?: (?P<why>.*))?",
    re.S,
)


def too_complex(message: str, limit: str, maximum: int, actual: int | None = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": TOO_COMPLEX, "limit": limit, "maximum": maximum}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, extensions=extensions)


def bad_input(issue: FieldIssue, nodes: Any = None) -> GraphQLError:
    error = bad_request([issue])
    return GraphQLError(
        error.message, nodes=nodes, extensions={"code": error.code, "details": [d.as_dict() for d in error.details]}
    )


class TokenLimit(MaxTokensLimiter):
    def __init__(self) -> None:
        super().__init__(max_token_count=get_settings().graphql_max_tokens)

    def on_operation(self) -> Iterator[None]:
        if self.max_token_count > 0:
            self.execution_context.parse_options["max_tokens"] = self.max_token_count
        yield


class QueryGuard(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and not ctx.pre_execution_errors:
            errors = self.check(ctx.graphql_document, ctx.variables, getattr(ctx.context, "principal", None))
            if errors:
                ctx.pre_execution_errors = errors  # strawberry then skips validation and execution
                if any((e.extensions or {}).get("code") == TOO_COMPLEX for e in errors):  # security hook
                    flag_request(getattr(getattr(ctx.context, "request", None), "scope", {}), "graphql_limit")
        yield

    def check(self, document: DocumentNode, variables: Any, principal: object) -> list[GraphQLError]:
        settings = get_settings()
        try:
            size = measure(self.execution_context.schema._schema, document, variables)
        except RecursionError:
            return [too_complex("Query is nested too deeply", "GRAPHQL_MAX_DEPTH", settings.graphql_max_depth)]
        errors = []
        for limit, maximum, actual, what in (
            ("GRAPHQL_MAX_DEPTH", settings.graphql_max_depth, size.depth, "depth"),
            ("GRAPHQL_MAX_ALIASES", settings.graphql_max_aliases, size.aliases, "aliases"),
            ("GRAPHQL_MAX_FIELDS", settings.graphql_max_fields, size.fields, "field selections (fragments expanded)"),
            ("GRAPHQL_MAX_COST", settings.graphql_max_cost, size.cost, "estimated cost"),
        ):
            if maximum and actual > maximum:
                errors.append(
                    too_complex(f"Query is too complex: {what} {actual} exceeds {maximum}", limit, maximum, actual)
                )
        if errors:
            return errors
        if size.introspection and settings.graphql_introspection != "public":
            if settings.graphql_introspection == "off":
                return [GraphQLError("Introspection is disabled on this server", extensions={"code": "FORBIDDEN"})]
            if principal is None:
                return [
                    GraphQLError(
                        "Introspection requires authentication: send 'Authorization: Bearer <token>' "
                        "(in GraphiQL, in the Headers pane)",
                        extensions={"code": "UNAUTHORIZED"},
                    )
                ]
        if isinstance(variables, dict) and (issue := unstorable_issue(variables)):
            return [bad_input(issue)]
        for path, node in argument_values(document):
            if isinstance(node, StringValueNode) and (problem := unstorable(node.value)):
                return [bad_input(FieldIssue(path, problem, "string_unstorable"), [node])]
        return []


def argument_values(document: DocumentNode) -> Iterator[tuple[str, ValueNode]]:
    """Every literal value of every argument and variable default, with its dotted path (``input.tags.team``)."""
    roots: list[tuple[str, ValueNode]] = []

    class Collect(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            roots.append((node.name.value, node.value))

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
            if node.default_value is not None:
                roots.append((node.variable.name.value, node.default_value))

    visit(document, Collect())
    for root in roots:
        stack = [root]
        while stack:
            path, node = stack.pop()
            yield path, node
            if isinstance(node, ObjectValueNode):
                stack.extend((f"{path}.{f.name.value}", f.value) for f in node.fields)
            elif isinstance(node, ListValueNode):
                stack.extend((f"{path}.{i}", v) for i, v in enumerate(node.values))


class DomainErrorMasking(MaskErrors):
    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")
        self._argument_paths: dict[int, str] | None = None

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        request_id = None
        context = getattr(self.execution_context, "context", None)
        if context is not None:
            request_id = getattr(context, "request_id", None)
        processed: list[GraphQLError] = []
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                processed.append(self._graphql_error(error))
            elif isinstance(original, DomainError):
                extensions: dict[str, object] = {"code": original.code}
                if original.details:
                    extensions["details"] = [d.as_dict() for d in original.details]
                if original.retry_after is not None:  # REST's Retry-After header
                    extensions["retry_after"] = original.retry_after
                processed.append(self._copy(error, original.message, extensions))
            elif (mapped := domain_error(original)) is not None:  # the boundary REST uses: outages, columns
                if isinstance(mapped, ServiceUnavailable):
                    log.warning("dependency unavailable request_id=%s", request_id, exc_info=original)
                extensions = {"code": mapped.code}
                if mapped.details:
                    extensions["details"] = [d.as_dict() for d in mapped.details]
                processed.append(self._copy(error, mapped.message, extensions))
            elif isinstance(original, RecursionError) and error.path is None:  # nesting graphql-core cannot handle
                processed.append(self._copy(error, "Query or variables are nested too deeply", {"code": TOO_COMPLEX}))
            elif type(original).__name__ == "PermissionError":
                processed.append(error)
            else:
                log.error("unhandled GraphQL error request_id=%s", request_id, exc_info=original)
                processed.append(
                    self._copy(error, self.error_message, {"code": "INTERNAL_SERVER_ERROR", "request_id": request_id})
                )
        return processed

    def _graphql_error(self, error: GraphQLError) -> GraphQLError:
        """Syntax/validation errors, variable coercion errors, and errors that already carry a code."""
        extensions = dict(error.extensions or {})
        if "code" in extensions:
            return error if error.original_error is None else self._copy(error, error.message, extensions)
        if isinstance(error, GraphQLSyntaxError) and error.message.endswith(_PARSER_LIMITS):
            limit = "GRAPHQL_MAX_TOKENS" if "tokens" in error.message else "GRAPHQL_MAX_DEPTH"
            return self._copy(error, error.message, {"code": TOO_COMPLEX, "limit": limit})
        if isinstance(error, GraphQLSyntaxError) and any(m in error.message for m in _BAD_STRING):
            # A lone surrogate in a string literal: the document does not parse, so no argument to name.
            issue = FieldIssue("query", error.message.removeprefix("Syntax Error: "), "string_unstorable")
            return self._copy(error, error.message, {"code": "BAD_REQUEST", "details": [issue.as_dict()]})
        if error.path is None and (match := _VARIABLE.match(error.message)):
            at = (match["at"] or "").replace("[", ".").replace("]", "")
            issue = FieldIssue(
                f"{match['name']}{at}" if at.startswith(".") else match["name"], match["why"] or error.message
            )
            return self._copy(error, error.message, {"code": "BAD_REQUEST", "details": [issue.as_dict()]})
        if error.path is None and (path := self._argument_path(error)):
            detail = FieldIssue(path, error.message).as_dict()
            return self._copy(
                error, f"Invalid value for '{path}': {error.message}", {"code": "BAD_REQUEST", "details": [detail]}
            )
        if error.path is not None:  # graphql-core during execution (a null for a non-null field, ...)
            log.error("GraphQL execution error at %s: %s", error.path, error.message)
            extensions["code"] = "INTERNAL_SERVER_ERROR"
        else:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
        return self._copy(error, error.message, extensions)

    def _argument_path(self, error: GraphQLError) -> str | None:
        """The argument whose literal value ``error`` is about (``Int cannot represent ...``), if any."""
        node = error.nodes[0] if error.nodes else None
        if not isinstance(node, ValueNode) or isinstance(node, VariableNode):
            return None
        if self._argument_paths is None:
            document = getattr(self.execution_context, "graphql_document", None)
            self._argument_paths = {id(n): p for p, n in argument_values(document)} if document else {}
        return self._argument_paths.get(id(node))

    @staticmethod
    def _copy(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
