"""The blameless language check against real-world phrasings (pure Python: no database)."""

import dataclasses
import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews import language
from reviews.language import RULES, Hit, check

NAMES = ["Sam", "Priya", "Priya Raman", "Mei", "O'Brien", "A.J.", "Pat"]

# (text, the rule that must flag it, the phrase it flags)
TRUE_POSITIVES = [
    ("Sam should have checked the dashboard.", "should-have", "should have"),
    ("In hindsight we should've paged the decision owner.", "should-have", "should've"),
    ("The on-call engineer shouldn't have restarted the worker.", "should-have", "shouldn't have"),
    ("Support should not have promised a date.", "should-have", "should not have"),
    ("We SHOULD HAVE known the chain was untrusted.", "should-have", "SHOULD HAVE"),
    ("The on-call engineer failed to page the decision owner.", "failed-to", "failed to"),
    ("Support fails to escalate these tickets on weekends.", "failed-to", "fails to"),
    ("The account team's failure to call back made it worse.", "failed-to", "failure to"),
    ("This was human error.", "human-error", "human error"),
    ("Root cause: human errors during the migration.", "human-error", "human errors"),
    ("It was a careless deploy on a Friday.", "careless", "careless"),
    ("The change was carelessly reviewed.", "careless", "carelessly"),
    ("Leaving the flag on was negligent.", "negligent", "negligent"),
    ("This borders on negligence.", "negligent", "negligence"),
    ("Who is to blame for the outage?", "blame", "to blame"),
    ("Support blamed engineering for the delay.", "blame", "blamed"),
    ("Engineering was at fault here.", "fault", "at fault"),
    ("It was his fault, not the tooling's.", "fault", "his fault"),
    ("Whose fault was the missing update?", "fault", "Whose fault"),
    ("The fault lies with the vendor team.", "fault", "fault lies with"),
    ("It was the fault of the night shift.", "fault", "the fault of"),
    ("Ops didn't bother to update the status page.", "didnt-bother", "didn't bother"),
    ("They did not bother with the runbook.", "didnt-bother", "did not bother"),
    ("Nobody bothered to check the queue depth.", "didnt-bother", "Nobody bothered"),
    ("The reviewer couldn't be bothered.", "didnt-bother", "couldn't be bothered"),
    ("The handover was sloppy.", "personal-judgement", "sloppy"),
    ("A reckless change to production.", "personal-judgement", "reckless"),
    ("Frankly, the vendor's support is incompetent.", "personal-judgement", "incompetent"),
    ("The reviewer was lazy.", "personal-judgement", "lazy"),
    ("The account team dropped the ball on the customer update.", "dropped-the-ball", "dropped the ball"),
    ("There is no excuse for a silent customer thread.", "no-excuse", "no excuse"),
    ("Priya's mistake delayed the rollback.", "named-fault", "Priya's mistake"),
    ("Sam broke the deploy pipeline.", "named-fault", "Sam broke"),
    ("Mei forgot to tell the customer.", "named-fault", "Mei forgot"),
    ("Pat forgot the runbook.", "named-fault", "Pat forgot"),
    ("The rollback was delayed because of Sam.", "named-fault", "because of Sam"),
    ("The outage was caused by Priya Raman.", "named-fault", "caused by Priya Raman"),
    ("O'Brien missed the page at 03:00.", "named-fault", "O'Brien missed"),
    ("Sam, again, ignored the alert.", "named-fault", "Sam, again, ignored"),
    ("Sam’s mistake cost us an hour.", "named-fault", "Sam’s mistake"),  # curly apostrophe
    ("Sam made an honest mistake with the flag.", "named-fault", "Sam made an honest mistake"),
    ("Honestly, Priya was at fault.", "named-fault", "Priya was at fault"),
    ("The mistake was Mei's.", "named-fault", "mistake was Mei"),
    ("A.J. screwed up the certificate rotation.", "named-fault", "A.J. screwed up"),
    ("priya raman messed up the handover.", "named-fault", "priya raman messed up"),  # any case
    ("It was Sam's fault.", "named-fault", "Sam's fault"),  # the longer, named hit wins over "fault"
]

