"""Search hits for the JSON faces (`search --json`, /api/articles) and the terminal: the
snippet's match markers turned into plain text and offsets."""

from __future__ import annotations

from db.search import MARK_END, MARK_START, Hit


def split_marks(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet as plain text and the (start, end) of each matched run in it, so every face
    can show matches its own way without trusting markers inside article text."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    at, start = 0, None
    for char in snippet:
        if char == MARK_START:
            start = at
        elif char == MARK_END:
            if start is not None and at > start:
                spans.append((start, at))
            start = None
        else:
            plain.append(char)
            at += 1
    return "".join(plain), spans


def hit_json(hit: Hit) -> dict[str, object]:
    """A hit for JSON faces: its export record when it has one (DESIGN.md §3), then the
    snippet as plain text with its matches as offsets, the score and when it was stored."""
    snippet, highlights = split_marks(hit.snippet)
    return (hit.record or {}) | {
        "id": hit.id,
        "title": hit.title,
        "display_title": hit.display_title,
        "display_title_derived": hit.title_derived,  # the export record's name
        "published": hit.published,
        "language": hit.language,
        "source_path": hit.source_path,
        "stored_at": hit.stored_at.isoformat(),
        "duplicate_of": hit.duplicate_of,
        "duplicate_kind": hit.duplicate_kind,
        "cluster_id": hit.cluster_id,
        "score": hit.score,
        "snippet": snippet,
        "highlights": [list(span) for span in highlights],
    }
