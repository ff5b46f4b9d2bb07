"""Blameless language check: find wording in review text that reads as blame.

A blameless post-incident review describes the system and the decision
context (what people knew, what the tools showed, what competed for their
attention) rather than people's failings. :func:`check` finds phrasings that
read as blame and returns each one with why it reads that way and a direction
for rewording. It only advises: nothing is ever blocked.

All rules live in :data:`RULES`. They are deliberately conservative: each has
clear blame semantics, and technical uses of the same words ("default",
"fault-tolerant", "error rates", "failed over", "the pod failed to start",
"lazy loading") are left alone.

Matching is case-insensitive and Unicode-safe (curly apostrophes count as
straight ones) and runs in linear time, even on megabytes of text: patterns are
precompiled, every repetition is bounded or sits between disjoint character
classes, each pattern starts with literal text so the regex engine can skip
ahead quickly, and a rule only runs when one of its trigger words occurs.
Pure Python, no Django.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache

__all__ = ["RULES", "Hit", "Rule", "check"]

# Folding keeps every character in place (one character in, one out), so an
# offset in the folded text is the same offset in the original text.
_FOLD = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark: the usual curly apostrophe
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u02bc": "'",  # modifier letter apostrophe
    "\uff07": "'",  # fullwidth apostrophe
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u0130": "i",  # the one character whose lower() is two characters long
}


def _fold(text: str) -> str:
    """``text`` in lower case with plain apostrophes and hyphens, the same length as ``text``."""
    for char, plain in _FOLD.items():
        if char in text:  # str.replace is much faster than str.translate on long non-ASCII text
            text = text.replace(char, plain)
    return text.lower()


def _is_word(char: str) -> bool:
    """Whether ``char`` is a regex word character (``\\w``)."""
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Hit:
    """One phrase that may read as blame, where it is, and what to do about it."""

    rule: str
    start: int
    end: int
    phrase: str
    message: str
    suggestion: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    """A kind of blaming wording.

    ``patterns`` are regular expressions over folded (lower-case) text. A
    match must begin at the start of a word (checked by :func:`check`, so a
    pattern can begin with literal text and be found fast); a match that
    begins with an apostrophe ("'s fault") is widened to the word it belongs
    to ("nobody's fault"). Every match contains one of the ``triggers``, and a
    rule whose triggers are absent is skipped.

    The named rule instead looks around each occurrence of a person's name:
    ``after_name`` must match right after the name and ``before_name`` must
    end right before it, with one of ``name_links`` as its last word. Both
    may refer to the names as :data:`NAME`.
    """

    id: str
    message: str
    suggestion: str
    patterns: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    after_name: str = ""
    before_name: str = ""
    name_links: frozenset[str] = frozenset()


#: Stands for "any of the people's names" in the named rule's patterns.
NAME = "<NAME>"


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# Building blocks ------------------------------------------------------------------------------------

SP = r"\s+"  # the space between two words of a phrase: any run of whitespace
SEP = r"[^\w.!?;:]{1,12}"  # between two words of one clause: spaces, commas, dashes, brackets
WORD = r"\w{1,40}"
NEAR_WORDS = 3  # how many words may stand between a name and the fault word after it
BEFORE_NAME_WINDOW = 120  # characters searched before a name for "caused by", "because of" and the like

#: After "error", "failure" or "fault": technical words that make it about the system ("error rates").
TECHNICAL = (
    r"(?![-\s]{1,3}(?:budget|rate|log|message|page|count|code|handl|spike|track|report|domain|mode|state|path"
    r"|response|class|type|banner|dialog|check|metric|alert|threshold|inject|toleran|detect|scenario|case"
    r"|isolat|line|tree|model|zone|condition))"
)
FAULT_NOUNS = _any(
    r"mistakes?",
    rf"errors?{TECHNICAL}",
    rf"faults?{TECHNICAL}",
    r"blunders?",
    r"screw-?ups?",
    r"mess-?ups?",
    r"slip-?ups?",
    r"oversights?",
    r"negligence",
    r"carelessness",
    rf"failures?{TECHNICAL}",
)
#: Verbs that, with a person as their subject, say the person did something wrong.
FAULT_VERBS = _any(
    r"broke",
    rf"messed{SP}up",
    rf"screwed{SP}up",
    rf"slipped{SP}up",
    r"forgot",
    r"forgotten",
    r"missed",
    r"ignored",
    r"neglected",
    r"overlooked",
    r"caused",
    r"blundered",
    r"botched",
    r"bungled",
    r"mishandled",
    r"fumbled",
    rf"dropped{SP}the{SP}ball",
    rf"ma(?:de|kes?|king){SP}(?:\w{{1,40}}{SP}){{0,2}}?{_any('mistakes?', rf'errors?{TECHNICAL}', 'blunders?')}",
    rf"(?:is|was|were|are){SP}(?:at{SP}fault|to{SP}blame)",
)
#: Passive forms ("the page was missed") are about the thing, not about whoever is named before.
NOT_PASSIVE = "".join(rf"(?<!\b{be} )" for be in ("is", "was", "are", "were", "be", "been", "being", "get", "got"))
#: Words that end the link between a name and a later fault verb: a new subject, a clause, a negation.
STOP = _any(
    "the", "a", "an", "this", "these", "those", "that", "what", "which", "whatever", "whether", "if", "when",
    "how", "why", "where", "it", "they", "we", "you", "i", "someone", "somebody", "something", "everyone",
    "everybody", "everything", "nothing", "nobody", "anyone", "not", "never", "no", "hasn", "haven", "hadn",
    "didn", "doesn", "wasn", "weren", "isn", "couldn", "wouldn", "shouldn", NAME,
)  # fmt: skip
GAP = rf"(?:{SEP}(?!{STOP}(?!\w)){WORD})"
#: The last words of the named rule's ``before_name`` forms ("caused by Sam", "because of Sam", "blamed Sam").
NAME_LINKS = frozenset({
    "by", "of", "to", "with", "on", "is", "was", "lies", "lay", "rests", "rested", "blame", "blamed", "blames",
    "blaming",
})  # fmt: skip

#: After "should have", a determiner makes it a requirement ("every service should have an owner").
DETERMINER = _any(
    "a", "an", "the", "some", "any", "more", "fewer", "less", "no", "enough", "its", "their", "our", "your",
    "his", "her", "my", "this", "these", "those", "every", "each", "one", "two", "both", "all", r"\d+",
)  # fmt: skip
#: After "failed to", verbs whose subject is a machine ("the pod failed to start").
MACHINE_VERBS = _any(
    "start", "restart", "boot", "launch", "come", "stop", "shut", "terminate", "connect", "reconnect", "load",
    "parse", "resolve", "respond", "bind", "allocate", "authenticate", "compile", "build", "converge",
    "replicate", "renew", "rotate", "fire", "trigger", "propagate", "settle", "render", "sync", "synchron[iy]se",
    "mount", "unmount", "initiali[sz]e", "seriali[sz]e", "deseriali[sz]e", "decode", "encode", "validate",
    "acquire", "install", "download", "upload", "apply", "complete", "run", "execute", "deploy", "scale",
    "recover", "elect", "match", "spawn", "provision", "drain", "flush", "persist", "open", "close", "return",
    "handshake", "register", "heal", rf"fail{SP}over",
)  # fmt: skip
#: After "lazy", technical senses ("lazy loading", "lazy evaluation").
LAZY_TECHNICAL = (
    r"(?![-\s]{1,3}(?:load|eval|init|import|iterat|fetch|compil|propagat|delet|consum|instantiat|singleton|val"
    r"|seq|list|static|propert|expan|quantif|match|mode|stream|comput|binding|hydrat|migrat|replicat|free|sweep"
    r"|cop|alloc|mount|render|quer|join|attribute|field|relation))"
)

# The rules ------------------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "named-fault",
        "Naming a person next to a fault word makes the person the cause.",
        "Name the role and what they could see at the time, e.g. “the on-call engineer, seeing only the 5xx alert, …”.",
        # "Sam forgot", "Sam, again, ignored", "Sam made a mistake", "Sam was at fault";
        # "Sam's mistake", "Priya's change caused".
        after_name=rf"(?!\w){GAP}{{0,{NEAR_WORDS}}}?{SEP}{NOT_PASSIVE}{FAULT_VERBS}(?!\w)"
        rf"|'s?(?!\w){GAP}{{0,2}}?{SEP}(?:{FAULT_NOUNS}|broke|caused)(?!\w)",
        # "caused by Sam", "a mistake made by Sam", "the fault lies with Sam", "blamed Sam", "because of Sam"
        # (but not "because of Sam's quick thinking").
        before_name=rf"\b(?:{FAULT_NOUNS}(?:{SP}(?:was|were))?(?:{SP}(?:made|caused|committed))?{SP}by"
        rf"|(?:broken|caused|missed|ignored|overlooked|neglected|botched|bungled|mishandled|forgotten){SP}by"
        rf"|{FAULT_NOUNS}{SP}(?:lies|lay|rests|rested|is|was)(?:{SP}(?:with|on))?"
        rf"|blam(?:e|ed|es|ing)"
        rf"|(?P<cause>because{SP}of|due{SP}to)){SP}\Z",
        name_links=NAME_LINKS,
    ),
    Rule(
        "should-have",
        "“Should have” judges a past decision by what is known only now (hindsight).",
        "Describe what the person knew and what the situation looked like at that moment.",
        (rf"should(?:(?:n't|{SP}not)?{SP}have\b(?!{SP}{DETERMINER}\b)|(?:n't)?'ve\b)",),
        ("should",),
    ),
    Rule(
        "failed-to",
        "“Failed to” frames what happened as a personal failure.",
        "Say what happened and what made the expected step hard, unclear or unlikely at the time.",
        (rf"fail(?:s|ed|ing|ure)?{SP}to\b(?!{SP}{MACHINE_VERBS}\b)",),
        ("fail",),
    ),
    Rule(
        "careless",
        "“Careless” judges a person's attention instead of the conditions they worked in.",
        "Describe the workload, tooling or signals that made the step easy to miss.",
        (r"careless(?:ly|ness)?\b",),
        ("careless",),
    ),
    Rule(
        "negligent",
        "“Negligent” is a legal-sounding judgement of a person.",
        "Describe the gap in the process or tooling that allowed it to happen.",
        (r"negligen(?:t|tly|ce)\b",),
        ("negligen",),
    ),
    Rule(
        "human-error",
        "“Human error” ends the inquiry exactly where it should start.",
        "Ask what in the system made the error likely or easy, and describe that.",
        (r"human[-\s]{1,3}(?:errors?|mistakes?)\b",),
        ("human",),
    ),
    Rule(
        "blame",
        "Talking about blame assigns it, which a blameless review sets out not to do.",
        "Describe the contributing factors and the decision context instead.",
        # Not "blameless", "blame-free", "no-blame" (the review culture) or "git blame" (a tool).
        (
            rf"to{SP}blame\b",
            r"blam(?<!\bno blam)(?<!\bno-blam)(?<!\bgit blam)(?:e|ed|es|ing)\b(?!-free)",
        ),
        ("blam",),
    ),
    Rule(
        "fault",
        "Saying whose fault it was assigns fault to a person or team.",
        "Describe which conditions contributed and how the system allowed them.",
        # "at fault", "his fault", "nobody's fault", "the fault of", "the fault lies with"; not "default",
        # "faulty", "no-fault", "fault-tolerant", "our fault tolerance", "a network fault".
        (
            rf"at{SP}fault\b{TECHNICAL}",
            rf"(?:my|your|his|her|their|our|whose)(?:{SP}own)?{SP}faults?\b{TECHNICAL}",
            rf"'s(?:{SP}own)?{SP}faults?\b{TECHNICAL}",
            rf"the{SP}fault{SP}of\b",
            rf"fault{SP}(?:lies|lay|rests|rested){SP}(?:with|on)\b",
        ),
        ("fault",),
    ),
    Rule(
        "didnt-bother",
        "“Didn't bother” attributes an omission to a lack of effort or care.",
        "Describe what competed for the person's attention, or what made the step seem unnecessary.",
        (
            # The effort sense only: "didn't bother to check", not "the lag didn't bother customers".
            rf"(?:(?:didn't|did{SP}not|doesn't|does{SP}not|wouldn't|would{SP}not){SP}(?:even{SP})?bother"
            rf"|(?:never|nobody|no{SP}one|no-one){SP}(?:even{SP})?bothered)"
            rf"(?={SP}(?:to|with|about)\b|{SP}\w{{1,40}}ing\b|\s{{0,10}}[^\w\s]|\s{{0,10}}\Z)",
            rf"(?:couldn't|could{SP}not|can't|cannot|can{SP}not|wouldn't){SP}be{SP}bothered\b",
        ),
        ("bother",),
    ),
    Rule(
        "personal-judgement",
        "Words like “incompetent”, “lazy” or “sloppy” judge a person's character or ability.",
        "Describe the action and the conditions around it instead of the person.",
        (
            rf"(?:incompeten(?:t|tly|ce)|inept(?:itude)?|lazy{LAZY_TECHNICAL}|laziness|sloppy|sloppily|sloppiness"
            r"|reckless(?:ly|ness)?|irresponsibl[ey]|stupid(?:ly|ity)?|idiot(?:s|ic)?|clueless)\b",
        ),
        ("incompeten", "inept", "lazy", "lazi", "slopp", "reckless", "irresponsib", "stupid", "idiot", "clueless"),
    ),
    Rule(
        "dropped-the-ball",
        "“Dropped the ball” blames a person for something a handover or process did not carry.",
        "Describe what the handover or process did not carry, and why.",
        (rf"drop(?:s|ped|ping)?{SP}the{SP}ball\b",),
        ("ball",),
    ),
    Rule(
        "no-excuse",
        "“No excuse” and “inexcusable” pass judgement instead of seeking understanding.",
        "Describe the circumstances that made the action reasonable to the person at the time.",
        (rf"(?:no{SP}excuse|inexcusabl[ey]|unforgivabl[ey])\b",),
        ("excus", "unforgivab"),
    ),
)

_ORDER = {rule.id: index for index, rule in enumerate(RULES)}


# Matching -------------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _compile(pattern: str, names: str = "") -> re.Pattern:
    return re.compile(pattern.replace(NAME, f"(?:{names})"))


def _precompile() -> None:
    """Compile the fixed patterns now, so a broken one fails on import rather than in a review."""
    for rule in RULES:
        for pattern in rule.patterns:
            _compile(pattern)


_precompile()


def _name_pattern(name: str) -> str:
    """One name as a regex: escaped, with the space between its parts matching any whitespace."""
    return r"\s+".join(re.escape(part) for part in name.split())


def _prepare_names(names: Iterable[str]) -> tuple[str, ...]:
    """Folded names of two characters or more, longest first."""
    if isinstance(names, str):
        names = (names,)
    folded = {" ".join(_fold(name).split()) for name in names if name}
    return tuple(sorted((name for name in folded if len(name) >= 2), key=lambda name: (-len(name), name)))


def _scan(pattern: re.Pattern, folded: str) -> Iterator[tuple[int, int]]:
    """Spans of ``pattern`` in ``folded`` that begin at the start of a word."""
    pos = 0
    while match := pattern.search(folded, pos):
        start, end = match.span()
        if folded[start] == "'":  # a possessive: widen it to its word
            while start > 0 and match.start() - start < 40 and _is_word(folded[start - 1]):
                start -= 1
            valid = start < match.start()
        else:
            valid = True
        if valid and (start == 0 or not _is_word(folded[start - 1])):
            yield start, end
            pos = max(end, match.start() + 1)
        else:
            pos = match.start() + 1


def _word_before(folded: str, pos: int) -> str:
    """The (short) word that ends shortly before ``pos``, past whitespace; "" if there is none."""
    end = pos
    while end > 0 and pos - end < 12 and folded[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and end - start < 10 and _is_word(folded[start - 1]):
        start -= 1
    return folded[start:end]


def _scan_names(rule: Rule, folded: str, people: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Spans where a fault word is attached to a person's name."""
    alternation = "|".join(_name_pattern(name) for name in people)
    find = _compile(rf"{NAME}(?!\w)", alternation)
    after = _compile(rule.after_name, alternation)
    before = _compile(rule.before_name, alternation)
    pos = 0
    while name := find.search(folded, pos):
        start, end = name.span()
        pos = start + 1
        if start and _is_word(folded[start - 1]):
            continue  # inside a longer word: "Bassam" is not "Sam"
        pos = end
        if tail := after.match(folded, end):
            yield start, tail.end()
        if _word_before(folded, start) not in rule.name_links:
            continue  # a cheap test first: most names are not preceded by "by", "of", "blamed" and the like
        head = before.search(folded, max(0, start - BEFORE_NAME_WINDOW), start)
        if head and not (head.group("cause") and folded.startswith("'", end)):
            yield head.start(), end


