"""What a web page says about itself: headline, authors, dates, dateline, language, kind.

Pure: an lxml tree in, `PageMeta` out, so the same rules serve a dropped .html file, the HTML
inside a WARC record and NewsML-G2 `inlineXML` (`page_metadata_from_bytes` parses with no
network and no entity resolution). Every field is voted on by the page's own sources -
JSON-LD (schema.org NewsArticle and kin, `@graph` and arrays included), OpenGraph and
`article:*` meta, Dublin Core, `<h1>`, `<title>`, visible byline elements - because any one
of them can be wrong: a CMS that copies another story's JSON-LD, an `og:title` carrying the
site name, a `<meta name="author">` naming one of four authors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lxml import html

from pipelines import date_lines, metadata
from pipelines.decode import decode_text

ARTICLE_TYPES = frozenset(
    [
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "LiveBlogPosting",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
    ]
)
NOT_ARTICLE_TYPES = frozenset(
    [
        "CollectionPage",
        "ItemList",
        "SearchResultsPage",
        "ProfilePage",
        "WebSite",
        "AboutPage",
        "ContactPage",
    ]
)
_MAX_LD_CHARS = 500_000  # one JSON-LD block; a larger one is not page metadata
_MAX_LD_NODES = 200
# " | ", " - ", " – ", " — ", " » ", " :: ", " · " join a headline to its site and sections.
_SEP = re.compile(r"\s+(?:\||-|–|—|»|::|·|•|/)\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_MAX_TITLE = 1000
_DAY_CHARS = 10  # "2024-03-05"
_SAME_STORY = 0.6  # shared share of the shorter headline's words
_SHORT_SEGMENT = 4
_KICKER_WORDS = 3  # words: a breadcrumb segment ("World news", "Noticias")
_DATE_META = (
    "article:published_time",
    "datepublished",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "dcterms.issued",
    "date",
    "pubdate",
    "publishdate",
    "parsely-pub-date",
    "sailthru.date",
    "og:published_time",
)
_AUTHOR_META = ("article:author", "author", "parsely-author", "sailthru.author", "byl")
_DC_AUTHOR_META = ("dc.creator", "dcterms.creator")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title")
_SITE_META = ("og:site_name", "application-name", "dc.publisher", "twitter:site")
_LANG_META = ("og:locale", "dc.language", "dcterms.language", "content-language", "language")
# Class names publishers give the standfirst (dek, sumario, chapô) under a headline.
_DEK_CLASSES = (
    "subtitle",
    "standfirst",
    "dek",
    "sumario",
    "chapo",
    "entradilla",
    "subhead",
    "article__desc",
)
_MAX_CLASSED = 5000
_VISIBLE_DATE_XPATH = (
    "(//article | //main)//*[contains(@class,'publish') or contains(@class,'date') "
    "or contains(@class,'time')][not(self::time)]"
)
_MAX_DATE_TEXT = 200
_DATELINE_XPATH = "//*[@itemprop='dateline' or contains(@class,'dateline')]"
_DATE_BITS = re.compile(r"\d[\d/.:\-h]*")
_CAPTION_XPATH = "//figcaption | //*[contains(@class,'caption')]"
# A byline with no telling class: a short element whose text opens "By ", "Posted by ", ...
_BY_TEXT_XPATH = (
    "//body//*[self::p or self::span or self::div]["
    + " or ".join(
        f"starts-with(normalize-space(text()), '{lead} ')"
        for lead in ("By", "by", "BY", "Posted by", "Par", "Von", "Por")
    )
    + "]"
)
_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class,'byline') "
    "or contains(@class,'author')]"
)


@dataclass(frozen=True, slots=True)
class PageMeta:
    headline: str | None = None
    # Candidate author lists by source; `choose_authors` votes once the body's "By" line
    # is known too.
    author_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    published: str | None = None  # ISO day
    date_sources: dict[str, str] = field(default_factory=dict)  # ISO, as each source gave it
    dateline: str | None = None
    language: str | None = None
    site_names: tuple[str, ...] = ()
    url: str | None = None
    descriptions: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    standfirsts: tuple[str, ...] = ()  # the dek under the headline, by its class name
    titles: tuple[str, ...] = ()  # every headline-like string the page carries
    is_article: bool | None = None  # None: the page does not say
    kind_reason: str | None = None


def parse_bytes(data: bytes) -> Any:
    """An lxml HTML tree built with no network access and no entity expansion.

    The bytes are decoded as every dropped file is (`pipelines.decode`: BOM, declared or
    detected charset), since libxml2 would read undeclared UTF-8 as Latin-1; an XML
    declaration is dropped because lxml refuses one in text it did not decode itself.
    """
    text = _XML_DECLARATION.sub("", decode_text(data), count=1)
    parser = html.HTMLParser(no_network=True, remove_comments=True, recover=True, huge_tree=False)
    return html.document_fromstring(text, parser=parser)


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split())


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = " ".join((el.get("content") or "").split())
        if key and content:
            found.setdefault(key.strip().lower(), []).append(content)
    return found


def _ld_nodes(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, `@graph` members and array items flattened."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue  # broken (or hostile, deeply nested) JSON-LD; the other sources speak
        stack = [data]
        while stack and len(nodes) < _MAX_LD_NODES:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                nodes.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return nodes


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _ld_str(node: dict[str, Any] | None, key: str) -> str | None:
    value = node.get(key) if node else None
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _ld_people(node: dict[str, Any]) -> list[str]:
    """Person names among `author`/`creator`; organizations are not bylines."""
    names: list[str] = []
    for key in ("author", "creator"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                names += metadata.split_authors(item, single_word=True)
            elif isinstance(item, dict) and "Organization" not in _types(item):
                name = _ld_str(item, "name")
                names += metadata.split_authors(name, single_word=True)
    return names


def _fold(text: str | None) -> str:
    return " ".join((text or "").replace("’", "'").split()).casefold()


def strip_site(title: str, sites: tuple[str, ...]) -> str:
    """ "Headline | World news | The Guardian" -> "Headline" when a segment names the site.

    Titles are cut to `_MAX_TITLE` characters first: no headline is longer, and the cut
    bounds the work on a hostile <title>.
    """
    title = " ".join(title[: 4 * _MAX_TITLE].split())[:_MAX_TITLE]
    parts = _SEP.split(title)
    if len(parts) < 2:
        return title
    folded = [_fold(s) for s in sites if s]
    for i in (len(parts) - 1, 0):
        seg = _fold(parts[i])
        if any(seg == s or (len(seg) > 3 and (seg in s or s in seg)) for s in folded):
            rest = parts[:i] if i else parts[1:]
            # Section breadcrumbs beside the site name ("» Almería » Noticias").
            end = len(rest)
            while i and end > 1 and len(rest[end - 1].split()) <= _SHORT_SEGMENT:
                end -= 1
            seps = _SEP.findall(title)[1:] if not i else _SEP.findall(title)
            return (
                "".join(p + sep for p, sep in zip(rest[: end - 1], seps, strict=False))
                + (rest[end - 1])
            )
    return title


def _h1(tree: Any) -> str | None:
    """The story's <h1>, without a kicker span ("Klimaschutz" above the headline)."""
    for path in ("//article//h1", "//main//h1", "//h1"):
        for el in tree.xpath(path):
            kicker = "".join(_text(k) for k in el.xpath(".//*[contains(@class,'kicker')]"))
            text = _text(el)
            if kicker and text.startswith(kicker):
                text = text[len(kicker) :].strip()
            if len(text.split()) >= 2:
                return text
    return None


