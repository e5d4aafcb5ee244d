"""Canonical names inside one article."""

from __future__ import annotations

from pipelines.entities import build_mentions, person_canonicals, strip_other, strip_person


def test_titles_and_possessives_stripped() -> None:
    assert strip_person("Gen Petraeus's") == "Petraeus"
    assert strip_person("President George Bush’s") == "George Bush"
    assert strip_person("Mr.") == "Mr."  # never strip a name to nothing
    assert strip_other("the Revolutionary Guard's") == "Revolutionary Guard"
    assert strip_other("U.S.") == "United States"


def test_longest_full_form_wins() -> None:
    forms = [
        strip_person(x)
        for x in [
            "Gen Petraeus",
            "Petraeus",
            "David Petraeus",
            "Mr. Bush",
            "President Bush",
            "George Bush's",
        ]
    ]
    canon = person_canonicals(forms)
    assert canon["Petraeus"] == "David Petraeus"
    assert canon["Bush"] == "George Bush"
    assert canon["David Petraeus"] == "David Petraeus"


def test_ambiguous_surname_is_deterministic() -> None:
    forms = ["Bush", "Laura Bush", "George Bush", "George Bush"]
    assert person_canonicals(forms)["Bush"] == "George Bush"  # the more frequent one
    assert person_canonicals(["Bush", "Laura Bush"])["Laura Bush"] == "Laura Bush"


def test_mentions_keep_offsets_and_relabel_surname_orgs() -> None:
    body = "David Martin reports. Alterman tells Martin it is over."
    ents = [("PERSON", 0, 12), ("PERSON", 22, 30), ("ORG", 37, 43), ("DATE", 0, 5)]
    mentions = build_mentions(body, ents)
    assert [m.label for m in mentions] == ["PERSON", "PERSON", "PERSON"]
    assert mentions[2].canonical == "David Martin"
    assert all(body[m.start : m.end] == m.text for m in mentions)
