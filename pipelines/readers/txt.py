"""Plain text: first line is the title, the rest is the body (issue 3 deepens this)."""

from __future__ import annotations

from pipelines.records import ArticleDraft, RejectedInput


def read_txt(text: str) -> list[ArticleDraft]:
    lines = text.strip("\n").split("\n")
    title = lines[0].strip() or None
    body = "\n".join(lines[1:]).strip()
    if not body:
        body, title = (title or ""), None
    if not body.strip():
        raise RejectedInput("no_text", "the file has no article text")
    return [ArticleDraft(body=body, title=title)]