FALSE_POSITIVES = [
    "The default timeout was too short for the acquirer.",
    "Our fault-tolerant queue kept every message.",
    "The fault tolerance of the database was not tested.",
    "A no-fault review: we looked at the system.",
    "The faulty power supply was replaced.",
    "A network fault in the load balancer dropped connections.",
    "This is a blameless review.",
    "We reviewed it blamelessly and blame-free.",
    "We used git blame to find the commit.",
    "The job failed over to the secondary region.",
    "The pod failed to start and the certificate failed to renew.",
    "The payment failed at the acquirer.",
    "Error rates rose at 10:02 and fell at 10:40.",
    "The errors came from the certificate chain.",
    "The customer asked whether we had a fix.",
    "Samuel Pepys wrote the runbook.",  # "Sam" is a name, "Samuel" is not it
    "The fix should ship on Friday.",
    "Every service should have an owner and a runbook.",
    "We should add a chain check to the runbook.",
    "The playbook says who decides; the decision owner decided within 10 minutes.",
    "Sam took the investigation lead at 09:28.",
    "Sam fixed the error at 10:05.",
    "Sam said the deploy caused the spike.",
    "Sam noticed what monitoring missed.",
    "Sam reported that the alert was ignored.",
    "Sam never missed a handover.",
    "Sam's error budget dashboard showed the burn.",
    "The rollback was fast because of Sam's quick thinking.",
    "Priya handed the customer thread over to Lena with the last promise.",
    "Mei's handover note was excellent.",
    "The lag didn't bother the customer.",
    "The dashboard uses lazy loading for charts.",
    "The human factors review found two gaps in the paging tool.",
    "The new alert would have caught this an hour earlier.",
    "The queue filled up.",
    "",
]


def _hits(text):
    return check(text, NAMES)


@pytest.mark.parametrize(("text", "rule", "phrase"), TRUE_POSITIVES)
def test_blaming_phrasings_are_flagged(text, rule, phrase):
    hits = _hits(text)
    assert (rule, phrase) in {(hit.rule, hit.phrase) for hit in hits}, hits
    for hit in hits:
        assert text[hit.start : hit.end] == hit.phrase
        assert hit.message and hit.suggestion


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_blameless_phrasings_are_not_flagged(text):
    assert _hits(text) == []


def test_the_table_covers_every_rule():
    assert {rule for _, rule, _ in TRUE_POSITIVES} == {rule.id for rule in RULES}


def test_the_rule_table():
    ids = [rule.id for rule in RULES]
    assert len(set(ids)) == len(ids)
    for rule in RULES:
        assert rule.message.endswith(".") and rule.suggestion.endswith("."), rule.id
        if rule.after_name or rule.before_name:  # the named rule looks around each name
            assert not rule.patterns and rule.name_links
        else:  # the others scan the text, but only when a trigger word occurs in it
            assert rule.patterns and rule.triggers, rule.id


@pytest.mark.parametrize(("text", "rule", "phrase"), [case for case in TRUE_POSITIVES if case[1] != "named-fault"])
def test_every_hit_contains_a_trigger_word(text, rule, phrase):
    triggers = next(r.triggers for r in RULES if r.id == rule)
    assert any(trigger in phrase.lower() for trigger in triggers)


def test_offsets_point_at_the_phrase():
    text = "Timeline.\n\nAt 10:02 the on-call engineer failed to page anyone; Sam should have."
    hits = _hits(text)
    assert [(h.rule, h.phrase) for h in hits] == [("failed-to", "failed to"), ("should-have", "should have")]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.phrase
    assert hits[0].start == text.index("failed to") and hits[0].end == text.index("failed to") + len("failed to")


def test_hits_are_sorted_and_do_not_overlap():
    text = (
        "Sam should have paged. It was human error and Priya failed to escalate; whose fault? "
        "Sam's mistake, and nobody's fault. They dropped the ball, which was careless."
    )
    hits = _hits(text)
    assert [h.start for h in hits] == sorted(h.start for h in hits)
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    assert {h.rule for h in hits} >= {"should-have", "human-error", "failed-to", "fault", "named-fault", "careless"}


