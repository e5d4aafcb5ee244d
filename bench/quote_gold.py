"""The hand-labelled quotation gold set: articles written with their labels inline.

    tests/data/extraction/gold/{dev,test}.txt

Each article starts with a line `=== ID`; the text below it is the file as dropped (title,
blank line, paragraphs). Every quotation is labelled after its closing mark, at the latest
at the end of its sentence: `“…,” X said.{{SPEAKER|kind,kind}}`. SPEAKER is the full name,
or the description as first introduced for an unnamed source; ` / ` separates answers that
are equally right ("a western diplomat / the diplomat"); `-` means no speaker can be right
(a scare quote). A multi-paragraph quote is labelled once, after its last closing mark. The
loader strips the labels, and refuses a file where a quotation has none, so a label can never
silently go missing.

The quotations are invented for the set (real public names included): test data only.

Kinds: after, before (the speaker phrase's side), verbend (speaker, aside, then the verb),
pron, desc, org, multi, partial, noverb, prev (speaker in the previous sentence), inner (a
person named inside the quote or its lead-in is not the speaker), apart (role and name
introduced apart: "Kylie Morrow's mother Elizabeth" … "Ms Morrow"), scare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "extraction" / "gold"
SPLITS = ("dev", "test", "holdout")
KINDS = frozenset(
    {"after", "before", "verbend", "pron", "desc", "org", "multi", "partial", "noverb"}
    | {"prev", "inner", "apart", "scare"}
)
_LABEL = re.compile(r"\{\{([^|{}]*)\|([^{}]*)\}\}")


@dataclass(frozen=True)
class GoldQuote:
    text: str
    speakers: tuple[str, ...]  # any one is right; () when none can be
    kinds: frozenset[str]

    @property
    def described(self) -> bool:
        """An unnamed source or an organisation, scored apart from named people."""
        return bool(self.speakers) and ("org" in self.kinds or not self.speakers[0][:1].isupper())


@dataclass(frozen=True)
class GoldArticle:
    split: str
    ident: str
    text: str  # the file as dropped, labels removed
    quotes: tuple[GoldQuote, ...] = field(default=())


def _open_before(text: str, close: int, multi: bool) -> int:
    """The opening mark of the quote closed at `close`; a multi-paragraph quote goes back
    over paragraphs that open with a mark and were never closed."""
    start = text.rindex("“", 0, close)
    while multi:
        para = text.rfind("\n", 0, start) + 1
        if para != start or para < 2:
            break
        prev_para = text.rfind("\n\n", 0, para - 2) + 2 if "\n\n" in text[: para - 2] else 0
        prev = text[prev_para : para - 2]
        if prev.rfind("“") <= prev.rfind("”"):
            break
        start = prev_para + prev.rindex("“")
    return start


def parse_article(split: str, ident: str, marked: str) -> GoldArticle:
    parts: list[str] = []
    raw_quotes: list[tuple[int, int, str, str]] = []
    pos, out_len = 0, 0
    for m in _LABEL.finditer(marked):
        chunk = marked[pos : m.start()]
        parts.append(chunk)
        out_len += len(chunk)
        raw_quotes.append((out_len, m.start(), m.group(1).strip(), m.group(2)))
        pos = m.end()
    parts.append(marked[pos:])
    text = "".join(parts)
    quotes, covered = [], []
    last_close = 0
    for close, _, speaker, kinds_text in raw_quotes:
        close = text.rfind("”", 0, close) + 1  # the label follows its quote's sentence
        if close <= last_close:
            raise ValueError(f"{split}/{ident}: a label with no quotation of its own at {close}")
        last_close = close
        kinds = frozenset(k.strip() for k in kinds_text.split(",") if k.strip())
        if unknown := kinds - KINDS:
            raise ValueError(f"{split}/{ident}: unknown kinds {sorted(unknown)}")
        start = _open_before(text, close - 1, "multi" in kinds)
        covered.append((start, close))
        speakers = () if speaker == "-" else tuple(s.strip() for s in speaker.split(" / "))
        quotes.append(GoldQuote(text[start + 1 : close - 1], speakers, kinds))
    for mark in re.finditer("“", text):
        if not any(lo <= mark.start() < hi for lo, hi in covered):
            line = text[mark.start() : mark.start() + 50]
            raise ValueError(f"{split}/{ident}: unlabelled quotation: {line!r}")
    return GoldArticle(split, ident, text, tuple(quotes))


def load_split(split: str) -> list[GoldArticle]:
    source = (GOLD / f"{split}.txt").read_text("utf-8")
    articles = []
    for block in re.split(r"^=== ", source, flags=re.M)[1:]:
        ident, _, marked = block.partition("\n")
        articles.append(parse_article(split, ident.strip(), marked.strip("\n") + "\n"))
    return articles + _samples(split)


def _samples(split: str) -> list[GoldArticle]:
    """The two real samples, labelled in samples.json (their files are read as dropped)."""
    path = GOLD / "samples.json"
    out = []
    for case in json.loads(path.read_text("utf-8"))["cases"]:
        if case["split"] != split:
            continue
        text = (GOLD.parent / case["file"]).read_text("utf-8")
        quotes = tuple(
            GoldQuote(
                q["text"],
                tuple(q["speakers"]),
                frozenset(q["kinds"]),
            )
            for q in case["quotes"]
        )
        out.append(GoldArticle(split, Path(case["file"]).stem, text, quotes))
    return out


# --- scoring ------------------------------------------------------------------------------

_MARKS = re.compile(r"[\"“”‘’']")


def norm_quote(text: str) -> str:
    return " ".join(_MARKS.sub("", text).split()).rstrip(" ,.;:!?").casefold()


def norm_speaker(text: str | None) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join((text or "").split()).casefold())


@dataclass(frozen=True)
class Predicted:
    text: str
    speaker: str | None


@dataclass
class Tally:
    """One row of the table: quotations of one kind (or all), found and attributed."""

    total: int = 0
    found: int = 0
    scored: int = 0  # quotations with a right answer (not scare quotes)
    right: int = 0
    wrong: int = 0  # a speaker given and not right: worse than none
    empty: int = 0

    def add(self, gold: GoldQuote, pred: Predicted | None, right: bool) -> None:
        self.total += 1
        self.found += pred is not None
        if not gold.speakers:
            return
        self.scored += 1
        if right:
            self.right += 1
        elif pred is None or not pred.speaker:
            self.empty += 1
        else:
            self.wrong += 1

    def row(self, name: str) -> str:
        found = self.found / max(self.total, 1)
        acc = f"{self.right / self.scored:6.1%}" if self.scored else "     -"
        return (
            f"{name:<12} {self.total:>4} {found:7.1%} {acc}  "
            f"({self.right}/{self.scored}, {self.wrong} wrong, {self.empty} empty)"
        )


@dataclass
class Report:
    rows: dict[str, Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def tally(self, name: str) -> Tally:
        return self.rows.setdefault(name, Tally())

    def text(self, title: str) -> str:
        lines = [f"{title}", f"{'kind':<12} {'n':>4} {'found':>7} {'right':>6}"]
        order = ["ALL", "named", "described", *sorted(KINDS)]
        lines += [self.rows[k].row(k) for k in order if k in self.rows]
        return "\n".join(lines)


SpeakerMatch = Callable[[GoldQuote, str | None], bool]


def exact_speaker(gold: GoldQuote, predicted: str | None) -> bool:
    return bool(predicted) and norm_speaker(predicted) in {norm_speaker(s) for s in gold.speakers}


def score_articles(
    articles: Sequence[GoldArticle],
    predictions: Sequence[Sequence[Predicted]],
    match: SpeakerMatch = exact_speaker,
) -> Report:
    report = Report()
    for article, preds in zip(articles, predictions, strict=True):
        by_text = {norm_quote(p.text): p for p in preds}
        for gold in article.quotes:
            if "scare" in gold.kinds:
                continue
            pred = by_text.get(norm_quote(gold.text))
            right = pred is not None and match(gold, pred.speaker)
            groups = ["ALL", "described" if gold.described else "named", *gold.kinds]
            for name in groups:
                report.tally(name).add(gold, pred, right)
            if pred is None:
                report.misses.append(f"{article.ident}: not found: {gold.text[:50]!r}")
            elif not right:
                report.misses.append(
                    f"{article.ident}: {pred.speaker!r} != {gold.speakers[0]!r} "
                    f"[{','.join(sorted(gold.kinds))}] {gold.text[:40]!r}"
                )
    return report
