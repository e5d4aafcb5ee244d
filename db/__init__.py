"""The relational store: schema, sessions and the queries the rest of the code needs."""