def test_overlapping_hits_keep_the_longer_then_the_earlier_one():
    # "Sam's fault" is both a named fault and a "fault": same span, so the rule listed first (named) wins.
    assert [(h.rule, h.phrase) for h in check("It was Sam's fault.", ["Sam"])] == [("named-fault", "Sam's fault")]
    # "The fault lies" (fault) starts first, but "fault lies with Sam" (named-fault) is longer.
    hits = check("The fault lies with Sam.", ["Sam"])
    assert [(h.rule, h.phrase) for h in hits] == [("named-fault", "fault lies with Sam")]
    # "to blame" and "blame" overlap: the longer one is kept.
    assert [h.phrase for h in check("Who is to blame?")] == ["to blame"]
    # "Priya failed to" is not a named fault, so "failed to" stands on its own.
    assert [h.rule for h in check("Priya failed to page.", ["Priya"])] == ["failed-to"]
    # Without names the same text still gets the generic hit.
    assert [(h.rule, h.phrase) for h in check("It was Sam's fault.")] == [("fault", "Sam's fault")]


def test_many_overlapping_hits_resolve_quickly():
    text = "The fault lies with Sam's fault lies with Sam. " * 20_000
    started = time.perf_counter()
    hits = check(text, ["Sam"])
    assert time.perf_counter() - started < 5
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    assert len(hits) >= 40_000


def test_curly_apostrophes_count_as_straight_ones():
    for text, rule in [
        ("We should’ve paged.", "should-have"),
        ("They shouldn’t have.", "should-have"),
        ("Ops didn’t bother to check.", "didnt-bother"),
        ("It was nobody‘s fault.", "fault"),
        ("O’Brien missed the page.", "named-fault"),  # curly in the text, straight in the name
    ]:
        hits = _hits(text)
        assert [h.rule for h in hits] == [rule], text
        assert text[hits[0].start : hits[0].end] == hits[0].phrase
    assert [h.rule for h in check("O'Brien missed the page.", ["O’Brien"])] == ["named-fault"]  # and vice versa
    assert check("Our fault‑tolerant queue.") == []  # a non-breaking hyphen is a hyphen


def test_unicode_text_keeps_offsets():
    text = "İstanbul team: Zoë should have paged. Ωmega ignored nothing. Zoë’s mistake."
    hits = check(text, ["Zoë"])
    assert [(h.rule, h.phrase) for h in hits] == [("should-have", "should have"), ("named-fault", "Zoë’s mistake")]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.phrase


def test_as_dict_round_trips():
    hit = check("He should have")[0]
    data = hit.as_dict()
    assert data == {
        "rule": "should-have",
        "start": 3,
        "end": 14,
        "phrase": "should have",
        "message": hit.message,
        "suggestion": hit.suggestion,
    }
    assert Hit(**data) == hit


def test_empty_text_and_no_names():
    assert check("") == []
    assert check("", NAMES) == []
    assert check("   \n\t ") == []
    assert check("Sam forgot the runbook.") == []  # a name only counts when it is given


def test_names_match_whole_words_in_any_case():
    assert [h.phrase for h in check("SAM forgot the runbook.", ["sam"])] == ["SAM forgot"]
    assert check("Samuel forgot the runbook.", ["Sam"]) == []
    assert check("Bassam forgot the runbook.", ["Sam"]) == []
    assert [h.phrase for h in check("Priya  Raman\nforgot it.", ["Priya Raman"])] == ["Priya  Raman\nforgot"]


def test_names_with_regex_characters_and_short_names():
    assert [(h.rule, h.phrase) for h in check("A.J. broke the build", ["A.J."])] == [("named-fault", "A.J. broke")]
    assert check("AxJx broke the build", ["A.J."]) == []  # the dots are literal
    assert [h.phrase for h in check("O'Brien forgot the runbook", ["O'Brien"])] == ["O'Brien forgot"]
    assert [h.phrase for h in check("Jo (ops) missed it", ["Jo (ops)", "J+", "a|b", "[x]*"])] == ["Jo (ops) missed"]
    assert check("X broke the build", ["X"]) == []  # one-letter names are ignored
    assert check("X broke the build", ["", "X", " "]) == []
    assert [h.phrase for h in check("Sam forgot it", "Sam")] == ["Sam forgot"]  # a single name as a string


