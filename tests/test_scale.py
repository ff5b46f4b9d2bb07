"""Scale: the seed_scale generator, and query counts that do not grow with the data."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from playbook.models import Section, SectionVersion
from recognition.models import Recognition
from reviews.models import Incident, Review, Score, TimelineEntry

END = "2026-09-30"


def _fingerprint():
    return {
        "incidents": list(
            Incident.objects.order_by("pk").values_list(
                "pk", "title", "customer", "severity", "team__slug", "escalated_at", "resolved_at", "satisfaction"
            )
        ),
        "reviews": list(Review.objects.order_by("pk").values_list("pk", "state", "clarity_score", "is_exercise")),
        "scores": list(Score.objects.order_by("pk").values_list("participant__user__username", "dimension", "score")),
        "recognitions": list(Recognition.objects.order_by("pk").values_list("team__slug", "category", "created_at")),
    }


def _seed(n, seed=7):
    call_command("seed_scale", incidents=n, seed=seed, end=END, quiet=True)


@pytest.mark.django_db
def test_seed_scale_builds_what_it_promises():
    _seed(30)
    assert Incident.objects.count() == 30
    assert Review.objects.count() == 30
    assert Section.objects.count() == 50
    assert SectionVersion.objects.count() == 50 * 20
    assert not Section.objects.filter(current__isnull=True).exists()
    assert set(Section.objects.values_list("current__number", flat=True)) == {20}
    assert TimelineEntry.objects.count() == 30 * 20
    assert Recognition.objects.count() == 20  # at least 20; N / 10 for larger N
    assert Incident.objects.filter(playbook_version__isnull=True).count() == 0
    published = Review.objects.filter(state__in=["published", "amended"])
    assert published.exists()
    assert not published.filter(clarity_score__isnull=True).exists()
    # Rows written with explicit ids: the sequences moved past them, so normal inserts still work.
    incident = Incident.objects.first()
    entry = TimelineEntry.objects.create(
        incident=incident, at=incident.escalated_at, what="x", created_by_id=incident.created_by_id
    )
    assert entry.pk > TimelineEntry.objects.exclude(pk=entry.pk).order_by("-pk").first().pk


@pytest.mark.django_db
def test_seed_scale_is_deterministic_given_a_seed():
    with transaction.atomic():
        _seed(25)
        first = _fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        _seed(25)
        again = _fingerprint()
        transaction.set_rollback(True)
    _seed(25, seed=8)
    other = _fingerprint()
    assert first == again
    assert first["incidents"] and first != other


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_with_incidents():
    _seed(5)
    with pytest.raises(CommandError, match="already holds incidents"):
        _seed(5)


@pytest.mark.django_db
def test_seeded_ownership_times_match_the_role_assignments():
    from reviews.metrics import ownership_established_at

    _seed(40)
    for incident in Incident.objects.prefetch_related("assignments"):
        pairs = [(a.role, a.started_at) for a in incident.assignments.all()]
        assert incident.ownership_established_at == ownership_established_at(pairs)


def _pages():
    from playbook.models import Section
    from teams.models import Team

    review = Review.objects.filter(state="published").order_by("-incident__escalated_at", "-pk").first()
    team = Team.objects.order_by("pk").first()
    section = Section.objects.order_by("slug").first()
    return [
        "/reviews/",
        f"/reviews/?state=published&severity=sev2&team={team.slug}",
        "/reviews/?q=certificate",
        f"/reviews/{review.pk}/",
        f"/playbook/{section.slug}/",
        f"/playbook/{section.slug}/compare/?a=12&b=20",
        "/recognition/",
        "/insights/?quarter=2026-Q3",
        "/api/reviews/",
        "/api/reviews/?q=certificate&state=published",
        "/api/incidents/",
        "/api/timeline-entries/",
        "/api/action-items/",
        "/api/recognitions/",
        "/api/playbook/sections/",
        "/api/insights/?quarter=2026-Q3",
    ]


def _query_counts(client):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(get_user_model().objects.get(username="bench"))
    cache.clear()  # every page rendered afresh: the seed writes no audit events to start new keys
    counts = []
    for path in _pages():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append((path.split("?")[0].rstrip("0123456789/"), len(queries.captured_queries)))
    return counts


@pytest.mark.django_db
def test_benchmarked_pages_make_the_same_number_of_queries_at_two_sizes(client):
    """Every page and API list the benchmark measures: queries per request do not grow with N."""
    with transaction.atomic():
        _seed(30)
        small = _query_counts(client)
        transaction.set_rollback(True)
    _seed(300)
    large = _query_counts(client)
    assert large == small
    assert all(count <= 25 for _, count in small), small