def _same_story(a: str, b: str | None) -> bool:
    """Headlines that share most words (an SEO variant, a cut) name the same story."""
    wa, wb = set(_fold(a).split()), set(_fold(b).split())
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= _SAME_STORY


def _agrees(other: str, key: str) -> bool:
    """`other` is `key`, `key` with a suffix ("<key> | Yonhap News Agency", when no site
    name tells the suffix), or `key` under a short kicker ("Klimaschutz: <key>")."""
    if other == key:
        return True
    if other.startswith(key) and len(key.split()) > 1 and _SEP.match(other[len(key) :]):
        return True
    kicker, sep, rest = other.partition(": ")
    return bool(sep) and rest == key and len(kicker.split()) <= _KICKER_WORDS


def _vote(candidates: list[str]) -> str | None:
    """The candidate most others agree with; ties go to the earlier (more trusted) one."""
    folded = [_fold(c) for c in candidates]
    best, best_score = None, 0
    for cand, key in zip(candidates, folded, strict=True):
        score = sum(_agrees(other, key) for other in folded)
        if score > best_score:
            best, best_score = cand, score
    return best


def _title_candidates(
    tree: Any, meta: dict[str, list[str]], node: dict[str, Any] | None
) -> list[str]:
    raw = [_ld_str(node, "headline")]
    raw += [meta[k][0] for k in _TITLE_META if k in meta]
    raw.append(_h1(tree))
    title = tree.find(".//title")
    raw.append(_text(title) if title is not None else None)
    return [r for r in raw if r]


