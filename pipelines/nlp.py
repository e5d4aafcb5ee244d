"""spaCy NER, loaded once per process and always used inside `memory_zone()`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import spacy
from spacy.language import Language

from pipelines.records import Analysis, ArticleDraft, Mention

# NER in the sm/md/lg English models needs none of these; disabling them is most of the speed.
_UNNEEDED = ("tagger", "parser", "attribute_ruler", "lemmatizer")
_TITLES = re.compile(r"^(?:mr|mrs|ms|dr|gen|president|sen|rep|prof)\.?\s+", re.I)


@lru_cache(maxsize=2)
def load_model(name: str) -> Language:
    """Load `name` once per process (a worker child calls this lazily on first use)."""
    return spacy.load(name, exclude=[p for p in _UNNEEDED])


def _canonical(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    return _TITLES.sub("", text).strip() or text


class Analyzer:
    """Runs NER over drafts in batches; one instance per worker process."""

    def __init__(self, model_name: str, batch_size: int = 16) -> None:
        self.model_name = model_name
        self.batch_size = batch_size

    @property
    def nlp(self) -> Language:
        return load_model(self.model_name)

    def analyze(self, drafts: Sequence[ArticleDraft]) -> list[Analysis]:
        nlp = self.nlp
        out: list[Analysis] = []
        # Strings interned during the zone are freed at its end (spaCy#3618): flat memory.
        with nlp.memory_zone():
            for doc in nlp.pipe((d.body for d in drafts), batch_size=self.batch_size):
                mentions = tuple(
                    Mention(e.text, e.label_, _canonical(e.text), e.start_char, e.end_char)
                    for e in doc.ents
                )
                out.append(Analysis(mentions=mentions))
        return out
