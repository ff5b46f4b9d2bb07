"""The blameless language check against real-world phrasings."""

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.language import RULES, check

NAMES = ["Sam", "Priya", "Priya Raman", "Mei", "O'Brien", "A.J."]

TRUE_POSITIVES = [
    ("Sam should have checked the dashboard before rolling out.", "should-have"),
    ("In hindsight we could've paged the decision owner.", "should-have"),
    ("The on-call engineer shouldn't have restarted the worker.", "should-have"),
    ("The on-call engineer failed to page the decision owner.", "failed-to"),
    ("Support fails to escalate these tickets on weekends.", "failed-to"),
    ("This was human error.", "human-error"),
    ("Root cause: human errors during the migration.", "human-error"),
    ("It was a careless deploy on a Friday.", "careless"),
    ("The change was carelessly reviewed.", "careless"),
    ("Leaving the flag on was negligent.", "negligent"),
    ("Who is to blame for the outage?", "blame"),
    ("Support blamed engineering for the delay.", "blame"),
    ("We are not blaming anyone, but the rollback was late.", "blame"),
    ("Engineering was at fault here.", "fault"),
    ("It was nobody's fault, really.", "fault"),
    ("Whose fault was the missing update?", "fault"),
    ("Ops didn't bother to update the status page.", "didnt-bother"),
    ("They did not bother with the runbook.", "didnt-bother"),
    ("The handover was sloppy.", "incompetent"),
    ("A reckless change to production.", "incompetent"),
    ("The account team dropped the ball on the customer update.", "dropped-the-ball"),
    ("Priya's mistake delayed the rollback.", "named-fault"),
    ("Sam broke the deploy pipeline.", "named-fault"),
    ("Mei forgot to tell the customer.", "named-fault"),
    ("The rollback was delayed because of Sam.", "named-fault"),
    ("The outage was caused by Priya Raman.", "named-fault"),
    ("O'Brien missed the page at 03:00.", "named-fault"),
    ("Sam, again, ignored the alert.", "named-fault"),
    ("Sam’s mistake cost us an hour.", "named-fault"),  # curly apostrophe
]

FALSE_POSITIVES = [
    "The default timeout was too short for the acquirer.",
    "Our fault-tolerant queue kept every message.",
    "The fault tolerance of the database was not tested.",
    "This is a blameless review.",
    "We reviewed it blamelessly.",
    "The job failed over to the secondary region.",
    "Error rates rose at 10:02 and fell at 10:40.",
    "The customer asked whether we had a fix.",
    "Samuel Pepys wrote the runbook.",  # "Sam" is a name, "Samuel" is not it
    "The fix should ship on Friday.",
    "The playbook says who decides; the decision owner decided within 10 minutes.",
    "The payment failed at the acquirer.",
    "Sam took the investigation lead at 09:28.",
    "Priya handed the customer thread over to Lena with the last promise.",
    "A network fault in the load balancer dropped connections.",
    "The errors came from the certificate chain.",
    "Mei's handover note was excellent.",
    "We should add a chain check to the runbook.",
]


@pytest.mark.parametrize(("text", "rule"), TRUE_POSITIVES)
def test_blaming_phrasings_are_flagged(text, rule):
    hits = check(text, NAMES)
    assert rule in {hit.rule for hit in hits}, (text, hits)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.phrase
        assert hit.message and hit.suggestion


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_blameless_phrasings_are_not_flagged(text):
    assert check(text, NAMES) == []


def test_hits_are_sorted_and_do_not_overlap():
    text = "Sam should have paged. It was human error and Priya failed to escalate; whose fault?"
    hits = check(text, NAMES)
    assert [h.start for h in hits] == sorted(h.start for h in hits)
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    assert {h.rule for h in hits} >= {"should-have", "human-error", "fault"}


def test_names_with_regex_characters_and_short_names():
    assert check("A.J. broke the build", ["A.J."])[0].rule == "named-fault"
    assert check("X broke the build", ["X"]) == []  # one-letter names are ignored
    assert check("AxJx broke the build", ["A.J."]) == []  # the dot is literal


def test_empty_and_the_rule_table():
    assert check("") == [] and check(None) == []
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert check("He should have", [])[0].as_dict().keys() == {
        "rule",
        "start",
        "end",
        "phrase",
        "message",
        "suggestion",
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(min_size=2, max_size=12), max_size=4))
def test_never_raises_and_offsets_hold(text, names):
    for hit in check(text, names):
        assert text[hit.start : hit.end] == hit.phrase


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), max_size=80), st.sampled_from(TRUE_POSITIVES))
def test_a_flagged_phrase_is_found_inside_any_text(prefix, case):
    text, _ = case
    combined = f"{prefix} . {text}"
    offset = len(prefix) + 3
    assert any(hit.end > offset for hit in check(combined, NAMES))


def test_a_large_text_checks_quickly():
    text = ("The acquirer rejected the new chain, so the decision owner rolled back within ten minutes. " * 120_000)[
        :10_000_000
    ]
    started = time.monotonic()
    assert check(text, NAMES) == []
    assert time.monotonic() - started < 20  # linear time; catches catastrophic backtracking
