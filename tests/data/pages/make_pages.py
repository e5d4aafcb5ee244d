"""Write the labelled page set: publishers' templates filled with hand-written stories.

    python tests/data/pages/make_pages.py

The stories, their labels (`LABELS` below) and each template's quirks are written by hand;
this script only pours them into page chrome so the 30-odd pages share realistic furniture
(navigation, cookie banners, newsletter boxes, related links, captions) without 30 copies of
it. The HTML files it writes are committed; labels.json is what the bench and tests read.
Labels are the truth an editor sees on the page, not what the page's metadata claims: a page
whose JSON-LD is wrong keeps the visible headline, authors and date in its label.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

COOKIE = (
    '<div class="cookie-banner"><p>We use cookies to improve your experience. By continuing '
    "to browse you accept our use of cookies.</p><button>Accept all cookies</button></div>"
)
NEWSLETTER = (
    '<aside class="newsletter"><h3>Get our morning briefing</h3><p>Sign up for our newsletter '
    "and get the top stories in your inbox every morning.</p><form><input type=email>"
    "<button>Subscribe</button></form></aside>"
)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ld(obj: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def metas(pairs: list[tuple[str, str]]) -> str:
    out = []
    for key, value in pairs:
        attr = "property" if key.startswith(("og:", "article:")) else "name"
        out.append(f'<meta {attr}="{key}" content="{esc(value)}">')
    return "\n".join(out)


def paras(ps: list[str]) -> str:
    return "\n".join(f"<p>{esc(p)}</p>" for p in ps)


def related(links: list[str]) -> str:
    items = "".join(f'<li><a href="/story/{i}">{esc(t)}</a></li>' for i, t in enumerate(links))
    return f'<aside class="related"><h3>Related stories</h3><ul>{items}</ul></aside>'


def nav(site: str, sections: list[str]) -> str:
    links = " ".join(f'<a href="/{s.lower()}">{esc(s)}</a>' for s in sections)
    return f'<header><a class="logo" href="/">{esc(site)}</a><nav>{links}</nav></header>'


def page(lang: str, head: str, body: str, dir_: str = "ltr") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{dir_}">\n<head>\n<meta charset="utf-8">\n'
        f"{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def article_ld(s: dict[str, Any], **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": s.get("ld_type", "NewsArticle"),
        "headline": s.get("ld_headline", s["headline"]),
        "datePublished": s.get("ld_date", s["iso"]),
        "dateModified": s["iso"],
        "author": [person(a) for a in s["authors"]],
        "publisher": {"@type": "Organization", "name": s["site"]},
    }
    obj.update(extra)
    return obj


def og(s: dict[str, Any], title: str | None = None) -> list[tuple[str, str]]:
    return [
        ("og:title", title or s.get("og_title", s["headline"])),
        ("og:site_name", s["site"]),
        ("og:type", "article"),
        ("og:description", s["paras"][0][:150]),
        ("article:published_time", s["iso"]),
    ]


# --- templates: one function per publisher family ---------------------------------------


def cnn(s: dict[str, Any]) -> str:
    head = "\n".join(
        [
            f"<title>{esc(s['headline'])} | {esc(s['section'])}</title>",
            metas([*og(s), ("author", ", ".join(s["authors"]))]),
            ld(article_ld(s)),
        ]
    )
    names = ", ".join(f'<a href="/profiles/{i}">{esc(a)}</a>' for i, a in enumerate(s["authors"]))
    if len(s["authors"]) > 1:
        names = names.rsplit(", ", 1)[0] + " and " + names.rsplit(", ", 1)[1]
    first = f'<p><cite class="source__location">{esc(s["dl_text"])}</cite> {esc(s["paras"][0])}</p>'
    body = (
        nav("CNN", ["US", "World", "Politics", "Business"])
        + f'<main><div class="headline"><h1>{esc(s["headline"])}</h1>'
        + f'<div class="byline">By {names}, CNN</div>'
        + f'<div class="timestamp">Updated {esc(s["shown_date"])}</div></div>'
        + '<div class="article__content">'
        + first
        + paras(s["paras"][1:3])
        + related(s["related"])
        + paras(s["paras"][3:])
        + "</div></main>"
        + COOKIE
        + "<footer><p>© 2024 Cable News Network. All Rights Reserved.</p></footer>"
    )
    return page(s["lang"], head, body)


def time_(s: dict[str, Any]) -> str:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "TIME", "url": "https://time.example"},
            {"@type": "WebPage", "name": s["headline"] + " | TIME"},
            {k: v for k, v in article_ld(s).items() if k != "@context"},
        ],
    }
    head = "\n".join([f"<title>{esc(s['headline'])} | TIME</title>", metas(og(s)), ld(graph)])
    authors = " and ".join(f'<a rel="author">{esc(a)}</a>' for a in s["authors"])
    body = (
        nav("TIME", ["Politics", "World", "Health", "Ideas"])
        + f'<article><h1>{esc(s["headline"])}</h1><div class="author">{authors}</div>'
        + f'<time datetime="{s["iso"]}">{esc(s["shown_date"])}</time>'
        + f'<figure><img src="/photos/{s["photo"]}"><figcaption>{esc(s["caption"])}</figcaption>'
        + "</figure>"
        + paras(s["paras"])
        + "</article>"
        + NEWSLETTER
        + related(s["related"])
    )
    return page(s["lang"], head, body)


def wired(s: dict[str, Any]) -> str:
    author_metas = [("article:author", f"https://www.wired.example/author/{i}/") for i in range(2)]
    head = "\n".join(
        [
            f"<title>{esc(s['headline'])} | WIRED</title>",
            metas(og(s) + author_metas),
            ld(article_ld(s, dateline=None)),
        ]
    )
    byline = " ".join(f'<span class="byline__name">{esc(a)}</span>' for a in s["authors"])
    ps = s["paras"]
    body = (
        nav("WIRED", ["Security", "Politics", "Gear", "Science"])
        + f'<article><header><h1>{esc(s["headline"])}</h1><div class="byline">{byline}</div>'
        + f"<time>{esc(s['shown_date'])}</time></header>"
        + f'<div class="body">{paras(ps[:2])}'
        + f'<p><strong>Related:</strong> <a href="/r">{esc(s["related"][0])}</a></p>'
        + paras(ps[2:])
        + "</div></article>"
        + NEWSLETTER
        + COOKIE
    )
    return page(s["lang"], head, body)


def local(s: dict[str, Any]) -> str:
    pairs = [("author", s["meta_author"])] if s.get("meta_author") else []
    pairs += [("og:site_name", s["site"]), ("og:title", s["headline"]), ("og:type", "article")]
    if s.get("pub_meta", True):
        pairs.append(("article:published_time", s["iso"]))
    head = f"<title>{esc(s['headline'])} - {esc(s['site'])}</title>\n" + metas(pairs)
    if s.get("wrong_ld"):
        head += "\n" + ld(s["wrong_ld"])
    byline = "By " + s["visible_byline"]
    body = (
        nav(s["site"], ["News", "Sports", "Obituaries", "Opinion"])
        + COOKIE
        + f'<div class="article"><h1>{esc(s["headline"])}</h1>'
        + f"<p>{esc(s['photo'])}</p>"
        + f'<p class="caption">{esc(s["caption"])}</p>'
        + f"<p>{esc(byline)}</p>"
        + f"<p>{esc(s['shown_date'])}</p>"
        + paras(s["paras"])
        + "</div>"
        + related(s["related"])
        + "<footer><p>Copyright 2024 Advance Local Media LLC. All rights reserved.</p></footer>"
    )
    return page(s["lang"], head, body)


def tv(s: dict[str, Any]) -> str:
    ld_obj = article_ld(s)
    ld_obj["author"] = {"@type": "Organization", "name": s["site"]}
    head = "\n".join(
        [
            f"<title>{esc(s['headline'])} | {esc(s['site'])}</title>",
            metas(og(s)),
            ld(ld_obj),
        ]
    )
    lead = s.get("pipe_line")
    top = f"<p>{esc(lead)}</p>" if lead else f'<p class="byline">By {esc(s["authors"][0])}</p>'
    body = (
        nav(s["site"], ["News", "Weather", "Traffic", "Video"])
        + f'<article><h1 class="entry-title">{esc(s["headline"])}</h1>'
        + f'<div class="entry-content">{top}'
        + f'<p class="posted">Posted: {esc(s["shown_date"])}</p>'
        + paras(s["paras"])
        + f"<p>READ MORE: {esc(s['related'][0])}</p>"
        + "</div></article>"
        + related(s["related"])
    )
    return page(s["lang"], head, body)


def yonhap(s: dict[str, Any]) -> str:
    head = "\n".join(
        [
            f"<title>{esc(s['headline'])} | {esc(s['site'])}</title>",
            metas([*og(s), ("author", s["authors"][0])]),
            ld(article_ld(s)),
        ]
    )
    body = (
        nav(s["site"], ["National", "N. Korea", "Economy", "Culture"])
        + f'<div class="story-news article"><h1 class="tit">{esc(s["headline"])}</h1>'
        + f'<p class="txt-time">{esc(s["shown_date"])}</p>'
        + f"<p>By {esc(' and '.join(s['authors']))}</p>"
        + paras([s["dl_text"] + " " + s["paras"][0], *s["paras"][1:]])
        + "<p>(END)</p></div>"
        + related(s["related"])
    )
    return page(s["lang"], head, body)


def regional(s: dict[str, Any]) -> str:
    pairs = [("og:site_name", s["site"]), ("og:title", s.get("og_title", s["headline"]))]
    pairs += [("og:type", "article"), ("article:published_time", s["iso"])]
    pairs += [("og:description", s["standfirst"])]
    pairs += [("article:author", a) for a in s.get("meta_authors", [])]
    head = f"<title>{esc(s['title'])}</title>\n" + metas(pairs)
    if s.get("with_ld", True):
        head += "\n" + ld(article_ld(s))
    dl = s.get("dl_text")
    first = f"{dl} {s['paras'][0]}" if dl else s["paras"][0]
    crumbs = " » ".join(f"<a>{esc(c)}</a>" for c in s.get("crumbs", []))
    body = (
        nav(s["site"], s.get("sections", ["Local", "Nacional", "Deportes"]))
        + COOKIE
        + f'<div class="breadcrumbs">{crumbs}</div>'
        + f"<article><h1>{esc(s['headline'])}</h1>"
        + f'<h2 class="subtitle">{esc(s["standfirst"])}</h2>'
        + f'<div class="author">{esc(s["visible_byline"])}</div>'
        + f'<div class="date">{esc(s["shown_date"])}</div>'
        + f'<figure><img src="/img/{s["photo"]}"><figcaption>{esc(s["caption"])}</figcaption>'
        + "</figure>"
        + paras([first, *s["paras"][1:]])
        + "</article>"
        + related(s["related"])
        + NEWSLETTER
    )
    return page(s.get("html_lang", s["lang"]), head, body, s.get("dir", "ltr"))


def dublin(s: dict[str, Any]) -> str:
    pairs = [("DC.title", s["headline"]), ("DC.date", s["iso"][:10])]
    pairs += [("DC.creator", a) for a in s["authors"]]
    pairs += [("DC.language", s["lang"]), ("DC.publisher", s["site"])]
    head = f"<title>{esc(s['headline'])} :: {esc(s['site'])}</title>\n" + metas(pairs)
    dl = s.get("dl_text")
    first = f"{dl} {s['paras'][0]}" if dl else s["paras"][0]
    body = (
        nav(s["site"], ["Home", "News", "Archive"])
        + f'<div id="content"><h2 class="section">{esc(s["section"])}</h2>'
        + f"<h1>{esc(s['headline'])}</h1>"
        + f'<p class="meta">{esc(s["visible_byline"])} &middot; {esc(s["shown_date"])}</p>'
        + paras([first, *s["paras"][1:]])
        + "</div>"
        + "<footer><p>Copyright 2024. All rights reserved.</p></footer>"
    )
    return page(s.get("html_lang", s["lang"]), head, body)


def liveblog(s: dict[str, Any]) -> str:
    posts = [{"@type": "BlogPosting", "headline": h, "datePublished": t} for t, h, _ in s["posts"]]
    head = "\n".join(
        [
            f"<title>{esc(s['headline'])} | {esc(s['site'])}</title>",
            metas(og(s)),
            ld(article_ld(s, liveBlogUpdate=posts, coverageStartTime=s["iso"])),
        ]
    )
    entries = "".join(
        f'<div class="live-post"><time>{esc(t[11:16])}</time><h2>{esc(h)}</h2>{paras(ps)}</div>'
        for t, h, ps in s["posts"]
    )
    body = (
        nav(s["site"], ["World", "Politics", "Live"])
        + f"<main><h1>{esc(s['headline'])}</h1>"
        + f'<div class="byline">By {esc(" and ".join(s["authors"]))}, {esc(s["site"])}</div>'
        + f'<div class="live-summary">{paras(s["paras"])}</div>'
        + entries
        + "</main>"
        + COOKIE
    )
    return page(s["lang"], head, body)


def gallery(s: dict[str, Any]) -> str:
    head = "\n".join(
        [
            f"<title>Photos: {esc(s['headline'])} | {esc(s['site'])}</title>",
            metas(og(s)),
            ld(article_ld(s, **{"@type": ["NewsArticle", "ImageGallery"]})),
        ]
    )
    slides = "".join(
        f'<figure class="slide"><img src="/g/{i}.jpg"><figcaption>{esc(c)}</figcaption></figure>'
        for i, c in enumerate(s["slides"])
    )
    body = (
        nav(s["site"], ["News", "Photos", "Video"])
        + f"<article><h1>{esc(s['headline'])}</h1>"
        + f'<p class="byline">By {esc(" and ".join(s["authors"]))}</p>'
        + f"<time>{esc(s['shown_date'])}</time>"
        + paras(s["paras"])
        + f'<div class="gallery">{slides}</div></article>'
        + related(s["related"])
    )
    return page(s["lang"], head, body)


def front(s: dict[str, Any]) -> str:
    head = "\n".join(
        [
            f"<title>{esc(s['site'])} | Local news, sports and weather</title>",
            metas([("og:type", "website"), ("og:site_name", s["site"])]),
            ld({"@context": "https://schema.org", "@type": "CollectionPage", "name": s["site"]}),
        ]
    )
    teasers = "".join(
        f'<div class="teaser"><h2><a href="/s/{i}">{esc(h)}</a></h2><p>{esc(t)}</p></div>'
        for i, (h, t) in enumerate(s["teasers"])
    )
    body = nav(s["site"], ["News", "Sports", "Weather"]) + f"<main>{teasers}</main>" + COOKIE
    return page(s["lang"], head, body)


TEMPLATES = {
    "cnn": cnn,
    "time": time_,
    "wired": wired,
    "local": local,
    "tv": tv,
    "yonhap": yonhap,
    "regional": regional,
    "dublin": dublin,
    "liveblog": liveblog,
    "gallery": gallery,
    "front": front,
}


def label(s: dict[str, Any]) -> dict[str, Any]:
    if s["template"] == "front":
        return {"file": s["id"] + ".html", "article": False, "template": "front"}
    ps = list(s["paras"])
    if s.get("dateline_in_body"):  # the story's own text opens with "PLACE (AGENCY) — "
        ps[0] = ps[0].split(" — ", 1)[1]
    for _, heading, post in s.get("posts", []):
        ps += [heading, *post]
    # What the page shows around the story and what must stay out of its body.
    excludes = [*s.get("related", []), "We use cookies", "Sign up for our newsletter"]
    excludes += [s[k] for k in ("caption", "photo", "visible_byline", "pipe_line") if k in s]
    return {
        "file": s["id"] + ".html",
        "article": True,
        "template": s["template"],
        "quirks": s.get("quirks", []),
        "headline": s["headline"],
        "authors": s["authors"],
        "published": s["iso"][:10],
        "dateline": s.get("dateline"),
        "language": s["lang"][:2],
        "first": ps[0][:60],
        "body_chars": len("\n\n".join(ps)),
        "excludes": excludes,
    }


def main() -> None:
    from stories import STORIES  # the hand-written half, kept apart from the chrome

    labels = []
    for s in STORIES:
        (HERE / f"{s['id']}.html").write_text(TEMPLATES[s["template"]](s), encoding="utf-8")
        labels.append(label(s))
    out = {"pages": labels}
    (HERE / "labels.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(labels)} pages")


if __name__ == "__main__":
    main()
