"""NITF 3.x and NewsML-G2 2.x readers, their sniffing, and hostile XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.extract import read_articles
from pipelines.limits import Limits
from pipelines.readers.newsml import read_newsml
from pipelines.readers.nitf import read_nitf
from pipelines.readers.sniff import sniff
from pipelines.records import RejectedInput

DATA = Path(__file__).parent.parent / "data" / "formats"


def _text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# --- NITF ----------------------------------------------------------------------------------


def test_nitf_fields() -> None:
    [p] = read_nitf(_text("nitf_full.xml"))
    assert p.title == "City council approves Thames flood barrier"  # hl1, not head/title
    assert p.authors == ("Jane Doe",)
    assert "Correspondent" not in (p.author or "")
    assert p.dateline == "LONDON, March 5"
    assert p.date == "2024-03-05T10:15:00+00:00"
    assert (p.guid, p.version, p.status, p.urgency) == (
        "urn:dropwire:nitf:flood-2024-0305",
        "2",
        "usable",
        3,
    )
    assert p.keywords == ("flooding", "Thames")
    assert p.subjects == ("06000000 environmental issue", "11000000 politics")
    assert p.source == "Riverside Wire Service"
    assert p.language == "en"


def test_nitf_body_keeps_paragraphs_and_sets_tables_and_captions_apart() -> None:
    [p] = read_nitf(_text("nitf_full.xml"))
    lines = p.text.split("\n")
    assert lines[0].startswith("The city council on Tuesday")
    assert lines[-1].startswith("Construction is expected")  # inside a <block>
    assert "Woolwich" not in p.text and "1.2bn" not in p.text
    assert "Reporting by" not in p.text  # body.end is not the story
    assert p.captions == ("An artist's impression of the barrier at Woolwich.",)
    assert p.tables == ("Option | Cost\nBarrier | 1.2bn",)


def test_nitf_title_falls_back_to_head_title() -> None:
    [p] = read_nitf(_text("nitf_title_only.nitf"))
    assert p.title == "Rail strike called off at last minute"
    assert p.author == "Marta Ruiz and Paul Okafor"
    assert p.dateline == "MADRID, Nov 10"
    assert p.date == "2023-11-10T06:30:00+01:00"
    assert (p.status, p.urgency, p.version) == ("embargoed", 1, None)


def test_nitf_without_paragraphs_is_refused() -> None:
    with pytest.raises(RejectedInput) as info:
        read_nitf(_text("nitf_no_body.xml"))
    assert info.value.code == "no_text" and "body.content" in info.value.reason


def test_nitf_through_read_articles() -> None:
    [d] = read_articles("story.nitf", (DATA / "nitf_full.xml").read_bytes())
    assert d.title == "City council approves Thames flood barrier"
    assert d.byline == "Jane Doe"
    assert d.published == "2024-03-05T10:15:00+00:00"
    assert d.dateline == "LONDON, March 5"
    assert d.body.startswith("The city council")


# --- NewsML-G2 -----------------------------------------------------------------------------


def test_newsml_message_gives_one_article_per_news_item() -> None:
    items = read_newsml(_text("newsml_message.xml"))
    assert [p.item for p in items] == [1, 2, 3]  # the packageItem is not an article
    assert [p.guid for p in items] == [
        "urn:newsml:example.org:20240305:quake",
        "urn:newsml:example.org:20240305:markets",
        "urn:newsml:example.org:20240305:football",
    ]
    assert [p.language for p in items] == ["en", "fr", "en"]


def test_newsml_item_fields() -> None:
    quake = read_newsml(_text("newsml_message.xml"))[0]
    assert quake.title == "Strong quake shakes Tokyo, no tsunami warning"
    assert (quake.version, quake.status, quake.urgency) == ("3", "stat:usable", 2)
    assert quake.date == "2024-03-05T08:02:00Z"  # firstCreated
    assert quake.updated == "2024-03-05T10:15:00Z"  # versionCreated
    assert quake.slugline == "JAPAN-QUAKE/"
    assert quake.author == "Ken Sato"
    assert quake.source == "Example Wire"
    assert quake.subjects[0] == "medtop:06000000 environment"
    assert quake.keywords == ("earthquake",)


def test_newsml_xhtml_body_splits_dateline_and_sets_figures_apart() -> None:
    quake = read_newsml(_text("newsml_message.xml"))[0]
    assert quake.dateline == "TOKYO (Example Wire)"
    assert quake.text.split("\n") == [
        "A strong earthquake shook buildings in Tokyo on Tuesday, the meteorological agency "
        "said, but no tsunami warning was issued.",
        "Train services were briefly halted while tracks were checked.",
    ]
    assert quake.captions == ("Commuters wait outside Shinjuku station.",)
    assert quake.tables == ("Magnitude | 6.1",)


def test_newsml_inline_data_and_located() -> None:
    [p] = read_newsml(_text("newsml_inline_data.txt"))
    assert p.item == 0  # a lone newsItem
    assert p.text.split("\n")[1] == "Ökonomen hatten mit einem Rückgang gerechnet."
    assert p.dateline == "Berlin"  # from <located>, the text has none
    assert (p.guid, p.version, p.slugline) == (
        "tag:example.org,2024:newsml_ABC123",
        "5",
        "Konjunktur",
    )
    assert p.source == "Beispiel Nachrichten"
    assert p.language == "de"


def test_newsml_withdrawn_status_is_exposed() -> None:
    [p] = read_newsml(_text("newsml_withdrawn.xml"))
    assert p.status == "stat:withdrawn"
    assert p.guid == "urn:newsml:example.org:20240305:quake" and p.version == "4"


def test_newsml_item_without_text_is_refused_by_number() -> None:
    with pytest.raises(RejectedInput) as info:
        read_newsml(_text("newsml_empty_item.xml"))
    assert info.value.code == "no_text" and "newsItem 2" in info.value.reason


def test_newsml_message_through_read_articles() -> None:
    drafts = read_articles("wire.xml", (DATA / "newsml_message.xml").read_bytes())
    assert [d.item for d in drafts] == [1, 2, 3]
    assert drafts[1].title == "Les marchés européens ouvrent en baisse"
    assert [ln for ln in drafts[2].body.split("\n") if ln][
        1
    ] == "The club said a successor would be named within weeks."


def _message(count: int) -> str:
    item = (
        '<newsItem guid="urn:x:{n}" version="1"><contentMeta><headline>H{n}</headline>'
        "</contentMeta><contentSet><inlineData>Text {n}.</inlineData></contentSet></newsItem>"
    )
    items = "".join(item.format(n=n) for n in range(count))
    return f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>{items}</itemSet></newsMessage>'


def test_newsml_items_over_the_limit_are_refused() -> None:
    assert len(read_newsml(_message(5), Limits(max_items=5))) == 5
    with pytest.raises(RejectedInput) as info:
        read_newsml(_message(6), Limits(max_items=5))
    assert info.value.code == "too_many_items" and "6" in info.value.reason


def test_newsml_ten_thousand_and_one_items() -> None:
    with pytest.raises(RejectedInput) as info:
        read_articles("big.xml", _message(10_001).encode())
    assert info.value.code == "too_many_items"


# --- sniffing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("nitf_full.xml", "nitf"),
        ("nitf_title_only.nitf", "nitf"),
        ("newsml_message.xml", "newsml"),
        ("newsml_inline_data.txt", "newsml"),
        ("newsml_withdrawn.xml", "newsml"),
        ("newsml_nitf_inline.xml", "newsml"),
    ],
)
def test_sniff_wire_files(name: str, fmt: str) -> None:
    assert sniff(_text(name)) == fmt


def test_sniff_needs_the_newsml_namespace() -> None:
    assert sniff("<newsItem><p>Some words of text here</p></newsItem>") != "newsml"


def test_content_wins_when_the_extension_lies() -> None:
    [nitf] = read_articles("story.txt", (DATA / "nitf_full.xml").read_bytes())
    assert nitf.title == "City council approves Thames flood barrier"
    assert "<p>" not in nitf.body and "hl1" not in nitf.body
    [newsml] = read_articles("story.html", (DATA / "newsml_inline_data.txt").read_bytes())
    assert newsml.title == "Exporte steigen überraschend deutlich"
    assert len(read_articles("feed.json", (DATA / "newsml_message.xml").read_bytes())) == 3


def test_a_nitf_suffix_on_other_xml_is_refused() -> None:
    with pytest.raises(RejectedInput) as info:
        read_articles("x.nitf", b"<rss><channel><title>Feed</title></channel></rss>")
    assert info.value.code == "unparseable" and "<rss>" in info.value.reason


# --- hostile XML ---------------------------------------------------------------------------

_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";" if i else "&lol;") * 10}">'
        for i in range(10)
    )
    + "]><nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"
)
_EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<nitf><body><body.content><p>Leak: &xxe;</p></body.content></body></nitf>"
)
_PARAMETER = (
    '<!DOCTYPE newsItem [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'
    '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><contentSet><inlineData>x'
    "</inlineData></contentSet></newsItem>"
)


@pytest.mark.parametrize("doc", [_LAUGHS, _EXTERNAL, _PARAMETER], ids=["laughs", "xxe", "param"])
def test_entity_declarations_are_refused(doc: str) -> None:
    with pytest.raises(RejectedInput) as info:
        read_articles("evil.xml", doc.encode())
    assert info.value.code == "unsafe_xml" and "<!ENTITY>" in info.value.reason


def test_an_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED-FROM-DTD">')
    for system in (dtd.as_uri(), "http://127.0.0.1:9/evil.dtd"):
        doc = (
            f'<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "{system}"><nitf><body><body.content>'
            "<p>Before &secret; after, a sentence of ordinary text.</p>"
            "</body.content></body></nitf>"
        )
        [p] = read_nitf(doc)
        assert "LEAKED" not in p.text
        assert p.text == "Before after, a sentence of ordinary text."


@pytest.mark.parametrize(
    "doc",
    [
        "<nitf><body><body.content><p>Unclosed paragraph</body.content></body></nitf>",
        _text("nitf_full.xml")[:900],  # truncated mid-file
        "<nitf>" + "<block>" * 5000 + "<p>deep</p>" + "</block>" * 5000 + "</nitf>",
    ],
    ids=["mismatched", "truncated", "deep"],
)
def test_malformed_nitf_is_refused(doc: str) -> None:
    with pytest.raises(RejectedInput) as info:
        read_articles("bad.xml", doc.encode())
    assert info.value.code == "unparseable" and "malformed" in info.value.reason


@pytest.mark.parametrize(
    "prolog", ["<?pi x?>", "<!-- c -->", "<!DOCTYPE a>"], ids=["pis", "comments", "doctypes"]
)
def test_sniff_is_linear_in_the_prolog(assert_linear: Any, prolog: str) -> None:
    assert_linear(lambda n: prolog * n + "<nitf/>", sniff, 500)


@pytest.mark.parametrize("codec", ["latin-1", "utf-16", "utf-8-sig"])
def test_wire_files_in_other_encodings(codec: str) -> None:
    declared = {"latin-1": "ISO-8859-1", "utf-16": "UTF-16", "utf-8-sig": "UTF-8"}[codec]
    doc = (
        f'<?xml version="1.0" encoding="{declared}"?><nitf><head><title>Café sérieux</title>'
        "</head><body><body.content><p>Le café du coin ferme ses portes après trente ans.</p>"
        "</body.content></body></nitf>"
    )
    [d] = read_articles("a.xml", doc.encode(codec))
    assert d.title == "Café sérieux"
    assert d.body == "Le café du coin ferme ses portes après trente ans."


def test_newsml_carrying_nitf_in_inline_xml() -> None:
    [p] = read_newsml(_text("newsml_nitf_inline.xml"))
    assert p.title == "Hawks visit Rivermen with both teams on winning runs"  # no <headline>
    assert p.author == "Rosa Lopez"  # <creator>, there being no <by>
    assert p.dateline == "Philadelphia"  # <located>'s own name, not its broader ones
    assert p.text.split("\n") == [
        "The Rivermen, who swept the Pilots over the weekend, welcome the Hawks tonight for the "
        "first of a three-game series.",
        "The Hawks have won all four of their games this week.",
    ]  # the abstract in body.head is not body text
    assert p.language == "en-US"  # xml:lang, there being no <language>


def test_newsml_fallbacks_for_date_and_source() -> None:
    doc = (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g" version="1">'
        "<rightsInfo><copyrightHolder><name>Acme News</name></copyrightHolder></rightsInfo>"
        "<itemMeta><provider uri='http://acme.example/'/><versionCreated>2017-11-21T16:25:32-05:00"
        "</versionCreated></itemMeta><contentMeta><contentCreated>2016-11-21T15:21:06-05:00"
        "</contentCreated><headline>H</headline></contentMeta>"
        "<contentSet><inlineData>Words of the story.</inlineData></contentSet></newsItem>"
    )
    [p] = read_newsml(doc)
    assert p.date == "2016-11-21T15:21:06-05:00"  # contentCreated, there being no firstCreated
    assert p.updated == "2017-11-21T16:25:32-05:00"
    assert p.source == "Acme News"