def check(text: str, names: Iterable[str] = ()) -> list[Hit]:
    """Phrases in ``text`` that may read as blame, sorted by start and never overlapping.

    ``names`` are the people involved (first, last and full names); a name
    next to a fault word is flagged as ``named-fault``. Names match whole
    words in any case; names shorter than two characters are ignored. Where
    two hits overlap the longer one is kept, or of two as long the earlier.
    """
    if not text:
        return []
    folded = _fold(text)
    people = tuple(name for name in _prepare_names(names) if name.split()[0] in folded)
    found = []
    for rule in RULES:
        if rule.after_name or rule.before_name:
            spans = _scan_names(rule, folded, people) if people else ()
        elif any(trigger in folded for trigger in rule.triggers):
            spans = (span for pattern in rule.patterns for span in _scan(_compile(pattern), folded))
        else:
            continue
        found.extend((start - end, start, _ORDER[rule.id], end, rule) for start, end in spans)
    # Where hits overlap, the longest wins, then the earliest, then the rule listed first. A byte per
    # character marks what is taken, so resolving stays linear however many hits overlap.
    found.sort(key=lambda item: item[:3])
    taken = bytearray(len(folded))
    hits = []
    for _length, start, _order, end, rule in found:
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        hits.append(Hit(rule.id, start, end, text[start:end], rule.message, rule.suggestion))
    hits.sort(key=lambda hit: hit.start)
    return hits
