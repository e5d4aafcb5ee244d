"""Small SQL helpers shared by the ledger, the store and the read queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    insert,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_T = TypeVar("_T")


def insert_or_skip(session: Session, model: type[object]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def insert_ignore(session: Session, model: type[object], rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(insert_or_skip(session, model), rows)


def pair_in(first: Any, second: Any, pairs: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    """`first IN (…) AND second IN (…)`: a superset of the pairs, filtered by the caller.

    A row-value `(a, b) IN (…)` makes SQLite scan the whole table; two plain INs use the
    composite index on both columns.
    """
    return first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs})


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert_rows(session: Session, model: type[object], rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), rows)


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; all we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
