"""Pure extraction logic: bytes and records in, records out.

Nothing in this package may import Celery, SQLAlchemy, Redis or read environment variables;
`workers` and `db` depend on it, never the other way round.
"""
