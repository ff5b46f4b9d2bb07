"""The demo organisation: loaded twice, each figure consistent with the records it comes from,
and README.md's sign-ins table and walkthrough true to what the demo holds."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.roles import FACILITATORS, GOVERNANCE
from insights import figures
from playbook.models import ReviewCycle, ReviewTask, Revision, RevisionState, Section, SectionVersion
from recognition.models import Recognition, Second
from reviews import language, selectors
from reviews.metrics import clarity_score, consolidate, ownership_established_at
from reviews.models import (
    ActionItem,
    DimensionResult,
    EntryKind,
    Finding,
    Incident,
    Participant,
    Review,
    ReviewState,
    ReviewText,
    RoleAssignment,
    Score,
    TimelineEntry,
)
from teams.models import Membership, Team

README = Path(__file__).resolve().parent.parent / "README.md"
PUBLIC = (ReviewState.PUBLISHED, ReviewState.AMENDED)
COUNTED = (
    get_user_model(),
    Team,
    Membership,
    Incident,
    Review,
    RoleAssignment,
    TimelineEntry,
    Participant,
    Score,
    Finding,
    ActionItem,
    ReviewText,
    Section,
    SectionVersion,
    Revision,
    ReviewCycle,
    ReviewTask,
    Recognition,
    Second,
    AuditEvent,
)

pytestmark = pytest.mark.django_db


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded twice; the counts after the first run. Rolled back after this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", quiet=True)
        first = counts()
        call_command("seed_demo", quiet=True)
        yield first
        transaction.set_rollback(True)


def readme_people():
    """The sign-ins table at the top of README.md: {username: (name, role, teams)}."""
    rows = {}
    for line in README.read_text().split("\n## ")[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and (match := re.fullmatch(r"`([a-z]+)`", cells[0])):
            teams = {re.sub(r"\s*\(lead\)", "", team).strip() for team in cells[3].split(",")} - {"—", ""}
            rows[match[1]] = (cells[1], cells[2], teams)
    return rows


def role_of(user):
    if user.is_superuser:
        return "admin"
    groups = set(user.groups.values_list("name", flat=True))
    return (
        ", ".join(
            name for group, name in ((FACILITATORS, "facilitator"), (GOVERNANCE, "governance owner")) if group in groups
        )
        or "staff"
    )


def test_loading_the_demo_a_second_time_adds_nothing(demo):
    assert counts() == demo
    assert demo["Review"] >= 20


def test_no_review_is_a_stub_and_no_two_tell_the_same_story(demo):
    reviews = list(Review.objects.select_related("incident"))
    titles = [review.incident.title for review in reviews]
    assert not [title for title in titles if title.startswith("[")]
    assert len(set(titles)) == len(titles)
    summaries = [review.incident.summary for review in reviews]
    assert all(summaries) and len(set(summaries)) == len(summaries)
    narratives = [review.narrative for review in reviews if review.state != ReviewState.DRAFT]
    assert all(narratives) and len(set(narratives)) == len(narratives)


def test_a_clarity_score_comes_only_from_submitted_scores(demo):
    for review in Review.objects.all():
        summaries = consolidate(selectors.submitted_scores(review).values_list("dimension", "score"))
        stored = {(r.dimension, r.median, r.spread, r.count) for r in DimensionResult.objects.filter(review=review)}
        if review.clarity_score is None:
            assert not stored, review
        else:
            assert review.clarity_score == clarity_score(summaries), review
            assert stored == {(s.dimension, s.median, s.spread, s.count) for s in summaries if s.count}, review


def test_every_published_review_has_its_participants_scores(demo):
    for review in Review.objects.filter(state__in=PUBLIC):
        assert review.participants.filter(submitted_at__isnull=False).exists(), review
        assert review.clarity_score is not None, review


def test_time_to_ownership_stored_on_each_incident_is_the_one_its_role_history_gives(demo):
    for incident in Incident.objects.all():
        held = incident.assignments.values_list("role", "started_at")
        assert incident.ownership_established_at == ownership_established_at(held), incident


def test_each_incident_is_measured_against_the_section_version_in_force_when_escalated(demo):
    for incident in Incident.objects.select_related("playbook_section", "playbook_version"):
        if incident.playbook_section is None:
            assert incident.playbook_version is None
            continue
        in_force = selectors.version_in_force(incident.playbook_section, incident.escalated_at)
        assert incident.playbook_version == in_force, incident
        assert in_force.published_at <= incident.escalated_at, incident
        assert incident.pattern_name == in_force.pattern, incident


def test_the_first_customer_update_milestone_is_the_first_customer_update_on_the_timeline(demo):
    for incident in Incident.objects.filter(review__isnull=False):
        updates = incident.entries.filter(kind=EntryKind.CUSTOMER_UPDATE).order_by("at")
        if updates.exists():
            assert incident.first_customer_update_at == updates.first().at, incident


def test_each_review_moved_on_in_order_and_in_the_past(demo):
    now = timezone.now()
    for review in Review.objects.select_related("incident"):
        incident = review.incident
        assert incident.escalated_at < review.created_at <= now, review
        for moment in (incident.resolved_at, incident.first_customer_update_at, incident.acknowledged_at):
            assert moment is None or incident.escalated_at <= moment <= review.created_at, review
        for participant in review.participants.filter(submitted_at__isnull=False):
            assert review.created_at < participant.submitted_at <= (review.published_at or now), review
        for text in review.texts.all():
            assert review.published_at <= text.created_at <= now, review
        for item in review.action_items.exclude(completed_at=None):
            assert (review.published_at or review.created_at) < item.completed_at <= now, item
    assert not AuditEvent.objects.filter(at__gt=now).exists()


def test_published_text_reads_blameless(demo):
    names = [name for user in get_user_model().objects.all() for name in (user.first_name, user.get_full_name())]
    for review in Review.objects.filter(state__in=PUBLIC):
        for text in [review.narrative, *review.findings.values_list("text", flat=True)]:
            assert language.check(text, names) == [], text


def test_each_revision_proposes_its_own_sections_pattern(demo):
    for revision in Revision.objects.select_related("section", "prompted_by_review__incident", "review_task"):
        patterns = set(revision.section.versions.values_list("pattern", flat=True)) if revision.section else set()
        assert patterns == {revision.pattern}, revision
        prompted_by = revision.prompted_by_review
        if prompted_by is not None:
            assert prompted_by.incident.playbook_section_id in (None, revision.section_id), revision
        if revision.review_task is not None:
            assert revision.review_task.section_id == revision.section_id, revision


def test_a_revision_that_answers_an_action_item_names_its_review(demo):
    for revision in Revision.objects.exclude(prompted_by_action=None):
        assert revision.prompted_by_review_id == revision.prompted_by_action.review_id
        assert revision.prompted_by_action.kind == "playbook_change"


def test_every_approval_is_a_governance_owners_and_never_the_authors(demo):
    governance = set(get_user_model().objects.filter(groups__name=GOVERNANCE).values_list("pk", flat=True))
    for version in SectionVersion.objects.select_related("revision"):
        assert version.published_by_id in governance, version
        assert version.published_by_id != version.revision.author_id, version
    for revision in Revision.objects.filter(state=RevisionState.APPROVED):
        assert revision.decided_by_id in governance and revision.decided_by_id != revision.author_id, revision


def test_every_demo_person_is_in_the_readme_with_the_role_and_teams_it_states(demo):
    listed = readme_people()
    # Everyone who can sign in; a connected tool acts through an account nobody signs in to.
    users = {user.username: user for user in get_user_model().objects.filter(is_active=True)}
    assert set(listed) == set(users)
    for username, (name, role, teams) in listed.items():
        user = users[username]
        assert name == user.get_full_name(), username
        assert role == role_of(user), username
        assert teams == set(user.memberships.values_list("team__name", flat=True)), username


def test_every_playbook_task_and_section_belongs_to_someone_the_readme_lists(demo):
    listed = set(readme_people())
    assert set(ReviewTask.objects.values_list("assignee__username", flat=True)) <= listed
    assert set(Section.objects.values_list("owner__username", flat=True)) <= listed
    assert set(ActionItem.objects.values_list("owner__username", flat=True)) <= listed


def test_insights_shows_the_last_three_quarters_with_clarity_rising(demo):
    last_quarter = figures.Period.containing(timezone.localdate()).previous()
    trend = figures.trend(last_quarter, quarters=3, viewer=figures.ORGANISATION)
    assert [row["incidents"] >= 3 and row["clarity_mean"] is not None for _, row in trend] == [True] * 3
    assert trend[0][1]["clarity_mean"] < trend[-1][1]["clarity_mean"]
    assert trend[0][1]["tto_median"] > trend[-1][1]["tto_median"]


# What README.md's walkthrough sends each person to find on their home page.
WALKTHROUGH = {
    "fiona": [
        "Blue Yonder Airlines&#x27; payouts missed the bank cut-off",
        "Login failures for Fabrikam single sign-on",
        "Card authorisations timing out for Globex",
    ],
    "tom": ["Webhook deliveries delayed for Litware", "Add tax rate changes to the billing release checklist"],
    "gordon": ["Revisions awaiting your approval", "by Sam Novak", "by Mei Chen"],
    "sam": [
        "Login failures for Fabrikam single sign-on",
        "Add the 3-D Secure completion rate per provider",
        "Overdue since",
    ],
    "lena": ["Login failures for Fabrikam single sign-on", "Wrong invoices or charges reported by a customer"],
    "diego": ["Customer-facing job stalled before a deadline", "Propose a decision owner for payout batches"],
    "mei": ["Cover notification errors in the playbook", "Load bank holidays from the banks"],
    "priya": ["Alert when a customer&#x27;s identity provider metadata changes", "No quarterly review task"],
    "omar": ["Nothing to score", "No action items are assigned to you.", "No quarterly review task"],
}


@pytest.mark.parametrize("username", sorted(WALKTHROUGH))
def test_each_persons_home_page_shows_what_the_walkthrough_says(demo, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(reverse("home")).content.decode()
    for phrase in WALKTHROUGH[username]:
        assert phrase in page, phrase


def test_the_governance_owner_finds_the_quarterly_cycle_the_walkthrough_describes(demo):
    cycle = ReviewCycle.objects.order_by("-year", "-quarter").first()
    states = {task.section.slug: (task.state, task.assignee.username) for task in cycle.tasks.all()}
    assert sorted(state for state, _ in states.values()) == ["done", "done", "done", "open", "open", "pending"]
    assert {who for state, who in states.values() if state == "open"} == {"lena", "diego"}
    assert Revision.objects.filter(state=RevisionState.SUBMITTED).count() == 2
