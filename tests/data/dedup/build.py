"""Build the labelled near-duplicate evaluation set: `eval.jsonl` beside this file.

    .venv/bin/python tests/data/dedup/build.py      # rewrites eval.jsonl; commit the result

Bases (`source/*.txt`) come in pairs `<story>-a` / `<story>-b`: the same news story written
independently by two outlets (hard negatives: they share names, numbers and often verbatim
quotes, and must never merge). `iraq-*` are the two shared samples (CBS News, The Guardian;
the second's repeated body folded and the first's author footer removed, as cleaning would);
every other base is composed for this set (fictional places and people).

Each base yields itself plus seeded re-publications (its true cluster): one variant per
single transformation, three random combinations (the last derived from the first: an
aggregator re-publishing a re-publication), and `worst`, every transformation at full
strength. Output order is a seeded shuffle: it is the arrival order, so a variant may arrive
before its original.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 20240521
SAMPLES = {"iraq-a", "iraq-b"}

HEADERS = [
    "WASHINGTON (AP) —",
    "LONDON, May 22 (Reuters) -",
    "By Staff and Wire Reports\nUpdated 3:47 p.m. ET",
    "Syndicated from the Newsdesk | 4 min read",
    "BREAKING NEWS\nShare this story on Facebook, Twitter and Email",
    "From our partners at the Evening Courier. Subscribe for more local news.",
]
FOOTERS = [
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "(Reporting by Anna Kowal; Additional reporting by Tom Birch; Editing by Mark Porter)",
    "Share this article: Facebook | Twitter | LinkedIn | Email | Print",
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Related coverage: What the decision means for you. Read the full timeline here.",
    "This story has been updated with additional details.",
]
SWAPS = {
    "said": "says",
    "says": "said",
    "about": "roughly",
    "more": "over",
    "people": "residents",
    "percent": "per cent",
    "told": "said to",
    "after": "following",
    "officials": "authorities",
    "but": "however",
}
INSERTS = ["also", "on Tuesday", "according to officials", "reportedly", "earlier", "now"]
OCR = [("m", "rn"), ("rn", "m"), ("l", "1"), ("i", "l"), ("o", "0"), ("e", "c"), ("h", "b")]


def header_footer(text: str, rng: random.Random) -> str:
    """A wire header, a site footer, or both."""
    which = rng.choice(["header", "footer", "both"])
    if which in {"header", "both"}:
        text = f"{rng.choice(HEADERS)}\n\n{text}"
    if which in {"footer", "both"}:
        text = f"{text.rstrip()}\n\n{rng.choice(FOOTERS)}\n"
    return text


def _edit_word(word: str, rng: random.Random) -> str:
    bare = word.strip(".,;:\"'").lower()
    if bare in SWAPS:
        return re.sub(re.escape(bare), SWAPS[bare], word, count=1, flags=re.IGNORECASE)
    return rng.choice(["", f"{word} {rng.choice(INSERTS)}", word.upper()])


def edit_words(text: str, rng: random.Random, ops: tuple[int, int] = (2, 6)) -> str:
    """A few words changed, inserted or deleted (copy-editing by the re-publisher)."""
    tokens = re.split(r"( +)", text)
    words = [i for i, t in enumerate(tokens) if t.strip()]
    for i in rng.sample(words, min(len(words), rng.randint(*ops))):
        tokens[i] = _edit_word(tokens[i], rng)
    return "".join(tokens)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    k = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "ocr", "split"])
    if kind == "swap":
        return word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]
    if kind == "drop":
        return word[:k] + word[k + 1 :]
    if kind == "double":
        return word[:k] + word[k] + word[k:]
    if kind == "split":
        return word[:k] + " " + word[k:]
    options = [(a, b) for a, b in OCR if a in word]
    if not options:
        return word[:k] + word[k + 1 :]
    a, b = rng.choice(options)
    return word.replace(a, b, 1)


def typos(text: str, rng: random.Random, rate: tuple[float, float] = (0.01, 0.03)) -> str:
    """Character noise on 1-3% of words: typing slips and OCR confusions (rn/m, l/1, o/0)."""
    p = rng.uniform(*rate)
    return re.sub(r"\S+", lambda m: _typo(m.group(), rng) if rng.random() < p else m.group(), text)


def truncate(text: str, rng: random.Random) -> str:
    """Only the first 75-90% of the words (a teaser, a page cut short)."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    keep = spans[int(len(spans) * rng.uniform(0.75, 0.90)) - 1]
    return text[:keep] + rng.choice(["", " …", "\n\nContinue reading"])


