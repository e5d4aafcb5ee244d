"""Compose news stories for the hard evaluation set: one set of facts, two independent write-ups.

A *story* is facts only: a fictional place, people with roles, an organisation, numbers, a day
and two or three quotes. `write(story, outlet, rng)` renders it as an article; outlets 0 and 1
use disjoint sentence templates, so their two reports of one story share the facts, the names,
the numbers and the quotes verbatim (as independent reports do) and little else: the same-story
negatives. Every article also carries detail sentences drawn from a small grammar over a large
vocabulary, so unrelated stories do not share more than real news does (stock phrases).

Pure functions of a `random.Random`: the set is rebuilt bit for bit from its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

W = str.split  # word lists below are written as one string each

SYL = W("ka lo ven tar mi sel dor ban rue hol ast wen fir gal tho mer pin cas lud rav ost kel")
FIRST = W(
    "Anna Tom Maria Jonas Priya Liam Sofia Omar Elena Marcus Ines Tariq Hannah Felix Leila "
    "Oscar Nadia Victor Clara Samuel Yara Daniel Eva Rafael Mei Hugo Alice Kwame Julia Pavel"
)
LAST = W(
    "Kowal Birch Porter Lindqvist Okafor Mensah Haddad Novak Ferreira Duval Brandt Castillo "
    "Nakamura Rossi Kaplan Oyelaran Fischer Moreau Petrov Alvarez Quinn Sandoval Whitaker Ivers "
    "Larkin Thorne Delacroix Abbott Gallagher Hartmann Sato Varga Bianchi Ekwueme Dubois Pryce"
)
ROLES = W(
    "mayor spokesperson director chairman minister superintendent inspector governor "
    "economist professor coordinator commissioner chief analyst manager"
)

# Per topic: organisation kinds, the event, its unit, and words for the grammar's details.
TOPICS: dict[str, dict[str, list[str]]] = {
    "transport": {
        "org": W("council transit_authority rail_operator"),
        "event": W("fare_rise timetable_cut bus_strike tram_extension"),
        "unit": W("passengers routes drivers stops"),
        "noun": W("ticket platform depot corridor timetable commuter carriage junction"),
    },
    "flood": {
        "org": W("environment_agency fire_service county_council"),
        "event": W("flash_flood river_surge storm_damage levee_breach"),
        "unit": W("homes households residents sandbags"),
        "noun": W("embankment pump meadow culvert riverbank gauge sluice warning"),
    },
    "breach": {
        "org": W("retailer bank insurer telecom_provider"),
        "event": W("data_breach ransomware_attack outage phishing_campaign"),
        "unit": W("customers accounts records cards"),
        "noun": W("password server vendor patch firewall regulator ledger audit"),
    },
    "economy": {
        "org": W("central_bank treasury statistics_office"),
        "event": W("rate_hold rate_cut inflation_figure jobs_report"),
        "unit": W("jobs points businesses mortgages"),
        "noun": W("inflation wage bond lender forecast deficit currency export"),
    },
    "sport": {
        "org": W("football_club rugby_union cycling_team athletics_federation"),
        "event": W("cup_final title_decider transfer_saga doping_ban"),
        "unit": W("spectators goals points fans"),
        "noun": W("stadium striker penalty coach season referee trophy squad"),
    },
    "quake": {
        "org": W("seismology_institute civil_protection red_cross"),
        "event": W("earthquake aftershock landslide tremor"),
        "unit": W("buildings villages families tents"),
        "noun": W("epicentre rubble shelter magnitude fault rescuer bridge clinic"),
    },
    "health": {
        "org": W("hospital_trust health_board clinic_network"),
        "event": W("ward_closure vaccine_drive outbreak staffing_crisis"),
        "unit": W("patients nurses beds doses"),
        "noun": W("ward surgeon waiting_list ambulance pharmacy vaccine triage shift"),
    },
    "courts": {
        "org": W("crown_court prosecutors appeals_panel"),
        "event": W("fraud_trial verdict appeal sentencing"),
        "unit": W("witnesses charges victims documents"),
        "noun": W("jury defendant barrister testimony evidence judge bail hearing"),
    },
    "energy": {
        "org": W("grid_operator utility energy_regulator"),
        "event": W("price_cap blackout wind_farm pipeline_leak"),
        "unit": W("megawatts households turbines litres"),
        "noun": W("turbine substation tariff meter reactor pipeline grid storage"),
    },
    "schools": {
        "org": W("education_department school_board university"),
        "event": W("exam_results teacher_strike school_closure funding_cut"),
        "unit": W("pupils teachers classrooms students"),
        "noun": W("curriculum headteacher exam campus tuition lecture playground grade"),
    },
    "housing": {
        "org": W("housing_association planning_committee developer"),
        "event": W("housing_plan eviction_wave rent_freeze tower_repair"),
        "unit": W("flats tenants homes storeys"),
        "noun": W("tenancy cladding landlord estate mortgage planning deposit block"),
    },
    "science": {
        "org": W("observatory research_institute space_agency"),
        "event": W("discovery launch fossil_find telescope_result"),
        "unit": W("samples kilometres species satellites"),
        "noun": W("telescope specimen orbit laboratory probe genome comet sediment"),
    },
}

ADJ = W(
    "sharp modest sudden gradual unexpected long-awaited controversial fragile renewed "
    "cautious costly temporary lasting narrow broad urgent quiet heated lengthy detailed "
    "revised early late partial formal informal local regional northern southern eastern "
    "western rural coastal crowded empty ageing modern historic busy damaged expensive cheap "
    "secret public private joint annual weekly rival bitter glowing grim bleak hopeful "
    "tentative bold vague strict generous meagre routine unusual rare familiar sprawling "
    "compact overdue premature troubled thriving flagship interim binding voluntary "
    "mandatory surprise record muted fierce polite awkward hasty careful stubborn"
)
ADV = W(
    "quickly slowly reluctantly openly privately firmly briefly repeatedly eventually "
    "initially largely partly sharply steadily quietly loudly narrowly broadly formally "
    "hastily carefully abruptly gently grudgingly warmly coolly bluntly"
)
VERB = W(
    "reviewed delayed approved questioned examined expanded reduced funded blocked "
    "criticised welcomed postponed defended revised inspected doubled halved tested "
    "scrapped rejected praised audited challenged mapped cleared sealed rebuilt reopened "
    "shelved signed leaked drafted priced trimmed boosted redesigned relaunched suspended "
    "extended cancelled upgraded downgraded merged split rerouted repaired demolished"
)
NOUN = W(
    "proposal budget report plan inquiry schedule contract survey petition agreement "
    "estimate assessment programme review deadline dispute settlement forecast memo "
    "ballot scheme grant loan subsidy levy tender bid audit charter pledge waiver permit "
    "licence bylaw motion amendment mandate quota target tariff fund reserve roster "
    "registry archive census ledger dossier brief warrant order notice appeal complaint "
    "campaign protest rally vigil convoy network hub depot yard warehouse office archive "
    "bulletin broadcast interview hearing session summit forum panel committee taskforce"
)
PREP = W("after before during despite amid following ahead_of beyond without through")
PEOPLE = W(
    "residents critics campaigners officials engineers volunteers traders unions "
    "shopkeepers parents pensioners landlords farmers drivers nurses lawyers auditors "
    "economists students analysts neighbours councillors inspectors contractors"
)
PLACES = W(
    "square harbour market station bridge library museum park quay stadium avenue "
    "boulevard terrace arcade bypass roundabout waterfront precinct mill chapel"
)
DAYS = W("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = W("January February March April May June July August September October November")
OPENINGS = [
    "We are doing everything we can",
    "This is not the outcome anyone wanted",
    "Nobody saw this coming",
    "People deserve clear answers",
    "We have learned hard lessons",
    "The figures speak for themselves",
    "I will not pretend this is easy",
    "Frankly, it should never have come to this",
    "Let me be clear",
    "We owe people honesty",
]


def _w(token: str) -> str:
    return token.replace("_", " ")


@dataclass(frozen=True)
class Story:
    topic: str
    place: str
    region: str
    people: tuple[tuple[str, str], ...]  # (name, role)
    org: str
    event: str
    unit: str
    numbers: tuple[int, ...]
    pct: float
    money: int
    day: str
    date: str
    quotes: tuple[str, ...]
    nouns: tuple[str, ...]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))).capitalize()


def _quote(rng: random.Random, story_nouns: list[str]) -> str:
    """A quote with words of its own: a stock opening, then a story-specific clause."""
    a, b = _w(rng.choice(story_nouns)), rng.choice(NOUN)
    return (
        f"{rng.choice(OPENINGS)}. The {a} was {rng.choice(VERB)} {rng.choice(ADV)} and the "
        f"{rng.choice(ADJ)} {b} will be {rng.choice(VERB)} {_w(rng.choice(PREP))} "
        f"{rng.choice(DAYS)} by {rng.choice(PEOPLE)} from the {rng.choice(PLACES)}."
    )


def story(rng: random.Random) -> Story:
    """The facts of one news story."""
    topic = rng.choice(sorted(TOPICS))
    t = TOPICS[topic]
    nouns = t["noun"]
    people = tuple((f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(ROLES)) for _ in range(3))
    return Story(
        topic=topic,
        place=_name(rng),
        region=_name(rng) + rng.choice(["shire", " Valley", " County", " Province"]),
        people=people,
        org=f"{_name(rng)} {_w(rng.choice(t['org'])).title()}",
        event=_w(rng.choice(t["event"])),
        unit=rng.choice(t["unit"]),
        numbers=tuple(rng.randint(12, 48000) for _ in range(4)),
        pct=round(rng.uniform(1.5, 38.0), 1),
        money=rng.randint(2, 900),
        day=rng.choice(DAYS),
        date=f"{rng.choice(MONTHS)} {rng.randint(1, 28)}",
        quotes=tuple(_quote(rng, nouns) for _ in range(rng.randint(2, 3))),
        nouns=tuple(nouns),
    )


def detail(rng: random.Random, s: Story) -> str:
    """One sentence from a small grammar over a large vocabulary: little shared across stories."""
    noun, other = _w(rng.choice(s.nouns)), _w(rng.choice(s.nouns))
    adj, adj2, verb, adv = rng.choice(ADJ), rng.choice(ADJ), rng.choice(VERB), rng.choice(ADV)
    thing, thing2, who = rng.choice(NOUN), rng.choice(NOUN), rng.choice(PEOPLE)
    spot, prep, n = rng.choice(PLACES), _w(rng.choice(PREP)), rng.randint(2, 90)
    forms = [
        f"The {adj} {noun} was {adv} {verb} {prep} a {adj2} {thing} near the {spot}.",
        f"{who.capitalize()} at the {spot} {verb} the {thing} {adv}, citing the {adj} {other}.",
        f"A {adj} {thing} on the {noun} and the {other} was {verb} {prep} {n} {thing2}s.",
        f"{n} {who} {verb} a {adj2} {thing} about the {noun} {prep} the {spot} {thing2}.",
        f"By {rng.choice(DAYS)}, {who} had {verb} {n} {thing}s tied to the {adj} {other}.",
        f"Some {who} {adv} {verb} the {thing2}, while the {spot} {noun} remained {adj}.",
        f"The {thing} from the {spot}, {adj} and {adj2}, {verb} the {other} {thing2}.",
        f"{s.place} {who} {verb} {n} {adj} {thing}s {prep} the {noun} {thing2}.",
        f"Its {adj} {noun} {thing} was {verb} by {who} {prep} the {adj2} {spot}.",
        f"Why the {other} {thing} was {verb} {adv} remains {adj}, {who} at the {spot} said.",
    ]
    return rng.choice(forms)


def _facts(s: Story) -> dict[str, str]:
    (p0, r0), (p1, r1), (p2, r2) = s.people
    n = s.numbers
    return {
        "place": s.place, "region": s.region, "org": s.org, "event": s.event, "unit": s.unit,
        "p0": p0, "r0": r0, "p1": p1, "r1": r1, "p2": p2, "r2": r2, "day": s.day,
        "date": s.date, "n0": f"{n[0]:,}", "n1": f"{n[1]:,}", "n2": str(n[2]),
        "n3": f"{n[3]:,}", "pct": f"{s.pct}", "money": f"{s.money}",
    }  # fmt: skip


# Sentence templates by purpose; outlet 0 and outlet 1 never share one.
LEDE = (
    [
        "{place} was hit on {day} by a {event} that affected {n0} {unit} across {region}.",
        "A {event} in {place} on {day} left {n0} {unit} facing weeks of disruption.",
        "Officials in {place} scrambled on {day} to contain a {event} touching {n0} {unit}.",
    ],
    [
        "Some {n0} {unit} in the {region} town of {place} were caught up in a {event} this "
        "week, the {org} confirmed.",
        "The {org} is under pressure after a {event} reached {n0} {unit} in {place}.",
        "It took less than a day for the {event} in {place} to spread to {n0} {unit}.",
    ],
)
FACT = (
    [
        "The {org} put the cost at {money} million, a figure {p1}, its {r1}, called provisional.",
        "Figures from the {org} show a rise of {pct} percent on the same period last year.",
        "By {date} the number of {unit} affected had climbed to {n1}, according to {p2}.",
        "{p2}, the {r2}, said {n2} {unit} were still waiting for help late on {day}.",
    ],
    [
        "Its estimate of the bill, {money} million, has not been independently checked.",
        "That is {pct} percent more than a year ago, the {org}'s own data suggest.",
        "{p1} ({r1}) said {n1} {unit} had been reached by {date} and {n3} more were at risk.",
        "A further {n2} {unit} remain without support, {p2}, {r2} for the area, told reporters.",
    ],
)
QUOTE_INTRO = (
    ['"{q}" {p0}, the {r0}, said in a statement.', '"{q}" said {p1}.', '{p2} added: "{q}"'],
    ['{p0} told a news conference: "{q}"', 'Asked about it, {p1} said: "{q}"', '"{q}" {p2} said.'],
)
CLOSE = (
    [
        "A full review is expected before the end of {date_month}.",
        "The {org} will meet again next {day} to decide its next steps.",
    ],
    [
        "No date has been set for a decision, the {org} said.",
        "Opposition members in {region} have demanded an independent inquiry.",
    ],
)


def write(s: Story, outlet: int, rng: random.Random) -> str:
    """One outlet's article about `s`: lede, facts, quotes and details, in paragraphs."""
    f = _facts(s) | {"date_month": s.date.split()[0]}
    paras = [rng.choice(LEDE[outlet]).format(**f)]
    body: list[str] = [t.format(**f) for t in rng.sample(FACT[outlet], 3)]
    intros = rng.sample(QUOTE_INTRO[outlet], len(s.quotes))
    body += [intro.format(q=q, **f) for intro, q in zip(intros, s.quotes, strict=True)]
    body += [detail(rng, s) for _ in range(rng.randint(5, 9))]
    rng.shuffle(body)
    paras += body
    paras.append(rng.choice(CLOSE[outlet]).format(**f))
    # Two or so sentences a paragraph, as wire copy is laid out.
    out, i = [], 0
    while i < len(paras):
        step = 1 if i == 0 else rng.randint(1, 2)
        out.append(" ".join(paras[i : i + step]))
        i += step
    return "\n\n".join(out) + "\n"


def commentary(s: Story, quoted: str, source_outlet: str, rng: random.Random) -> str:
    """An article of its own (another story) that quotes `quoted` at length, marked as quoted."""
    own = write(s, 1, rng).strip().split("\n\n")  # another outlet than the base's
    cut = rng.randint(1, max(1, len(own) - 2))
    block = f'As the {source_outlet} reported earlier this week:\n\n"{quoted}"'
    return "\n\n".join([*own[:cut], block, *own[cut:]]) + "\n"
