"""`dropwire extract`: the whole pipeline on one file, in a child process with a time limit.

The file comes from an operator, but its bytes may be anything a drop folder holds: it is
opened without blocking (a FIFO), refused when it is not a regular file or over the size
limit (from `fstat`, before reading), and the work runs in a forked child that is killed
after `task_soft_time_limit` seconds, as a worker's task would be.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipelines.records import Analysis, RejectedInput
from workers.files import relative_key
from workers.settings import Settings


class ExtractFailed(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def read_limited(path: Path, max_bytes: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ExtractFailed("special_file", "not a regular file")
        if st.st_size > max_bytes:
            raise ExtractFailed(
                "too_large", f"the file is {st.st_size} bytes, over the limit of {max_bytes}"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(max_bytes + 1)
    finally:
        os.close(fd)


def records_for(path: Path, settings: Settings) -> list[dict[str, Any]]:
    """The extracted records of one file (raises ExtractFailed)."""
    data = read_limited(path, settings.max_file_bytes)  # before the slow imports below
    from pipelines.extract import read_articles
    from pipelines.fingerprint import fingerprint
    from pipelines.nlp import Analyzer

    # The name as the ledger would write it: a name that is not UTF-8 gets \xNN escapes.
    name = relative_key(path.parent, path)
    try:
        drafts = read_articles(name, data, settings.limits)
    except RejectedInput as exc:
        raise ExtractFailed(exc.code, exc.reason) from None
    analyses = Analyzer(settings.spacy_model, max_chars=settings.nlp_max_chars).analyze(drafts)
    records = []
    for draft, analysis in zip(drafts, analyses, strict=True):
        record = asdict(draft)
        record["word_count"] = draft.word_count
        record["sha256_normalised"] = fingerprint(draft.body).exact
        record["entities"] = entity_summary(analysis)
        record["mentions"] = [asdict(m) for m in analysis.mentions]
        record["quotes"] = [asdict(q) for q in analysis.quotes]
        records.append(record)
    return records


def entity_summary(analysis: Analysis) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for m in analysis.mentions:
        entry = counts.setdefault(
            (m.label, m.canonical),
            {"text": m.text, "label": m.label, "canonical": m.canonical, "count": 0},
        )
        entry["count"] += 1
    return sorted(counts.values(), key=lambda e: (-e["count"], e["canonical"]))


def _child(out: Connection, path: Path, settings: Settings) -> None:
    try:
        out.send(("ok", records_for(path, settings)))
    except ExtractFailed as exc:
        out.send(("failed", exc.code, exc.reason))
    except Exception as exc:
        out.send(("failed", "error", f"{type(exc).__name__}: {exc}"))
    finally:
        out.close()


def extract_with_limit(path: Path, settings: Settings) -> list[dict[str, Any]]:
    """`records_for` in a forked child, killed after `task_soft_time_limit` seconds."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, path, settings), daemon=True)
    child.start()
    send.close()
    limit = settings.task_soft_time_limit
    try:
        if not receive.poll(limit):
            raise ExtractFailed("timeout", f"extraction took longer than {limit} s")
        answer = receive.recv()
    except EOFError:
        raise ExtractFailed("error", "the extraction process died") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
    if answer[0] == "failed":
        raise ExtractFailed(answer[1], answer[2])
    records: list[dict[str, Any]] = answer[1]
    return records
