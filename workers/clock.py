"""The service's clock: timezone-aware UTC, the only kind the ledger stores."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