def _site_names(meta: dict[str, list[str]], nodes: list[dict[str, Any]]) -> tuple[str, ...]:
    sites = [v for k in _SITE_META for v in meta.get(k, [])]
    for node in nodes:
        if _types(node) & {"WebSite", "Organization", "NewsMediaOrganization"}:
            sites.append(_ld_str(node, "name") or "")
        publisher = node.get("publisher")
        if isinstance(publisher, dict):
            sites.append(_ld_str(publisher, "name") or "")
    return tuple(dict.fromkeys(s.lstrip("@") for s in sites if s))


def _standfirsts(tree: Any, descriptions: list[str]) -> tuple[str, ...]:
    """The dek under the headline: by its class name, or an element repeating the page's
    description that is not a paragraph among paragraphs (some sites describe a story by
    its first paragraph, which must stay)."""
    found = []
    for el in tree.xpath("//*[@class]")[:_MAX_CLASSED]:
        classes = str(el.get("class")).lower().split()
        if any(mark in c for c in classes for mark in _DEK_CLASSES) and (text := _text(el)):
            found.append(text)
    wanted = {_fold(d) for d in descriptions}
    # Leaf divs only: a wrapper's text is all of its children's, read again at every level.
    dek_like = "//body//*[self::h2 or self::h3 or self::p or self::div[not(*)]]"
    for el in tree.xpath(dek_like)[:_MAX_CLASSED] if wanted else []:
        if _fold(_text(el)) not in wanted:
            continue
        parent = el.getparent()
        among_paragraphs = el.tag == "p" and parent is not None and len(parent.findall("p")) > 2
        if not among_paragraphs:
            found.append(_text(el))
    return tuple(found[:10])


def _byline_elements(tree: Any) -> list[str]:
    names: list[str] = []
    matched = tree.xpath(_BYLINE_XPATH)[:20] or tree.xpath(_BY_TEXT_XPATH)[:5]
    for el in matched:
        if el.tag in ("meta", "link", "script", "body", "html"):
            continue
        if any(other is not el and el in other.iterancestors() for other in matched):
            continue  # use the innermost: a wrapper joins "A B" into one false name
        names += [n for n in metadata.split_authors(_text(el)) if n not in names]
    return names


def not_site(names: list[str], sites: tuple[str, ...]) -> list[str]:
    """Drop "ZEIT ONLINE" from "ZEIT ONLINE, dpa, AFP": the outlet is not an author."""
    folded = [_fold(s) for s in sites]
    return [n for n in names if not any(_fold(n) in s or s in _fold(n) for s in folded)]


