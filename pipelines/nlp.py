"""spaCy NER, loaded once per process and always used inside `memory_zone()`.

Only the named-entity recogniser runs: quotations, speakers and canonical names are rules
over its output (`pipelines.quotes`, `pipelines.entities`), so the tagger, parser and
lemmatizer — most of the model's time — are never loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import spacy
from spacy.language import Language

from pipelines.entities import build_mentions
from pipelines.quotes import extract_quotes
from pipelines.records import Analysis, ArticleDraft

_UNNEEDED = ("tagger", "parser", "senter", "attribute_ruler", "lemmatizer")
# spaCy refuses texts over nlp.max_length (1,000,000 chars) and its memory grows with
# length; long bodies are cut at paragraph breaks into pieces of at most this size.
CHUNK_CHARS = 100_000
# NER reads at most this much of a body (a long feature is 30,000 characters). Past it NER
# costs ~10 s per 100,000 characters on one core: a multi-MB body would outlast the task's
# time limit and fail, where its text is still worth storing and searching whole.
MAX_ANALYSED_CHARS = 200_000
ENGLISH = (None, "en")  # undetected language is treated as English


@lru_cache(maxsize=2)
def load_model(name: str) -> Language:
    """Load `name` once per process (a worker child calls this lazily on first use)."""
    nlp = spacy.load(name, exclude=list(_UNNEEDED))
    # In the sm/md/lg models NER embeds its own tok2vec; the shared one then feeds nobody.
    if "tok2vec" in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe("tok2vec"), "listening_components", ["?"])
        if not listeners:
            nlp.remove_pipe("tok2vec")
    return nlp


def analysed_part(body: str, limit: int = MAX_ANALYSED_CHARS) -> str:
    """The part of `body` NER reads: all of it, or its start cut at a space."""
    if len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit)
    return body[: cut if cut > 0 else limit]


def chunks(body: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering `body`, cut at paragraph breaks, else at spaces."""
    start = 0
    while len(body) - start > limit:
        cut = body.rfind("\n\n", start, start + limit)
        if cut <= start:
            cut = body.rfind(" ", start, start + limit)
        if cut <= start:
            cut = start + limit
        yield start, body[start:cut]
        start = cut
    yield start, body[start:]


class Analyzer:
    """Runs NER, canonical names and quotations over drafts; one instance per process."""

    def __init__(
        self, model_name: str, batch_size: int = 16, max_chars: int = MAX_ANALYSED_CHARS
    ) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.max_chars = max_chars

    @property
    def nlp(self) -> Language:
        return load_model(self.model_name)

    def analyze(self, drafts: Sequence[ArticleDraft]) -> list[Analysis]:
        out: list[Analysis] = []
        for i in range(0, len(drafts), self.batch_size):
            out.extend(self._batch(drafts[i : i + self.batch_size]))
        return out

    def _batch(self, drafts: Sequence[ArticleDraft]) -> list[Analysis]:
        nlp = self.nlp
        ents: list[list[tuple[str, int, int]]] = [[] for _ in drafts]
        pieces = [
            (piece, (n, offset))
            for n, d in enumerate(drafts)
            if d.language in ENGLISH
            for offset, piece in chunks(analysed_part(d.body, self.max_chars))
        ]
        # Strings interned inside the zone are freed at its end (spaCy#3618); nothing
        # spaCy-owned may leave it, so entities are copied out as plain tuples.
        with nlp.memory_zone():
            for doc, (n, offset) in nlp.pipe(pieces, as_tuples=True, batch_size=self.batch_size):
                ents[n].extend(
                    (e.label_, e.start_char + offset, e.end_char + offset) for e in doc.ents
                )
        return [self._analysis(d, e) for d, e in zip(drafts, ents, strict=True)]

    @staticmethod
    def _analysis(draft: ArticleDraft, ents: list[tuple[str, int, int]]) -> Analysis:
        if draft.language not in ENGLISH:
            return Analysis()  # English NER on other languages gives noise, not entities
        mentions = build_mentions(draft.body, ents)
        return Analysis(mentions=mentions, quotes=extract_quotes(draft.body, mentions))
