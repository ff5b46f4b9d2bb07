"""Blameless language check: blaming wording in review text, with suggestions.

A blameless review describes the system and the decision context, not
people's failings. This module finds wording that reads as blame and says
why, with a direction for rewording. It only advises: nothing is blocked.

All rules live in :data:`RULES`. Matching is case-insensitive, treats curly
apostrophes as straight ones, and uses simple bounded patterns (no nested
quantifiers), so even very long texts check in linear time.
"""

import re
from dataclasses import asdict, dataclass

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Hit:
    rule: str
    start: int
    end: int
    phrase: str
    message: str
    suggestion: str

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: re.Pattern
    message: str
    suggestion: str


def _rule(rule_id, pattern, message, suggestion):
    return Rule(rule_id, re.compile(pattern, re.IGNORECASE), message, suggestion)


RULES = (
    _rule(
        "should-have",
        r"\b(?:should(?:n't| not)?|could(?:n't| not)?|would(?:n't| not)?) have\b|\b(?:should|could)'ve\b",
        "Hindsight: it judges a past decision by what is known now.",
        "Describe what the person knew and what the situation looked like at that moment.",
    ),
    _rule(
        "failed-to",
        r"\bfail(?:ed|s)? to\b",
        "Frames what happened as a personal failure.",
        "Say what happened and what made the expected step hard or unlikely.",
    ),
    _rule(
        "careless",
        r"\bcareless(?:ly|ness)?\b",
        "Judges a person's attention instead of the conditions.",
        "Describe the workload, tooling or signals that made the step easy to miss.",
    ),
    _rule(
        "negligent",
        r"\bnegligen(?:t|tly|ce)\b",
        "A legal-sounding judgement of a person.",
        "Describe the gap in the process or tooling that allowed it.",
    ),
    _rule(
        "human-error",
        r"\bhuman errors?\b",
        "“Human error” ends the inquiry where it should start.",
        "Ask what in the system made the error likely, and describe that.",
    ),
    _rule(
        "blame",
        r"\b(?:to blame|blam(?:e|ed|es|ing))\b(?!less)",
        "Assigns blame, which a blameless review avoids.",
        "Describe the contributing factors and the decision context.",
    ),
    _rule(
        "fault",
        r"\b(?:at fault|(?:his|her|their|my|your|whose|our|\w+'s) fault|(?:the )?fault of)\b(?!-)",
        "Assigns fault to a person.",
        "Describe which conditions contributed and how the system allowed them.",
    ),
    _rule(
        "didnt-bother",
        r"\b(?:didn't|did not|couldn't|could not|never) (?:bother|be bothered)(?:ed)?\b|\bcouldn't be bothered\b",
        "Attributes an omission to a lack of effort.",
        "Describe what competed for the person's attention, or what made the step seem unnecessary.",
    ),
    _rule(
        "incompetent",
        r"\b(?:incompeten(?:t|ce)|lazy|laziness|sloppy|sloppiness|reckless(?:ly)?|stupid(?:ly|ity)?)\b",
        "A judgement of a person's character or ability.",
        "Describe the action and its context instead of the person.",
    ),
    _rule(
        "dropped-the-ball",
        r"\bdropped the ball\b",
        "Blames a person for a lost handover.",
        "Describe what the handover did not carry and why.",
    ),
)

#: Words that, next to a person's name, read as blaming that person.
FAULT_WORDS = (
    "mistake", "mistakes", "error", "errors", "fault", "faults", "blunder", "blundered", "broke", "broken",
    "messed up", "screwed up", "forgot", "forgotten", "missed", "ignored", "neglected", "caused", "dropped the ball",
    "failed", "failure", "slipped up", "overlooked",
)  # fmt: skip
NAMED_FAULT = (
    "A named person beside a fault word reads as blaming them.",
    "Name the role and the decision context instead, e.g. “the on-call engineer, seeing only X, …”.",
)
NEAR_WORDS = 3  # how many words may stand between a name and a fault word


def _named_fault_patterns(names):
    names = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    if not names:
        return ()
    name = "(?:" + "|".join(re.escape(n.translate(APOSTROPHES)) for n in names) + ")"
    fault = "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in FAULT_WORDS) + ")"
    gap = rf"(?:\W+\w+){{0,{NEAR_WORDS}}}?\W+"
    bounded_name = rf"(?<![\w]){name}(?![\w'])"
    possessive = rf"(?<![\w]){name}'s?\s+(?:\w+\s+)?{fault}\b"
    return (
        re.compile(possessive, re.IGNORECASE),
        re.compile(rf"{bounded_name}{gap}{fault}\b", re.IGNORECASE),
        re.compile(rf"\b{fault}{gap}(?:by\s+){name}(?![\w'])", re.IGNORECASE),
        re.compile(rf"\b(?:because of|due to|thanks to)\s+{name}(?![\w'])", re.IGNORECASE),
    )


def check(text, names=()):
    """Hits in ``text``, sorted by position and never overlapping.

    ``names`` are the people involved (first, last and full names): a name
    near a fault word is flagged as blaming that person.
    """
    if not text:
        return []
    normalised = text.translate(APOSTROPHES)
    found = []
    for pattern in _named_fault_patterns(names):
        for match in pattern.finditer(normalised):
            found.append(("named-fault", match.start(), match.end(), *NAMED_FAULT))
    for rule in RULES:
        for match in rule.pattern.finditer(normalised):
            found.append((rule.id, match.start(), match.end(), rule.message, rule.suggestion))
    # Longest first at each position, then drop overlaps, keeping the earlier hit.
    found.sort(key=lambda hit: (hit[1], -(hit[2] - hit[1])))
    hits, last_end = [], -1
    for rule_id, start, end, message, suggestion in found:
        if start < last_end:
            continue
        hits.append(Hit(rule_id, start, end, text[start:end], message, suggestion))
        last_end = end
    return hits
