"""Error masking: domain errors keep their message and gain ``extensions.code``; anything
unexpected becomes ``Internal server error`` with a request id, and is logged in full."""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from services.errors import DomainError

log = logging.getLogger("graphql.errors")


class DomainErrorMasking(MaskErrors):
    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        request_id = None
        context = getattr(self.execution_context, "context", None)
        if context is not None:
            request_id = getattr(context, "request_id", None)
        processed: list[GraphQLError] = []
        for error in errors:
            original = error.original_error
            if original is None:
                # Syntax/validation errors, and permission errors that already carry a code.
                extensions = dict(error.extensions or {})
                extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
                processed.append(self._copy(error, error.message, extensions))
            elif isinstance(original, DomainError):
                extensions = {"code": original.code}
                if original.details:
                    extensions["details"] = [d.as_dict() for d in original.details]
                processed.append(self._copy(error, original.message, extensions))
            elif isinstance(original, GraphQLError) or type(original).__name__ == "PermissionError":
                processed.append(error)
            else:
                log.error("unhandled GraphQL error request_id=%s", request_id, exc_info=original)
                processed.append(
                    self._copy(error, self.error_message, {"code": "INTERNAL_SERVER_ERROR", "request_id": request_id})
                )
        return processed

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
