"""The domain layer: REST handlers, GraphQL resolvers and arq jobs all call these functions."""
