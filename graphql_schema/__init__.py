"""The Strawberry schema: types mirroring the domain as a graph, resolvers calling services."""
