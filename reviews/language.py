"""Blameless language check (placeholder until the full rule table lands)."""

import re
from dataclasses import asdict, dataclass


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


RULES = (
    (
        "should-have",
        re.compile(r"\bshould(?:n't| not)? have\b|\bshould've\b", re.I),
        "Hindsight.",
        "Describe what was known then.",
    ),
    (
        "failed-to",
        re.compile(r"\bfailed to\b", re.I),
        "Frames an outcome as a personal failure.",
        "Describe what happened.",
    ),
)


def check(text, names=()):
    hits = []
    for rule, pattern, message, suggestion in RULES:
        for m in pattern.finditer(text or ""):
            hits.append(Hit(rule, m.start(), m.end(), m.group(0), message, suggestion))
    return sorted(hits, key=lambda h: h.start)
