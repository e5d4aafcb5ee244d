"""A file stored through the real ingest and NLP steps, in-process (no queue, no workers):
for tests of what reads the store (search, the API, the page)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from db import ledger
from db.session import transaction
from workers import service
from workers.runtime import Runtime


def store_file(rt: Runtime, name: str, data: bytes) -> None:
    path = rt.settings.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    seen = ledger.SeenFile(name, hashlib.sha256(data).hexdigest(), len(data))
    with transaction(rt.sessions) as s:
        (row,) = ledger.register_files(s, [seen], datetime.now(UTC))
        row_id = row.id
    for nlp_id in service.ingest(rt, row_id).to_nlp:
        service.analyse(rt, nlp_id)
