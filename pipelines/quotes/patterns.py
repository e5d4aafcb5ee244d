"""Patterns and bounds shared by quotation finding and attribution."""

from __future__ import annotations

import re

from pipelines.entities import wordset

SCARE_MAX_WORDS = 3
MAX_AFTER_WORDS = 9  # "…," a senior US official in Baghdad warned: longer is a new clause
VERBS = (
    r"said|says|say|told|tells|tell|added|adds|warned|warns|asked|asks|explained|explains|"
    r"noted|stated|claimed|insisted|insists|argued|argues|continued|"
    r"replied|replies|wrote|writes|admitted|admits|declared|declares|announced|announces|"
    r"conceded|concedes|acknowledged|acknowledges|recalled|recalls|cautioned|cautions|"
    r"predicted|predicts|suggested|suggests|urged|urges|vowed|vows|complained|complains|"
    r"stressed|stresses|emphasi[sz]ed|observed|remarked|maintained|responded|responds|"
    r"quipped|boasted|testified|reported|joked|added|recounted|countered|confirmed|"
    r"confirms|denied|denies|according to"
)
VERB = re.compile(rf"\b(?:{VERBS})\b", re.I)
# An adverb is lower case: "Healy" in "Mr Healy said" is not one (patterns using AUX are
# case-insensitive, so the class says so itself).
AUX = r"(?:(?:also|later|then|again|has|had|have|would|will|once|(?-i:[a-z]\w*ly))\s+)?"
# The leading punctuation run is possessive (*+): the speaker phrase may not give back
# characters to it, which made a long run of dashes cost (run length x 90) per quote.
AFTER_SUBJECT = re.compile(
    rf"^[\s,;:—–-]*+(?P<sp>[^,;:!?\"“”]{{1,90}}?)\s+{AUX}(?:{VERBS})\b", re.I
)
AFTER_INVERTED = re.compile(rf"^[\s,;:—–-]*+(?:{VERBS})\s+(?P<sp>[^,;:!?\"“”(]+)", re.I)
# Bounds that make every attribution step cost O(1) however long a sentence or paragraph
# is. A speaker phrase is at most 12 words; over MAX_SPEAKER_CHARS it is not one either.
MAX_SPEAKER_CHARS = 250
AFTER_WINDOW = 2 * MAX_SPEAKER_CHARS  # looked at after a closing mark
SUBJECT_WINDOW = 600  # looked back from a verb for its subject, appositives included
APPOSITIVE_REACH = 120  # ", the deputy foreign minister" after a name
INDEFINITE_TRIES = 16  # nearest "a … official" phrases tried for "the official"
INDEFINITE_SPAN = 300  # longest "a senior US official in Baghdad" phrase matched
LEAD = re.compile(
    r"^(?:(?:but|and|so|yet|also|then|however|earlier|later|meanwhile|instead|as|while|which|"
    r"whom|that)\b[\s,]*)+",
    re.I,
)
ACCORDING = re.compile(r"\s*([^,;:\"“]+)")
PRONOUN = re.compile(r"^(?:he|she|they|i|we)$", re.I)
DETERMINER = re.compile(r"^(?:a|an|the|one|another|two|three|several|some|many|most|other)\s", re.I)
PREP = re.compile(r"\s(?:in|at|to|from|for|with|of|on)\s", re.I)
ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Prof|St|Jr|Sr|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Ltd|Co)|\b[A-Z]|\.[A-Z])$"
)
SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
COORDINATED = re.compile(r"\band\s+(?:\w+ly\s+)?$")
# The first finite verb of a sentence opening ("A spokesman rejected …") ends its subject.
FIRST_VERB = re.compile(r"\s(?:\w+ed|said|says|told|is|was|were|has|had)\b")
CLAUSE = re.compile(r"[,;:(—–]|\s-\s|\bthat\s")
# Words that introduce a named person and can later stand for them ("the ambassador").
ROLE_WORDS = wordset(
    """president ambassador spokesman spokeswoman spokesperson secretary minister general
    senator governor commander chairman chairwoman director mayor chief leader judge
    prosecutor officer professor expert analyst correspondent adviser advisor envoy premier
    chancellor king queen prince lawyer attorney economist"""
)
APPOSITIVE = re.compile(r",\s+(?:the\s+|a\s+|an\s+)?((?:[\w-]+\s+){0,3}[\w-]+)")
ROLE_PREFIX = {"gen": "general", "sen": "senator", "gov": "governor", "prof": "professor"}
# "a senior US official in Baghdad": article, up to five modifiers, head, capitalised place.
INDEFINITE = (
    r"\b(?i:a|an|one)\s+(?:[\w'’-]+\s+){{0,5}}?(?i:{head})\b"
    r"(?:\s+(?:in|to|at|from|for|with|of)\s+(?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)?"
)


# Verbs that introduce a partial quote but are not speech by themselves: "Streeting called
# the figures “unacceptable”", "dismissed the claim as “scare tactics”".
CUE_VERBS = r"called|calls|described|describes|dismissed|dismisses|branded|brands|termed"
CUE_VERB = re.compile(rf"\b(?:{VERBS}|{CUE_VERBS})\b", re.I)
# "…," the airline's chief operating officer, Andrew Watterson, said: an aside with commas
# between the quote and the verb (at most two asides).
AFTER_APPOSED = re.compile(
    rf"^[\s,;:—–-]*+(?P<sp>[^,;:!?\"“”]{{1,80}}(?:,[^,;:!?\"“”]{{1,80}}){{0,2}}?),?\s+"
    rf"{AUX}(?:{VERBS})\b",
    re.I,
)
# A sentence that ends with its attribution, away from the quote: "“80% to 90%” of the
# jihadis … came from Syria, he said."
SENTENCE_END_ATTRIBUTION = re.compile(
    rf",\s*(?P<sp>[^,;:!?\"“”]{{1,60}}?)\s+{AUX}(?:{VERBS})\b[^,;:\"“”]{{0,40}}$", re.I
)
# "Asked about the fee, Okafor smiled:" — the clause before a colon names the speaker.
COLON_CLAUSE = re.compile(r"(?:^|[,;]\s*)(?P<clause>[^,;:\"“”]{1,120}):\s*$")