def _dateline_element(tree: Any) -> str | None:
    """The place in an element marked as the dateline ("Barcelona 09/01/2024 07:00")."""
    for el in tree.xpath(_DATELINE_XPATH)[:3]:
        place = _DATE_BITS.sub(" ", _text(el)).strip(" ,-–—|·")
        if 0 < len(place.split()) <= _SHORT_SEGMENT:
            return " ".join(place.split())
    return None


def _site_and_place(tree: Any, meta: dict[str, list[str]], sites: tuple[str, ...]) -> str | None:
    """The place in a byline that is the outlet and a place: "Sky News Arabia - Abu Dhabi",
    "Por g1 SP — São Paulo" (the outlet's desk names the site as its first word)."""
    elements = tree.xpath(_BYLINE_XPATH)[:10] + tree.xpath(_BY_TEXT_XPATH)[:5]
    bylines = meta.get("author", []) + [_text(el) for el in elements]
    folded = {_fold(s) for s in sites}
    for line in bylines:
        parts = _SEP.split(metadata.strip_lead(line))
        outlet = _fold(parts[0])
        if len(parts) == 2 and (outlet in folded or outlet.split(" ")[0] in folded):
            place = parts[1].strip()
            if 0 < len(place.split()) <= _SHORT_SEGMENT and not any(c.isdigit() for c in place):
                return place
    return None