def test_a_later_name_takes_the_fault_word():
    hits = check("Sam and Mei missed the page.", ["Sam", "Mei"])
    assert [(h.rule, h.phrase) for h in hits] == [("named-fault", "Mei missed")]


def test_many_names_longest_first():
    names = [f"Person{i}" for i in range(300)] + ["Priya", "Priya Raman"]
    hits = check("Priya Raman forgot the runbook.", names)
    assert [h.phrase for h in hits] == ["Priya Raman forgot"]


# Properties ---------------------------------------------------------------------------------------

# Whole sentences: some rules read the words around a phrase ("should have an owner" is a requirement, not
# hindsight; "the pod failed to start" is the machine), so the property inserts a phrase with its sentence.
FLAGGED = [text for text, _, _ in TRUE_POSITIVES]
SURROUNDING = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=300),
    st.lists(st.text(max_size=12), max_size=4),
)
def test_never_raises_and_offsets_hold(text, names):
    hits = check(text, names)
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.phrase
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("should have failed to fault blame Sam’s 's -.,\n"), max_size=200),
    st.lists(st.sampled_from(["Sam", "Priya Raman", "A.J.", "O'Brien"]), max_size=3),
)
def test_never_raises_on_texts_full_of_near_misses(text, names):
    for hit in check(text, names):
        assert text[hit.start : hit.end] == hit.phrase


@settings(max_examples=300, deadline=None)
@given(SURROUNDING, st.sampled_from(FLAGGED), SURROUNDING)
def test_a_flagged_phrase_is_found_inside_any_text(before, sentence, after):
    text = f"{before} {sentence} {after}"
    start = len(before) + 1
    end = start + len(sentence)
    hits = check(text, NAMES)
    assert any(hit.start < end and start < hit.end for hit in hits), (text, hits)


WORDS = sorted({word for text, _, _ in TRUE_POSITIVES for word in text.split()} | {"the", "lazy", "no-", "git"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_trigger_words_only_skip_work_never_hits(words):
    text = " ".join(words)
    ungated = tuple(dataclasses.replace(rule, triggers=("",)) for rule in RULES)  # "" occurs in every text
    original = language.RULES
    language.RULES = ungated
    try:
        expected = check(text, NAMES)
    finally:
        language.RULES = original
    assert check(text, NAMES) == expected


# Performance -----------------------------------------------------------------------------------------

PROSE = (
    "At 09:12 the acquirer started rejecting card payments after the certificate rotation. "
    "Error rates rose and the default retry policy kept the queue full, but the fault-tolerant consumer "
    "kept every message. Sam took the investigation lead, Priya owned customer updates, and the decision "
    "owner rolled back within ten minutes; the job failed over to the secondary region as designed. "
)


@pytest.mark.parametrize("text", [PROSE, PROSE + "Sam should have paged. Mei forgot the runbook. "])
def test_ten_megabytes_check_quickly(text):
    big = (text * (10_000_000 // len(text) + 1))[:10_000_000]
    started = time.perf_counter()
    hits = check(big, NAMES)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed  # generous: it exists to catch catastrophic backtracking
    assert bool(hits) == ("should have" in text)


@pytest.mark.parametrize(
    "text",
    [
        "Sam" + " ," * 2_000_000,
        "Sam's " + "word " * 1_000_000,
        "a" * 5_000_000 + "'s fault",
        "should " * 1_000_000,
        "didn't bother " + "x" * 5_000_000,
        "Sam " + "again, " * 1_000_000 + "forgot",
    ],
)
def test_pathological_texts_stay_linear(text):
    started = time.perf_counter()
    check(text, NAMES)
    assert time.perf_counter() - started < 5
