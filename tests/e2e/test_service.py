"""End to end with real processes: `dropwire up`, real Redis, real SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.service import Service, running_service, wait_for
from tests.support.services import pg_schema_url, redis_db_url

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    extra = {"DROPWIRE_REDIS_URL": redis_db_url()}
    schemas = None
    if request.param == "postgresql":
        schemas = pg_schema_url()
        extra["DROPWIRE_DATABASE_URL"] = next(schemas)
    with running_service(tmp_path, **extra) as svc:
        yield svc
    if schemas is not None:
        next(schemas, None)


def _by_path(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["source_path"]: r for r in records}


def test_samples_dropped_in_are_stored_then_a_copy_is_linked(
    service: Service, samples: dict[str, bytes]
) -> None:
    (_bush_name, bush), (_plan_name, plan) = sorted(samples.items())
    service.drop("bush.txt", bush)
    service.drop("plan.txt", plan)
    records = wait_for(lambda: _by_path(service.export()) if len(service.export()) == 2 else None,
                       120, "both samples in the export")  # fmt: skip
    assert records["bush.txt"]["title"] == "U.S. And Iran Fighting Proxy War In Iraq"
    assert records["plan.txt"]["title"].startswith("Iran's secret plan for summer offensive")
    for record in records.values():
        assert record["status"] == "done"
        assert record["duplicate_of"] is None
    canon = {e["canonical"] for r in records.values() for e in r["entities"]}
    assert {"Robert Gates", "Tehran"} <= canon, canon
    assert all((service.inbox / "done" / n).exists() for n in ("bush.txt", "plan.txt"))

    service.drop("bush-again.txt", bush)
    records = wait_for(lambda: _by_path(service.export()) if len(service.export()) == 3 else None,
                       60, "the copy in the export")  # fmt: skip
    copy = records["bush-again.txt"]
    assert copy["duplicate_of"] == records["bush.txt"]["id"]
    assert copy["cluster_id"] == records["bush.txt"]["id"]
    stored = [r for r in records.values() if r["duplicate_of"] is None]
    assert len(stored) == 2  # linked, not stored twice


def test_bad_files_fail_with_reasons_and_the_workers_go_on(
    service: Service, samples: dict[str, bytes]
) -> None:
    service.drop("empty.txt", b"")
    service.drop("binary.txt", bytes(range(256)) * 64)
    service.drop("latin1.txt", "Caf\xe9 owners in Montr\xe9al protest".encode("cp1252") * 40)
    service.drop("good.txt", next(iter(samples.values())))
    failed = wait_for(lambda: service.failed() if len(service.failed()) >= 2 else None,
                      90, "two failures")  # fmt: skip
    reasons = {f["source_path"]: f for f in failed}
    assert set(reasons) == {"empty.txt", "binary.txt"}
    assert all(f["reason"] and f["attempts"] == 1 for f in failed)
    assert (service.inbox / "failed" / "binary.txt").exists()
    records = wait_for(lambda: _by_path(service.export()) if len(service.export()) == 2 else None,
                       90, "the good files stored after the bad ones")  # fmt: skip
    assert "Montréal" in records["latin1.txt"]["body"]


def test_ingest_wait_reports_a_summary(
    service: Service, samples: dict[str, bytes], tmp_path: Path
) -> None:
    outside = tmp_path / "batch"
    outside.mkdir()
    (bush, plan) = sorted(samples.values())
    (outside / "one.txt").write_bytes(bush)
    (outside / "two.txt").write_bytes(plan)
    (outside / "three.txt").write_bytes(bush)  # an exact copy of one.txt
    (outside / "four.txt").write_bytes(b"")
    done = service.cli_result("ingest", str(outside), "--wait", "--timeout", "120", timeout=180)
    assert done.returncode == 0, done.stderr
    assert "stored 2, duplicates 1, failed 1" in done.stderr
    assert "ingesting" in done.stderr  # the progress bar was drawn
    assert len(service.export()) == 3
    assert (outside / "one.txt").exists()  # the user's own files are copied, not moved


def test_ingest_of_the_inbox_itself_skips_done_and_failed(
    service: Service, samples: dict[str, bytes]
) -> None:
    service.drop("first.txt", next(iter(samples.values())))
    wait_for(lambda: len(service.export()) == 1 or None, 90, "first.txt stored")
    assert (service.inbox / "done" / "first.txt").exists()
    done = service.cli_result("ingest", str(service.inbox), "--wait", "--timeout", "60", timeout=90)
    # Nothing new in the inbox proper: done/first.txt is not taken again.
    assert done.returncode != 0 and "no files to ingest" in done.stderr
    assert len(service.export()) == 1
