"""Re-fingerprint stored articles under the current scheme, in small batches, while the
service runs (`dropwire refingerprint`).

Articles of another scheme are never candidates (`db.storage` filters on
`fingerprint_scheme`), so until a batch reaches them they are simply not found; each batch
takes the dedup lock, so it interleaves with the workers' decisions rather than racing them.
Every function takes a session and never commits: one batch is one transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Article, Band
from db.sqlutil import insert_rows
from db.storage import lock_dedup
from pipelines.fingerprint import SCHEME, fingerprint, signature_to_bytes


def refingerprint_batch(session: Session, limit: int = 200) -> int:
    """Re-fingerprint up to `limit` stale articles, oldest first; how many were done.

    Signature and scheme are rewritten; band keys are replaced for articles that had them
    (canonicals and near copies: exact copies add nothing to the index).
    """
    lock_dedup(session)
    rows = session.execute(
        select(Article.id, Article.body, Article.duplicate_kind)
        .where(Article.fingerprint_scheme != SCHEME)
        .order_by(Article.id)
        .limit(limit)
    ).all()
    for article_id, body, kind in rows:
        fp = fingerprint(body)
        session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(signature=signature_to_bytes(fp.signature), fingerprint_scheme=SCHEME)
        )
        session.execute(delete(Band).where(Band.article_id == article_id))
        if kind != "exact":
            bands = [
                {"article_id": article_id, "band": i, "key": k} for i, k in enumerate(fp.bands)
            ]
            insert_rows(session, Band, bands)
    return len(rows)