def _author_sources(
    tree: Any, meta: dict[str, list[str]], node: dict[str, Any] | None, sites: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    found = _person_sources(tree, meta, node)
    cleaned = {k: tuple(not_site(list(v), sites)) for k, v in found.items()}
    return {k: v for k, v in cleaned.items() if v}


def _person_sources(
    tree: Any, meta: dict[str, list[str]], node: dict[str, Any] | None
) -> dict[str, tuple[str, ...]]:
    sources: dict[str, tuple[str, ...]] = {}
    if node is not None and (people := _ld_people(node)):
        sources["json-ld"] = tuple(people)
    for group, keys in (("meta", _AUTHOR_META), ("dublin-core", _DC_AUTHOR_META)):
        names = [n for k in keys for v in meta.get(k, []) for n in metadata.split_authors(v)]
        if names:
            sources[group] = tuple(dict.fromkeys(names))
    if visible := _byline_elements(tree):
        sources["byline"] = tuple(visible)
    return sources


def choose_authors(sources: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The list most other sources share a name with; then the longest (four authors beat
    the one a `<meta name="author">` kept); then the first source."""
    lists = list(sources.values())
    if not lists:
        return ()

    def key(i: int) -> tuple[int, int, int]:
        mine = {_fold(n) for n in lists[i]}
        agree = sum(bool(mine & {_fold(n) for n in other}) for other in lists)
        return agree, len(lists[i]), -i

    return lists[max(range(len(lists)), key=key)]


def _date_sources(
    tree: Any, meta: dict[str, list[str]], node: dict[str, Any] | None
) -> dict[str, str]:
    raw: dict[str, str | None] = {"json-ld": _ld_str(node, "datePublished")}
    for k in _DATE_META:
        if k in meta:
            raw.setdefault("meta", meta[k][0])
    for el in tree.xpath("//*[@itemprop='datePublished'] | //time[@datetime]")[:1]:
        raw["time"] = el.get("datetime") or el.get("content") or _text(el)
    parsed = {k: metadata.parse_date(v) for k, v in raw.items() if v}
    if visible := _visible_date(tree):
        parsed["visible"] = visible
    return {k: v for k, v in parsed.items() if v}


def _visible_date(tree: Any) -> str | None:
    """The day a date element inside the story shows ("PUBLISHED: March 5, 2024 at 5:12 PM
    PST | UPDATED: ..."); only inside <article>/<main>, where a masthead's "today" is not."""
    for el in tree.xpath(_VISIBLE_DATE_XPATH)[:5]:
        text = _text(el)
        day = date_lines.day_of_line(text) if len(text) <= _MAX_DATE_TEXT else None
        if day and day != date_lines.UNDATED:
            return day
    return None


def _is_utc(iso: str) -> bool:
    return iso.endswith(("+00:00", "Z")) and len(iso) > _DAY_CHARS


def choose_date(sources: dict[str, str]) -> str | None:
    """The published day most sources give. A UTC timestamp names the next day for an
    evening story in the Americas: when a source in local time gives a neighbouring day,
    the page's own day is the local one."""
    days = {k: v[:_DAY_CHARS] for k, v in sources.items()}
    local = {d for k, d in days.items() if not _is_utc(sources[k])}

    def shifted(day: str) -> bool:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return False
        return any((when + timedelta(days=step)).isoformat() in local for step in (-1, 1))

    kept = {k: d for k, d in days.items() if not (_is_utc(sources[k]) and shifted(d))}
    return _vote(list(kept.values())) if kept else None


def _language(tree: Any, meta: dict[str, list[str]], node: dict[str, Any] | None) -> str | None:
    declared = [_ld_str(node, "inLanguage"), tree.get("lang"), tree.get("xml:lang")]
    declared += [meta[k][0] for k in _LANG_META if k in meta]
    for value in declared:
        code = (value or "").strip().lower()[:2]
        if len(code) == 2 and code.isalpha():
            return code
    return None


def _kind(
    nodes: list[dict[str, Any]], meta: dict[str, list[str]], dated: bool
) -> tuple[bool | None, str | None]:
    types = set().union(*(_types(n) for n in nodes)) if nodes else set()
    og_type = (meta.get("og:type") or [""])[0].lower()
    if types & ARTICLE_TYPES or og_type == "article":
        return True, None
    listed = sorted(types & NOT_ARTICLE_TYPES)
    if (listed or og_type == "website") and not dated:
        said = f"schema.org {', '.join(listed)}" if listed else 'og:type "website"'
        return False, f"the page calls itself a {said}, names no article type and no date"
    return None, None


def page_metadata(tree: Any) -> PageMeta:
    """Everything the page says about itself, each field decided by vote among its sources."""
    meta = _meta_tags(tree)
    nodes = _ld_nodes(tree)
    node = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    sites = _site_names(meta, nodes)
    titles = [strip_site(t, sites) for t in _title_candidates(tree, meta, node)]
    headline = _vote(titles)
    ld_headline = _ld_str(node, "headline")
    if node is not None and ld_headline and not _same_story(ld_headline, headline):
        node = None  # JSON-LD about another story (a CMS copy): none of it is trusted
    dates = _date_sources(tree, meta, node)
    is_article, reason = _kind(nodes, meta, bool(dates))
    described = [_ld_str(node, "description"), *meta.get("og:description", [])]
    descriptions = [d for d in [*described, *meta.get("description", [])] if d]
    return PageMeta(
        headline=headline,
        author_sources=_author_sources(tree, meta, node, sites),
        published=choose_date(dates),
        date_sources=dates,
        dateline=_ld_str(node, "dateline")
        or _dateline_element(tree)
        or _site_and_place(tree, meta, sites),
        language=_language(tree, meta, node),
        site_names=sites,
        url=next(iter(meta.get("og:url", [])), None),
        descriptions=tuple(d for d in descriptions if d),
        standfirsts=_standfirsts(tree, descriptions),
        captions=tuple(c for el in tree.xpath(_CAPTION_XPATH)[:50] if (c := _text(el))),
        titles=tuple(dict.fromkeys([*titles, *_title_candidates(tree, meta, node)])),
        is_article=is_article,
        kind_reason=reason,
    )


def page_metadata_from_bytes(data: bytes) -> PageMeta:
    return page_metadata(parse_bytes(data))
