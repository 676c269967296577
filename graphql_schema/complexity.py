"""Static size of a GraphQL document: depth, aliases, fields and an estimated cost.

Computed on the parsed document *before* graphql-core's validation (whose
overlapping-fields rule is quadratic in repeated fields), so it must cope with
invalid documents: unknown fields count but cost nothing extra, unknown
fragments count nothing, fragment cycles are cut (validation reports them).
Each fragment is measured once and reused, so nested spreads cannot make the
walk itself exponential.

Cost model (an estimate of resolver calls, not of SQL: DataLoaders batch those):

* a field whose type is an object, or that has its own resolver, costs 1 for
  every parent object it is resolved on; a plain scalar attribute costs 0;
* a list of objects multiplies everything below it by its length: the field's
  page-size argument (``first``, ``last``, ``limit``, ``pageSize``: the literal,
  the variable's value, else the argument's default); for a list directly under
  a paginated connection (``edges``, ``items``), the connection's page size
  (its ``pageInfo``/``totalCount`` are not multiplied); otherwise
  :data:`DEFAULT_LIST_SIZE`.

Introspection subtrees (``__schema``, ``__type``) are not part of depth, field
count or cost: they read the in-memory schema, and the token limit bounds them.
Their aliases still count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    is_leaf_type,
)

PAGE_ARGUMENTS = ("first", "last", "limit", "pageSize")
DEFAULT_LIST_SIZE = 10
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass
class Size:
    """What one selection set (per parent object) amounts to."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0
    cost: int = 0
    introspection: bool = False

    def add(self, other: Size, multiplier: int = 1) -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases += other.aliases
        self.fields += other.fields
        self.cost += other.cost * multiplier
        self.introspection = self.introspection or other.introspection


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[str, int | None], Size] = {}
        self.in_progress: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, page: int | None) -> Size:
        total = Size()
        if node is None:
            return total
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, page))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else None
                )
                total.add(self.selection_set(selection.selection_set, condition or parent, page))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self.fragment(selection.name.value, page))
        return total

    def fragment(self, name: str, page: int | None) -> Size:
        key = (name, page)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:  # unknown or a cycle: validation reports it
            return Size()
        self.in_progress.add(name)
        try:
            parent = self.schema.get_type(definition.type_condition.name.value)
            size = self.selection_set(definition.selection_set, parent, page)
        finally:
            self.in_progress.discard(name)
        self.memo[key] = size
        return size

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, connection_page: int | None) -> Size:
        """``connection_page``: the page size of the paginated non-list field this one is selected on."""
        name = node.name.value
        aliases = 1 if node.alias else 0
        if name in INTROSPECTION_ROOTS:
            inner = self.selection_set(node.selection_set, None, None)
            return Size(aliases=aliases + inner.aliases, introspection=True)
        if name.startswith("__"):  # __typename
            return Size(aliases=aliases, fields=1)
        definition = _field_of(parent, name)
        named, is_list = _unwrap(definition.type) if definition else (None, False)
        page = self._page_size(node, definition)
        multiplier, child_page = 1, None
        if is_list and named is not None and not is_leaf_type(named):
            multiplier = page or connection_page or DEFAULT_LIST_SIZE
        else:
            child_page = page  # a connection: its list child is the page
        inner = self.selection_set(node.selection_set, named, child_page)
        has_resolver = definition is not None and _has_resolver(definition)
        own = 1 if has_resolver or (named is not None and not is_leaf_type(named)) else 0
        return Size(
            depth=inner.depth + 1,
            aliases=aliases + inner.aliases,
            fields=1 + inner.fields,
            cost=own + multiplier * inner.cost,
            introspection=inner.introspection,
        )

    def _page_size(self, node: FieldNode, definition: GraphQLField | None) -> int | None:
        if definition is None:
            return None
        for arg_name in PAGE_ARGUMENTS:
            if arg_name not in definition.args:
                continue
            value: Any = None
            for argument in node.arguments or ():
                if argument.name.value != arg_name:
                    continue
                if isinstance(argument.value, IntValueNode):
                    value = int(argument.value.value)
                elif isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value)
            if value is None:
                value = definition.args[arg_name].default_value
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 1)
            return DEFAULT_LIST_SIZE
        return None


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    fields = getattr(parent, "fields", None)  # object and interface types
    return fields.get(name) if isinstance(fields, Mapping) else None


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


def _has_resolver(definition: GraphQLField) -> bool:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    return getattr(strawberry_field, "base_resolver", None) is not None


def measure(schema: GraphQLSchema, document: Any, variables: Mapping[str, Any] | None = None) -> Size:
    """The largest depth and the sums of aliases, fields and cost over the document's operations.

    Raises ``RecursionError`` for documents nested beyond Python's stack (callers treat
    that as too complex).
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    values: dict[str, Any] = {  # integer defaults of variables (`$n: Int = 40`), then the values sent
        v.variable.name.value: int(v.default_value.value)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        for v in d.variable_definitions or ()
        if isinstance(v.default_value, IntValueNode)
    }
    values.update(variables if isinstance(variables, Mapping) else {})
    walker = _Walker(schema, fragments, values)
    roots = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }
    total = Size()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total.add(walker.selection_set(definition.selection_set, roots.get(definition.operation), None))
    # Fragments nobody spreads are invalid anyway, but an anonymous caller must not hide
    # introspection in one: look at every fragment for it.
    for name in fragments:
        total.introspection = total.introspection or walker.fragment(name, None).introspection
    return total
