from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from db.session import make_engine, make_session_factory
from tests.support.services import migrated_pg_url

# Copies of ../shared/samples, so the suite does not depend on the checkout's neighbours.
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Both databases, each with the migrations applied to a fresh, empty schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
    else:
        yield from migrated_pg_url()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    files = sorted(SAMPLES.glob("*.txt"))
    assert len(files) == 2, f"expected the two sample articles in {SAMPLES}"
    return {f.name: f.read_bytes() for f in files}