def reflow(text: str, rng: random.Random) -> str:
    """Paragraphs merged and hard-wrapped, with some line-end words hyphenated (print/PDF)."""
    paras = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    merged: list[str] = []
    for p in paras:
        if merged and rng.random() < 0.4:
            merged[-1] += " " + p
        else:
            merged.append(p)
    width = rng.randint(50, 80)
    hyphen = rng.uniform(0.0, 0.3)
    return "\n\n".join(_wrap(p, width, hyphen, rng) for p in merged) + "\n"


def _wrap(paragraph: str, width: int, hyphen: float, rng: random.Random) -> str:
    lines = textwrap.wrap(paragraph, width)
    for i in range(len(lines) - 1):
        last = lines[i].rsplit(" ", 1)[-1]
        if len(last) >= 8 and last.isalpha() and rng.random() < hyphen:
            cut = len(last) // 2
            lines[i] = lines[i][: -len(last)] + last[:cut] + "-"
            lines[i + 1] = last[cut:] + " " + lines[i + 1]
    return "\n".join(lines)


Transform = Callable[[str, random.Random], str]
SINGLE: dict[str, Transform] = {
    "header_footer": header_footer,
    "edit": edit_words,
    "typos": typos,
    "truncate": truncate,
    "reflow": reflow,
}


def combo(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """A realistic re-publication: edits always, the other transformations by chance."""
    applied = ["edit"]
    text = edit_words(text, rng)
    for name, fn, p in [
        ("truncate", truncate, 0.5),
        ("typos", lambda t, r: typos(t, r, (0.005, 0.02)), 0.6),
        ("reflow", reflow, 0.5),
        ("header_footer", header_footer, 0.8),
    ]:
        if rng.random() < p:
            text = fn(text, rng)
            applied.append(name)
    return text, applied


def worst(text: str, rng: random.Random) -> str:
    """Every transformation at once, at full strength: the hardest true duplicate."""
    for fn in (edit_words, truncate, typos, reflow, header_footer):
        text = fn(text, rng)
    return text


def variants(base: str, text: str) -> list[tuple[str, str, list[str]]]:
    """(name, text, transformations) for one base: itself, singles, combos, the worst case."""
    out = [("original", text, [])]
    for name, fn in SINGLE.items():
        out.append((name, fn(text, random.Random(f"{SEED}:{base}:{name}")), [name]))
    for k in (1, 2):
        t, applied = combo(text, random.Random(f"{SEED}:{base}:combo{k}"))
        out.append((f"combo{k}", t, applied))
    t, applied = combo(out[-2][1], random.Random(f"{SEED}:{base}:combo3"))
    out.append(("combo3", t, ["combo1", *applied]))
    out.append(("worst", worst(text, random.Random(f"{SEED}:{base}:worst")), [*SINGLE]))
    return out


def build() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((HERE / "source").glob("*.txt")):
        base = path.stem
        for name, text, applied in variants(base, path.read_text(encoding="utf-8")):
            rows.append(
                {
                    "id": f"{base}/{name}",
                    "cluster": base,
                    "story": base.rsplit("-", 1)[0],
                    "origin": "sample" if base in SAMPLES else "composed",
                    "transforms": applied,
                    "text": text,
                }
            )
    random.Random(SEED).shuffle(rows)
    return rows


# --- the hard set -----------------------------------------------------------------------------

HARD_SEED = 20261202
STORIES = 300
OCR_MORE = [("a", "o"), ("s", "5"), ("cl", "d"), ("d", "cl"), ("t", "f"), ("u", "v"), ("I", "l")]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SENTENCE = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")


def ocr(text: str, rng: random.Random, rate: tuple[float, float] = (0.04, 0.07)) -> str:
    """OCR-like noise on 4-7% of the characters: confusions (rn/m, l/1, o/0, cl/d), wrong,
    lost or extra letters, spaces lost or inserted."""
    p = rng.uniform(*rate)
    out: list[str] = []
    i = 0
    while i < len(text):
        if rng.random() >= p:
            out.append(text[i])
            i += 1
            continue
        pair = [(a, b) for a, b in OCR + OCR_MORE if text.startswith(a, i)]
        kind = rng.choice(["confuse", "confuse", "wrong", "lose", "extra", "space"])
        if kind == "confuse" and pair:
            a, b = rng.choice(pair)
            out.append(b)
            i += len(a)
        elif kind == "lose":
            i += 1
        elif kind == "extra":
            out.append(text[i] + rng.choice(LETTERS + ".,'"))
            i += 1
        elif kind == "space":
            out.append("" if text[i] == " " else text[i] + " ")
            i += 1
        else:
            out.append(rng.choice(LETTERS) if text[i].isalpha() else text[i])
            i += 1
    return "".join(out)


def cut(text: str, rng: random.Random) -> str:
    """The first 50-65% of the words under a new header, a new footer or both."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    keep = spans[int(len(spans) * rng.uniform(0.50, 0.65)) - 1]
    return header_footer(text[:keep] + rng.choice(["", " …", "\n\nRead more"]), rng)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(" ".join(text.split())) if s]


def drop_typos(text: str, rng: random.Random) -> str:
    """About a fifth of the sentences dropped (15-25%), then typos on 1-3% of the words."""
    kept = [s for s in sentences(text) if rng.random() >= rng.uniform(0.15, 0.25)]
    return typos(_paragraphs(kept, rng), rng)


def reorder(text: str, rng: random.Random) -> str:
    """The lede stays first; every sentence after it is shuffled and re-paragraphed."""
    lede, *rest = sentences(text)
    rng.shuffle(rest)
    return _paragraphs([lede, *rest], rng)


def _paragraphs(parts: list[str], rng: random.Random) -> str:
    out, i = [], 0
    while i < len(parts):
        step = rng.randint(1, 3)
        out.append(" ".join(parts[i : i + step]))
        i += step
    return "\n\n".join(out) + "\n"


HARD: dict[str, Transform] = {"ocr": ocr, "cut": cut, "drop_typos": drop_typos, "reorder": reorder}
EASY = {**SINGLE, "combo": lambda t, r: combo(t, r)[0]}


def _row(doc_id: str, cluster: str, story: str, kind: str, text: str) -> dict[str, object]:
    return {"id": doc_id, "cluster": cluster, "story": story, "kind": kind, "text": text}


def hard_story_rows(k: int) -> list[dict[str, object]]:
    """One story: its base (outlet 0) with every easy and hard copy, the independent report
    (outlet 1, a same-story negative) with two hard copies, and an article quoting the base."""
    c = _compose()
    rng = random.Random(f"{HARD_SEED}:{k}")
    facts = c.story(rng)
    story, base = f"s{k:03d}", f"s{k:03d}-a"
    text = c.write(facts, 0, rng)
    rows = [_row(f"{base}/original", base, story, "original", text)]
    for name, fn in {**EASY, **HARD}.items():
        copy = fn(text, random.Random(f"{HARD_SEED}:{k}:{name}"))
        rows.append(_row(f"{base}/{name}", base, story, name, copy))
    other = c.write(facts, 1, rng)
    rows.append(_row(f"{story}-b/original", f"{story}-b", story, "same_story", other))
    for name in ("ocr", "cut"):
        copy = HARD[name](other, random.Random(f"{HARD_SEED}:{k}:b:{name}"))
        rows.append(_row(f"{story}-b/{name}", f"{story}-b", story, name, copy))
    rows.append(
        _row(f"{story}-q/original", f"{story}-q", story, "quoting", _quoting(c, facts, text, rng))
    )
    return rows


def _quoting(c: Any, facts: Any, text: str, rng: random.Random) -> str:
    """A follow-up by another outlet (same place, people and organisation) quoting 35-50% of
    the base's sentences in one block."""
    follow = dataclasses.replace(
        c.story(rng), place=facts.place, people=facts.people, org=facts.org
    )
    parts = sentences(text)
    n = max(2, round(len(parts) * rng.uniform(0.35, 0.50)))
    start = rng.randrange(0, len(parts) - n + 1)
    return c.commentary(follow, " ".join(parts[start : start + n]), "Evening Courier", rng)


def _compose() -> Any:
    sys.path.insert(0, str(HERE.parents[2]))
    from tests.support.scripts import load_script

    return load_script(HERE / "compose.py")


def build_hard(stories: int = STORIES) -> list[dict[str, object]]:
    """The hard set, in a seeded arrival order (copies often arrive before their original)."""
    rows = [row for k in range(stories) for row in hard_story_rows(k)]
    random.Random(HARD_SEED).shuffle(rows)
    return rows


def hard_digest(rows: list[dict[str, object]]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def main() -> None:
    hard = build_hard()
    (HERE / "hard.sha256").write_text(f"{hard_digest(hard)}  build_hard()\n", encoding="utf-8")
    print(f"hard set: {len(hard)} articles, digest in {HERE / 'hard.sha256'}")
    rows = build()
    with (HERE / "eval.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    clusters = len({r["cluster"] for r in rows})
    print(f"wrote {len(rows)} articles in {clusters} clusters to {HERE / 'eval.jsonl'}")


if __name__ == "__main__":
    main()
